from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from inbox.models import ReceiveConnector, ReceiverNumber
        from inbox.selectors import RECEIVE_CONNECTORS

        # The receiver's per-process lookups (inbox.selectors.receive_connector_for_number).
        RECEIVE_CONNECTORS.renew_on_change(ReceiveConnector, ReceiverNumber)
