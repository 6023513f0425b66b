"""Django admin for connectors: secrets never shown, the same rules as the console."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from connectors.models import Connector
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db
SECRET = "s3cret-Pa55word"  # ConnectorFactory's password


def _change_url(connector) -> str:
    return reverse("admin:connectors_connector_change", args=[connector.pk])


def _admin_data(connector=None, **overrides) -> dict:
    data = {
        "name": "Admin made",
        "provider": "josms",
        "priority": "30",
        "is_active": "on",
        "username": "acme",
        "new_password": "",
        "sender_list": json.dumps(["ACME"]),
        "options": json.dumps({"base_url": "http://127.0.0.1:9", "timeout_seconds": 5}),
        "max_in_flight": "16",
        "health_state": "ok",
        "consecutive_failures": "0",
        "last_error": "",
        "tripped_until_0": "",
        "tripped_until_1": "",
    }
    if connector is not None:
        data.update(name=connector.name, provider=connector.provider, username=connector.username)
    return {**data, **overrides}


def test_changelist_and_change_page_show_neither_password_nor_ciphertext(console):
    connector = ConnectorFactory(session_token="session-Token-9")
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM connectors_connector WHERE id = %s", [connector.pk])
        ciphertext = cursor.fetchone()[0]
    for url in (reverse("admin:connectors_connector_changelist"), _change_url(connector)):
        response = console.get(url)
        assert response.status_code == 200
        for secret in (SECRET, ciphertext, "session-Token-9"):
            assert secret.encode() not in response.content


def test_change_with_a_blank_password_keeps_the_stored_one(console):
    connector = ConnectorFactory()
    response = console.post(_change_url(connector), _admin_data(connector, name="Renamed"))
    connector.refresh_from_db()
    assert response.status_code == 302
    assert connector.name == "Renamed"
    assert connector.password == SECRET


def test_change_with_a_new_password_replaces_it(console):
    connector = ConnectorFactory()
    console.post(_change_url(connector), _admin_data(connector, new_password="admin-Secret"))
    connector.refresh_from_db()
    assert connector.password == "admin-Secret"


def test_change_to_a_new_host_needs_the_password_again(console):
    connector = ConnectorFactory(provider="josms")
    options = json.dumps({"base_url": "http://localhost:9", "timeout_seconds": 5})
    refused = console.post(_change_url(connector), _admin_data(connector, options=options))
    connector.refresh_from_db()
    assert refused.status_code == 200
    assert "password again: the connector" in refused.content.decode()
    assert connector.options["base_url"] == "http://127.0.0.1:9"
    data = _admin_data(connector, options=options, new_password="admin-Secret")
    assert console.post(_change_url(connector), data).status_code == 302


def test_add_needs_a_password_and_stores_it_encrypted(console):
    add = reverse("admin:connectors_connector_add")
    refused = console.post(add, _admin_data())
    assert refused.status_code == 200
    assert not Connector.objects.exists()
    console.post(add, _admin_data(new_password="first-Secret"))
    assert Connector.objects.get().password == "first-Secret"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sender_list": json.dumps(["TOOLONGSENDER"])}, "at most 11 are allowed"),
        ({"options": json.dumps({"base_url": "http://example.com"})}, "Use an https:// URL"),
    ],
    ids=["sender-too-long", "http-to-another-host"],
)
def test_change_is_checked_by_the_console_rules(console, overrides, message):
    connector = ConnectorFactory(name="Before")
    response = console.post(
        _change_url(connector), _admin_data(connector, name="After", **overrides)
    )
    connector.refresh_from_db()
    assert response.status_code == 200
    assert message in response.content.decode()
    assert connector.name == "Before"
