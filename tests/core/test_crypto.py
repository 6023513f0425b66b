"""Secrets at rest: the column holds Fernet ciphertext, and keys can be rotated without loss."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from connectors.models import Connector
from core import crypto
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def _raw_column(connector: Connector, column: str = "password") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM connectors_connector WHERE id = %s", [connector.pk])
        return cursor.fetchone()[0]


def test_password_column_holds_ciphertext_not_the_password():
    connector = ConnectorFactory(password="plain-Secret-123")
    stored = _raw_column(connector)
    assert "plain-Secret-123" not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert Connector.objects.get(pk=connector.pk).password == "plain-Secret-123"


def test_session_token_column_holds_ciphertext_too():
    connector = ConnectorFactory(session_token="bearer-token-xyz")
    assert "bearer-token-xyz" not in _raw_column(connector, "session_token")
    assert Connector.objects.get(pk=connector.pk).session_token == "bearer-token-xyz"


def test_same_password_encrypts_differently_each_time():
    first = ConnectorFactory(password="same-Secret")
    second = ConnectorFactory(password="same-Secret")
    assert _raw_column(first) != _raw_column(second)


def test_rotating_keys_keeps_old_rows_readable_and_old_key_can_go(settings):
    settings.SMSCONSOLE_ENCRYPTION_KEYS = [OLD_KEY]
    connector = ConnectorFactory(password="rotate-Me-123", session_token="token-abc")
    made_with_old_key = _raw_column(connector)

    settings.SMSCONSOLE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert Connector.objects.get(pk=connector.pk).password == "rotate-Me-123"
    output = io.StringIO()
    call_command("rotate_keys", stdout=output)
    assert "Re-encrypted the secrets of 1 row(s)" in output.getvalue()
    rotated = _raw_column(connector)
    assert rotated != made_with_old_key
    assert Fernet(NEW_KEY.encode()).decrypt(rotated.encode()) == b"rotate-Me-123"

    settings.SMSCONSOLE_ENCRYPTION_KEYS = [NEW_KEY]
    reloaded = Connector.objects.get(pk=connector.pk)
    assert reloaded.password == "rotate-Me-123"
    assert reloaded.session_token == "token-abc"


def test_row_made_with_a_removed_key_fails_with_a_clear_message(settings):
    settings.SMSCONSOLE_ENCRYPTION_KEYS = [OLD_KEY]
    connector = ConnectorFactory()
    settings.SMSCONSOLE_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(ValueError, match=r"was a key removed before `manage\.py rotate_keys` ran"):
        Connector.objects.get(pk=connector.pk)


def test_empty_secret_is_stored_empty():
    connector = ConnectorFactory(session_token="")
    assert _raw_column(connector, "session_token") == ""


def test_newest_key_encrypts(settings):
    settings.SMSCONSOLE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    token = crypto.encrypt("hello")
    assert Fernet(NEW_KEY.encode()).decrypt(token.encode()) == b"hello"
