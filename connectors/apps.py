from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ConnectorsConfig(AppConfig):
    name = "connectors"
    verbose_name = "Outbound connectors"

    def ready(self) -> None:
        from connectors import checks  # noqa: F401  (registers system checks)
        from connectors.models import Connector
        from connectors.selectors import RECEIPT_CONNECTORS

        # Every save or delete of a connector, from any path (services, admin, shell), renews the
        # receipt endpoint's per-process connectors (connectors.selectors.connector_for_receipts).
        for signal in (post_save, post_delete):
            signal.connect(RECEIPT_CONNECTORS.changed, sender=Connector, weak=False)
