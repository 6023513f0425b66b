"""Encryption at rest for provider secrets: Fernet keys from the environment, rotation supported."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    """The first key encrypts; every key decrypts, so old rows stay readable after a rotation."""
    return _fernet(tuple(settings.SMSCONSOLE_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    """Encrypt a string with the newest key."""
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a token made with any configured key."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "A stored secret cannot be decrypted with SMSCONSOLE_ENCRYPTION_KEYS; "
            "was a key removed before `manage.py rotate_keys` ran?"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key."""
    return fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column that holds Fernet ciphertext; Python code sees the plaintext."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
