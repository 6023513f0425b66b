from django.apps import AppConfig


class SmsConsoleConfig(AppConfig):
    name = "smsconsole"
    verbose_name = "SMS Console"

    def ready(self) -> None:
        from smsconsole import checks, schema  # noqa: F401  (registers checks and the OpenAPI auth scheme)
