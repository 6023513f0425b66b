"""System checks of the console: a database encrypted under another key is an error naming
rotate_keys, never a traceback."""

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db
OTHER_KEY = Fernet.generate_key().decode()


def test_check_deploy_on_secrets_under_another_key_is_an_error_naming_rotate_keys(settings):
    ConnectorFactory()
    settings.SMSCONSOLE_ENCRYPTION_KEYS = [OTHER_KEY]
    with pytest.raises(SystemCheckError, match="rotate_keys"):
        call_command("check", "--deploy")


def test_secrets_under_another_key_give_one_error_per_column_and_no_exception(settings):
    ConnectorFactory(session_token="session-Token")
    settings.SMSCONSOLE_ENCRYPTION_KEYS = [OTHER_KEY]
    errors = [e for e in run_checks(include_deployment_checks=True) if e.id == "smsconsole.E002"]
    assert len(errors) == 2
    assert all("rotate_keys" in error.hint for error in errors)


def test_secrets_readable_with_an_older_key_are_fine(settings):
    ConnectorFactory()
    settings.SMSCONSOLE_ENCRYPTION_KEYS = [OTHER_KEY, *settings.SMSCONSOLE_ENCRYPTION_KEYS]
    assert not [e for e in run_checks() if e.id == "smsconsole.E002"]
