from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "connectors"
    verbose_name = "Outbound connectors"

    def ready(self) -> None:
        from connectors import checks  # noqa: F401  (registers system checks)
