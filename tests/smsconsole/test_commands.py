"""Management commands of the console: create_api_key, seed_demo."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from core.models import ApiKey

pytestmark = pytest.mark.django_db


def test_create_api_key_prints_a_working_key_as_the_last_line():
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("create_api_key", "CRM", stdout=stdout, stderr=stderr)
    key = stdout.getvalue().strip().splitlines()[-1]
    response = APIClient().get("/api/v1/connectors/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert ApiKey.objects.get().name == "CRM"
    assert "cannot be shown again" in stderr.getvalue()


def test_create_api_key_needs_a_name():
    with pytest.raises(CommandError, match="Give the API key a name"):
        call_command("create_api_key", " ", stdout=io.StringIO(), stderr=io.StringIO())


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_seed_demo_twice_changes_nothing(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "demo-Password-1")
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    first = _row_counts()
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert _row_counts() == first
    assert get_user_model().objects.get(username="admin").check_password("demo-Password-1")


def test_seed_demo_prints_a_generated_admin_password_once(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=first, stderr=io.StringIO())
    call_command("seed_demo", stdout=second, stderr=io.StringIO())
    password = first.getvalue().split("admin / ", 1)[1].split()[0]
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert password not in second.getvalue()
