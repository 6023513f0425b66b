from django.apps import AppConfig


class SmsConsoleConfig(AppConfig):
    name = "smsconsole"
    verbose_name = "SMS Console"

    def ready(self) -> None:
        from smsconsole import checks  # noqa: F401  (registers system checks)
