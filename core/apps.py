from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    # The label of the app these models were born in: tables, admin URLs and permissions keep it.
    label = "smsconsole"
    verbose_name = "SMS Console"

    def ready(self) -> None:
        from core import checks, schema  # noqa: F401  (registers checks and the OpenAPI auth scheme)
        from core.models import ApiKey
        from core.selectors import ACTIVE_API_KEYS

        ACTIVE_API_KEYS.renew_on_change(ApiKey)
