from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "connectors"
    verbose_name = "Outbound connectors"

    def ready(self) -> None:
        from connectors import checks  # noqa: F401  (registers system checks)
        from connectors.models import Connector
        from connectors.selectors import RECEIPT_CONNECTORS

        # The receipt endpoint's per-process connectors (connectors.selectors.connector_for_receipts).
        RECEIPT_CONNECTORS.renew_on_change(Connector)
