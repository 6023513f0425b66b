from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        # Every change of a receive connector or number, from any path (services, admin, shell),
        # tells the receivers' per-process lookups (inbox.selectors.receive_connector_for_number).
        from inbox.models import ReceiveConnector, ReceiverNumber
        from inbox.selectors import RECEIVE_CONNECTORS

        for model in (ReceiveConnector, ReceiverNumber):
            for signal in (post_save, post_delete):
                signal.connect(RECEIVE_CONNECTORS.changed, sender=model, weak=False)
