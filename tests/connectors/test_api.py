"""Connectors REST API: the contract of issue 2, errors as JSON, the password never answered."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.models import Connector
from connectors.providers import all_providers
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db
SECRET = "s3cret-Pa55word"  # ConnectorFactory's password
CONNECTOR_FIELDS = {
    "id",
    "name",
    "provider",
    "priority",
    "is_active",
    "username",
    "sender_list",
    "options",
    "max_in_flight",
    "health",
    "receipt_url",
    "sends_receipts",
    "created_at",
    "updated_at",
    # Routing and cost (issue 14): added, nothing renamed.
    "destinations",
    "iys_checked_by_account",
    "price_per_segment",
    "country_prices",
    "promotional_titles",
}


def _payload(**overrides) -> dict:
    data = {
        "name": "Jet SMS main",
        "provider": "jetsms",
        "username": "acme",
        "password": "api-Secret-1",
        "sender_list": ["ACME", "ACMEINFO"],
        "options": {"base_url": "http://127.0.0.1:9", "timeout_seconds": 5},
    }
    return {**data, **overrides}


def _url(connector=None) -> str:
    return "/api/v1/connectors/" if connector is None else f"/api/v1/connectors/{connector.pk}/"


def test_list_answers_connectors_in_priority_order_with_the_contract_fields(api):
    ConnectorFactory(name="Second", priority=20)
    ConnectorFactory(name="First", priority=10)
    response = api.get(_url())
    rows = response.json()
    assert response.status_code == 200
    assert [row["name"] for row in rows] == ["First", "Second"]
    assert set(rows[0]) == CONNECTOR_FIELDS
    assert set(rows[0]["health"]) == {
        "state",
        "consecutive_failures",
        "last_error",
        "tripped_until",
    }


def test_create_stores_the_connector_with_provider_defaults(api):
    response = api.post(_url(), _payload(), format="json")
    body = response.json()
    connector = Connector.objects.get(pk=body["id"])
    assert response.status_code == 201
    assert body["priority"] == all_providers()["jetsms"].default_priority
    assert body["is_active"] is True
    assert body["health"]["state"] == "ok"
    assert connector.password == "api-Secret-1"


def test_detail_answers_one_connector(api):
    connector = ConnectorFactory(name="Only")
    response = api.get(_url(connector))
    assert response.status_code == 200
    assert response.json()["name"] == "Only"


PASSWORD_PATCHES = [
    pytest.param(
        {"name": "Renamed", "password": ""},
        {"name": "Renamed", "password": SECRET},
        id="blank password keeps the stored one",
    ),
    pytest.param(
        {"username": "other"},
        {"username": "other", "password": SECRET},
        id="no password keeps the stored one",
    ),
    pytest.param(
        {"password": "n3w-Secret"}, {"password": "n3w-Secret"}, id="new password replaces it"
    ),
]


@pytest.mark.parametrize(("patch", "stored"), PASSWORD_PATCHES)
def test_patch_password(api, patch, stored):
    connector = ConnectorFactory()
    response = api.patch(_url(connector), patch, format="json")
    connector.refresh_from_db()
    assert response.status_code == 200
    assert {name: getattr(connector, name) for name in stored} == stored


@pytest.fixture
def collector():
    """An HTTP server that records every request it gets: a host that should never see a secret."""
    received: list[bytes] = []

    class Record(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            received.append(self.path.encode() + self.rfile.read(length))
            self.send_response(200)
            self.end_headers()

        do_GET = do_POST

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def test_patch_to_a_new_host_without_the_password_answers_400_naming_it(api):
    connector = ConnectorFactory()
    response = api.patch(
        _url(connector), {"options": {"base_url": "http://localhost:9"}}, format="json"
    )
    connector.refresh_from_db()
    assert response.status_code == 400
    assert "Enter the password again" in response.json()["fields"]["password"][0]
    assert connector.options["base_url"] == "http://127.0.0.1:9"


def test_connection_test_after_a_refused_move_never_reaches_the_new_host(api, collector):
    new_host, received = collector
    connector = ConnectorFactory(options={"base_url": "http://127.0.0.1:9", "timeout_seconds": 2})
    api.patch(_url(connector), {"options": {"base_url": new_host}}, format="json")
    api.post(f"{_url(connector)}test/")
    assert received == []


def test_patch_to_a_new_host_with_the_password_moves_the_connector(api, collector):
    new_host, received = collector
    connector = ConnectorFactory()
    response = api.patch(
        _url(connector),
        {"options": {"base_url": new_host}, "password": "m0ved-Secret"},
        format="json",
    )
    api.post(f"{_url(connector)}test/")
    assert response.status_code == 200
    assert SECRET.encode() not in b"".join(received)
    assert b"m0ved-Secret" in b"".join(received)


def test_patch_priority_reorders_the_list(api):
    first = ConnectorFactory(name="A", priority=10)
    ConnectorFactory(name="B", priority=20)
    api.patch(_url(first), {"priority": 30}, format="json")
    names = [row["name"] for row in api.get(_url()).json()]
    assert names == ["B", "A"]


def test_patch_is_active_toggles_the_connector(api):
    connector = ConnectorFactory(is_active=True)
    response = api.patch(_url(connector), {"is_active": False}, format="json")
    connector.refresh_from_db()
    assert response.json()["is_active"] is False
    assert connector.is_active is False


def test_delete_removes_the_connector(api):
    connector = ConnectorFactory()
    response = api.delete(_url(connector))
    assert response.status_code == 204
    assert not Connector.objects.filter(pk=connector.pk).exists()


def test_test_endpoint_answers_the_check_result(api):
    connector = ConnectorFactory(options={"base_url": "http://127.0.0.1:9", "timeout_seconds": 2})
    response = api.post(f"{_url(connector)}test/")
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"ok", "detail", "balance", "checked_at"}
    assert body["ok"] is False
    assert body["detail"]
    assert body["checked_at"]


def test_no_response_contains_the_password(api):
    connector = ConnectorFactory()
    bodies = [
        api.get(_url()).content,
        api.get(_url(connector)).content,
        api.patch(_url(connector), {"name": "Renamed"}, format="json").content,
        api.patch(_url(connector), {"password": "patched-Secret"}, format="json").content,
        api.post(_url(), _payload(password="created-Secret"), format="json").content,
        api.post(f"{_url(connector)}test/").content,
    ]
    for body in bodies:
        assert b'"password"' not in body
        for secret in (SECRET, "patched-Secret", "created-Secret"):
            assert secret.encode() not in body


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            _payload(sender_list=["ACME", "ACMEPROMOTIONS"]),
            "sender_list",
            "Sender title 'ACMEPROMOTIONS' is 14 characters long; at most 11 are allowed.",
        ),
        (_payload(sender_list=[]), "sender_list", "This list may not be empty."),
        (_payload(provider="nosuch"), "provider", "Unknown provider 'nosuch'."),
        (_payload(name=""), "name", "This field may not be blank."),
        (_payload(password=""), "password", "Enter the"),
        (
            _payload(options={"base_url": "http://example.com"}),
            "options.base_url",
            "Use an https:// URL. Plain http is only allowed to the hosts in",
        ),
        (_payload(options={"colour": "blue"}), "options", "Unknown option(s) for Jet SMS: colour."),
        (_payload(priority=-1), "priority", "Ensure this value is greater than or equal to 0."),
    ],
    ids=[
        "sender-too-long",
        "no-sender",
        "unknown-provider",
        "blank-name",
        "no-password",
        "http-to-another-host",
        "unknown-option",
        "negative-priority",
    ],
)
def test_create_with_bad_input_answers_400_with_field_messages(api, payload, field, message):
    response = api.post(_url(), payload, format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["status"] == 400
    assert body["error"]
    assert any(message in text for text in body["fields"][field]), body
    assert not Connector.objects.exists()


def test_patch_with_a_too_long_sender_title_changes_nothing(api):
    connector = ConnectorFactory(name="Before")
    response = api.patch(
        _url(connector), {"name": "After", "sender_list": ["TOOLONGSENDERTITLE"]}, format="json"
    )
    connector.refresh_from_db()
    assert response.status_code == 400
    assert "at most 11 are allowed" in response.json()["fields"]["sender_list"][0]
    assert connector.name == "Before"


def test_sender_list_given_as_a_string_is_refused(api):
    connector = ConnectorFactory()
    response = api.patch(_url(connector), {"sender_list": "ACME"}, format="json")
    assert response.status_code == 400
    assert "sender_list" in response.json()["fields"]


def test_malformed_json_answers_400_as_json(api):
    response = api.generic("POST", _url(), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert "JSON" in response.json()["error"]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("patch", ""), ("delete", ""), ("post", "test/")],
    ids=["get", "patch", "delete", "test"],
)
def test_unknown_connector_answers_404_as_json(api, method, suffix):
    response = getattr(api, method)(f"/api/v1/connectors/999999/{suffix}", format="json")
    assert response.status_code == 404
    assert response.json() == {"error": response.json()["error"], "status": 404}


def test_method_not_allowed_answers_405_as_json(api):
    response = api.put(_url(), {}, format="json")
    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_providers_lists_slugs_labels_and_limits_in_priority_order(api):
    response = api.get("/api/v1/providers/")
    providers = {row["slug"]: row for row in response.json()}
    assert response.status_code == 200
    assert list(providers) == list(all_providers())
    assert providers["iletimerkezi"]["fields"]["username"] == "API key"
    assert providers["iletimerkezi"]["fields"]["password"] == "API hash"
    assert providers["josms"]["fields"]["username"] == "Account name"
    assert providers["josms"]["fields"]["password"] == "Account password"
    assert providers["jetsms"]["limits"]["max_sender_length"] == 11
    assert "base_url" in providers["jetsms"]["fields"]["options"]


@pytest.mark.parametrize(
    ("slug", "priority"),
    [("iletimerkezi", 10), ("jetsms", 60), ("josms", 80)],
    ids=["iletimerkezi", "jetsms", "josms"],
)
def test_providers_have_the_documented_default_priority(api, slug, priority):
    providers = {row["slug"]: row for row in api.get("/api/v1/providers/").json()}
    assert providers[slug]["default_priority"] == priority
