"""Deployment: `check --deploy` is clean in production, console pages carry the CSP, sign-in is
throttled, sessions expire, and API keys and receiver tokens never reach a log."""

import logging
import os
import shlex
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from django.contrib.sessions.models import Session
from django.utils import timezone

from bench.harness import free_port, product_env, wait_for_port
from inbox.services import receive_connector_create

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
CONSOLE_PAGES = ["/dashboard/", "/messages/", "/compose/", "/inbox/", "/connectors/", "/settings/"]


def test_check_deploy_has_no_warnings_in_production(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMSCONSOLE_"))},
        "DJANGO_SETTINGS_MODULE": "smsconsole.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_DEBUG": "off",
        "DJANGO_SECRET_KEY": Fernet.generate_key().decode() + Fernet.generate_key().decode(),
        "SMSCONSOLE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "sms.example.com",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://sms.example.com",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_console_pages_carry_the_content_security_policy(console, path):
    answer = console.get(path)

    assert answer.status_code == 200
    policy = answer["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


@pytest.mark.django_db
def test_sign_in_is_locked_at_the_fifth_failure_even_for_the_right_password(client, user):
    for _ in range(4):
        failed = client.post("/login/", {"username": user.username, "password": "wrong"})
        assert failed.status_code == 200  # the form again, with its error
    fifth = client.post("/login/", {"username": user.username, "password": "wrong"})

    locked = client.post("/login/", {"username": user.username, "password": PASSWORD})

    assert fifth.status_code == 429
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/messages/").status_code == 302


@pytest.mark.django_db
def test_four_failures_do_not_lock_the_right_password_out(client, user):
    for _ in range(4):
        client.post("/login/", {"username": user.username, "password": "wrong"})

    signed_in = client.post("/login/", {"username": user.username, "password": PASSWORD})

    assert signed_in.status_code == 302
    assert client.get("/messages/").status_code == 200


@pytest.mark.django_db
def test_session_expires_after_the_configured_age(client, user, settings):
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    session = Session.objects.get()
    lifetime = session.expire_date - timezone.now()
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < lifetime
    assert lifetime <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert client.get("/messages/").status_code == 200

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert client.get("/messages/").status_code == 302


@pytest.mark.django_db
def test_session_cookie_ends_with_the_browser(client, user):
    answer = client.post("/login/", {"username": user.username, "password": PASSWORD})

    cookie = answer.cookies["sessionid"]
    assert not cookie["max-age"]
    assert not cookie["expires"]
    assert cookie["httponly"]


@pytest.mark.django_db
def test_api_keys_and_receiver_tokens_never_reach_the_log(client, api, issued_api_key, caplog):
    receiver = receive_connector_create(name="jtel", receiver_numbers=["4912312300"])
    key, token = issued_api_key.key, receiver.token
    caplog.set_level(logging.DEBUG)

    api.post("/api/v1/messages/", {"to": "+905321234567", "text": "Merhaba"}, format="json")
    api.get("/api/v1/messages/?number=0532")
    api.post("/api/v1/messages/", {"to": "bad", "text": ""}, format="json")
    client.get("/api/v1/messages/", HTTP_X_API_KEY=key + "x")
    client.get("/api/v1/messages/", HTTP_AUTHORIZATION=f"Bearer {key}")
    form = {"receiver": "4912312300", "sender": "905321234567", "message": "Selam"}
    client.get("/SMSReceiver", {**form, "token": token})
    client.post("/SMSReceiver", {**form, "message": "İkinci", "token": token})
    client.post("/SMSReceiver", {**form, "message": "Yanlış", "token": token[:-1] + "0"})
    client.get("/SMSReceiver", {**form, "receiver": "999", "token": token})

    assert caplog.records, "the calls were logged at all"
    assert key not in caplog.text
    assert token not in caplog.text


def _procfile_web_command(port: int) -> list[str]:
    line = next(
        line.split(":", 1)[1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    return shlex.split(line.replace("$PORT", str(port)))


def test_the_access_log_of_make_run_never_holds_a_receiver_token(tmp_path):
    """gunicorn as the Procfile starts it logs every request line; tokens ride in query strings."""
    database = tmp_path / "db.sqlite3"
    env = product_env(f"sqlite:///{database}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                   check=True, timeout=300)  # fmt: skip
    token = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         "from inbox.services import receive_connector_create as c;"
         "print(c(name='jtel', receiver_numbers=['4912312300']).token)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    port = free_port()
    log = tmp_path / "access.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            _procfile_web_command(port), cwd=ROOT, env=env, stdout=output, stderr=output
        )
        try:
            wait_for_port(port)
            answer = requests.get(
                f"http://127.0.0.1:{port}/SMSReceiver",
                params={"receiver": "4912312300", "sender": "905321234567", "message": "Selam",
                        "token": token},
                timeout=30,
            )  # fmt: skip
        finally:
            server.terminate()
            server.wait(30)

    assert answer.status_code == 200
    assert "/SMSReceiver" in log.read_text(), "the request was logged"
    assert token not in log.read_text()
