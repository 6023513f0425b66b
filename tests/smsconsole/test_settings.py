"""Settings: with DJANGO_DEBUG=off the app refuses the public development secrets, clearly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from smsconsole import settings as project_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "a-long-random-production-secret-key-for-the-test-0123456789abcdef"


def _start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Load the settings and set Django up in a fresh interpreter, as a server would."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMSCONSOLE_"))},
        "DJANGO_SETTINGS_MODULE": "smsconsole.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DJANGO_SECRET_KEY": project_settings.DEFAULT_SECRET_KEY},
            "DJANGO_DEBUG is off but DJANGO_SECRET_KEY is not set",
        ),
        (
            {
                "DJANGO_SECRET_KEY": GOOD_SECRET,
                "SMSCONSOLE_ENCRYPTION_KEYS": project_settings.DEFAULT_ENCRYPTION_KEY,
            },
            "DJANGO_DEBUG is off but SMSCONSOLE_ENCRYPTION_KEYS is not set",
        ),
        (
            {
                "DJANGO_SECRET_KEY": GOOD_SECRET,
                "SMSCONSOLE_ENCRYPTION_KEYS": (
                    f"{Fernet.generate_key().decode()},{project_settings.DEFAULT_ENCRYPTION_KEY}"
                ),
            },
            "still holds the development key",
        ),
    ],
    ids=["default-secret-key", "default-encryption-key", "development-key-kept-for-decrypting"],
)
def test_production_refuses_to_start_on_a_development_secret(tmp_path, env, message):
    result = _start(tmp_path, DJANGO_DEBUG="off", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "started" not in result.stdout


def test_production_starts_with_its_own_secrets(tmp_path):
    result = _start(
        tmp_path,
        DJANGO_DEBUG="off",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        SMSCONSOLE_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_development_starts_without_any_variable(tmp_path):
    result = _start(tmp_path)
    assert result.returncode == 0, result.stderr


def test_csp_forbids_inline_scripts_and_styles():
    directives = project_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]


@pytest.mark.django_db
def test_pages_are_sent_with_the_content_security_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
