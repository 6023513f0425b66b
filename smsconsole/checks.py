"""System checks of the console itself."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, register

GENERATE_KEY_HINT = (
    'Generate one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


@register()
def check_encryption_keys(app_configs, **kwargs):
    errors = []
    for index, key in enumerate(settings.SMSCONSOLE_ENCRYPTION_KEYS):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"SMSCONSOLE_ENCRYPTION_KEYS item {index + 1} is not a valid Fernet key.",
                    hint=GENERATE_KEY_HINT,
                    id="smsconsole.E001",
                )
            )
    return errors
