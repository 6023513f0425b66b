"""System checks of the console itself."""

from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register
from django.db import DatabaseError, connection

from core.crypto import EncryptedTextField, decrypt

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


def _one_stored_value(table: str, column: str) -> str | None:
    """A non-empty value of a column as stored (ciphertext), or None."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} "  # noqa: S608 (names from the models)
            f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> '' LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else None


@register()
def check_stored_secrets_decrypt(app_configs, **kwargs):
    """One stored secret per encrypted column must decrypt with the configured keys."""
    errors = []
    for model in apps.get_models():
        for field in model._meta.fields:
            if not isinstance(field, EncryptedTextField):
                continue
            table = model._meta.db_table
            try:
                token = _one_stored_value(table, field.column)
            except DatabaseError:
                continue  # no table yet (before migrate): nothing stored to check
            if token is None:
                continue
            try:
                decrypt(token)
            except ValueError:
                errors.append(
                    Error(
                        f"Stored secrets in {table}.{field.column} cannot be decrypted with "
                        "SMSCONSOLE_ENCRYPTION_KEYS.",
                        hint=(
                            "Put the key they were encrypted with back in "
                            "SMSCONSOLE_ENCRYPTION_KEYS (after the new one), run "
                            "`python manage.py rotate_keys`, then remove the old key."
                        ),
                        id="smsconsole.E002",
                    )
                )
    return errors
