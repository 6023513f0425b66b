"""API keys: the Settings page issues and revokes them; the API takes them in either header."""

import io
import re

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import API_SCOPES, ApiKey, AuditEntry
from core.selectors import ACTIVE_API_KEYS
from core.services import api_key_create, api_key_revoke, hash_api_key

pytestmark = pytest.mark.django_db
CONNECTORS = "/api/v1/connectors/"


@pytest.mark.parametrize(
    "header",
    ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY", "HTTP_X_NETMERA_API_KEY"],
    ids=["authorization-bearer", "x-api-key", "x-netmera-api-key"],
)
def test_api_accepts_the_key_in_each_supported_header(issued_api_key, header):
    value = f"Bearer {issued_api_key.key}" if header == "HTTP_AUTHORIZATION" else issued_api_key.key
    response = APIClient().get(CONNECTORS, **{header: value})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [{}, {"HTTP_AUTHORIZATION": "Bearer smsc_not-a-real-key"}, {"HTTP_X_API_KEY": "smsc_nope"}],
    ids=["no-key", "unknown-bearer", "unknown-x-api-key"],
)
def test_api_without_a_valid_key_answers_401_as_json(credentials):
    response = APIClient().get(CONNECTORS, **credentials)
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_key_is_refused(issued_api_key):
    api_key_revoke(api_key=issued_api_key.api_key)
    response = APIClient().get(CONNECTORS, HTTP_AUTHORIZATION=f"Bearer {issued_api_key.key}")
    assert response.status_code == 401
    assert response.json()["error"] == "The API key is unknown or has been revoked."


def test_key_is_stored_only_as_its_hash(issued_api_key):
    stored = ApiKey.objects.values().get(pk=issued_api_key.api_key.pk)
    assert issued_api_key.key not in {str(value) for value in stored.values()}
    assert stored["key_hash"] == hash_api_key(issued_api_key.key)


def test_use_of_a_key_is_recorded(api, issued_api_key):
    api.get(CONNECTORS)
    issued_api_key.api_key.refresh_from_db()
    assert issued_api_key.api_key.last_used_at is not None


def test_signed_in_console_user_may_read_the_api(console):
    assert console.get(CONNECTORS).status_code == 200


def test_key_needs_a_name():
    with pytest.raises(ValueError, match="Give the API key a name"):
        api_key_create(name="  ")


def test_settings_page_creates_a_key_shows_it_once_and_it_works(console):
    response = console.post(
        reverse("api-key-create"), {"name": "CRM integration", "scopes": ["connectors:read"]}
    )
    html = response.content.decode()
    key = re.search(r'id="issued-key"[^>]*>([^<]+)<', html).group(1)
    assert response.status_code == 200
    assert "Copy it now" in html
    # A reload must show the settings page, not repeat the POST (which would make a second key).
    assert f'data-replace-url="{reverse("settings")}"' in html
    assert "no-store" in response["Cache-Control"]
    assert APIClient().get(CONNECTORS, HTTP_X_API_KEY=key).status_code == 200
    later = console.get(reverse("settings")).content.decode()
    assert key not in later
    assert key[:11] in later


def test_settings_page_refuses_a_key_without_a_name(console):
    response = console.post(reverse("api-key-create"), {"name": "", "scopes": ["admin"]})
    assert response.status_code == 400
    assert "Give the API key a name" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_settings_page_revokes_a_key(console, issued_api_key):
    response = console.post(
        reverse("api-key-revoke", args=[issued_api_key.api_key.pk]), follow=True
    )
    issued_api_key.api_key.refresh_from_db()
    assert issued_api_key.api_key.revoked_at is not None
    assert "is revoked" in response.content.decode()
    assert APIClient().get(CONNECTORS, HTTP_X_API_KEY=issued_api_key.key).status_code == 401


def test_settings_page_lists_keys_by_prefix_only(console, issued_api_key):
    html = console.get(reverse("settings")).content.decode()
    assert issued_api_key.api_key.prefix in html
    assert issued_api_key.key not in html
    assert issued_api_key.api_key.key_hash not in html


def test_admin_never_shows_a_key_or_its_hash(console, issued_api_key):
    change = reverse("admin:smsconsole_apikey_change", args=[issued_api_key.api_key.pk])
    for url in (reverse("admin:smsconsole_apikey_changelist"), change):
        body = console.get(url).content.decode()
        assert issued_api_key.key not in body
        assert issued_api_key.api_key.key_hash not in body


def test_openapi_schema_describes_the_connectors_api(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    assert response.status_code == 200
    assert {"/api/v1/connectors/", "/api/v1/connectors/{id}/", "/api/v1/providers/"} <= set(
        schema["paths"]
    )
    output = schema["components"]["schemas"]["ConnectorOutput"]["properties"]
    assert "password" not in output


def test_api_docs_render_from_local_assets_only(client):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert response.status_code == 200
    assert assets
    assert all(url.startswith(("/static/", "/api/docs/?")) for url in assets), assets
    script = client.get(next(url for url in assets if url.startswith("/api/docs/?")))
    assert script.status_code == 200
    assert '"/api/schema/"' in script.content.decode()
    assert "https://" not in script.content.decode()


def test_api_docs_have_no_inline_style_or_script_for_the_csp(client):
    html = client.get("/api/docs/").content.decode()
    assert "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None


# --- Scopes, client addresses, revoking --------------------------------------------------------


def _key(**fields):
    return api_key_create(name="scoped", **fields)


def test_a_key_without_scopes_given_has_full_access():
    assert _key().api_key.scopes == list(API_SCOPES)
    assert _key().api_key.has_full_access


def test_a_scoped_key_is_refused_outside_its_scope_naming_the_scope():
    issued = _key(scopes=["messages:read"])
    client = APIClient(HTTP_X_API_KEY=issued.key)
    refused = client.post("/api/v1/messages/", {"to": "+905321234567", "text": "Hi"}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {
        "error": 'This API key does not have the "messages:send" scope, which this operation needs.',
        "status": 403,
    }
    assert client.get("/api/v1/messages/").status_code == 200


@pytest.mark.parametrize(
    ("scopes", "problem"),
    [(["messages:send", "everything"], "Unknown scope everything"), ([], "at least one scope")],
    ids=["unknown", "none"],
)
def test_a_key_with_bad_scopes_is_not_made(scopes, problem):
    with pytest.raises(ValueError, match=problem):
        _key(scopes=scopes)
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("203.0.113.9", 200),
        ("198.51.100.1", 403),
        ("::ffff:203.0.113.9", 200),
        ("2001:db8::1", 403),
    ],
    ids=["inside", "outside", "ipv4-mapped-inside", "ipv6-outside"],
)
def test_a_key_limited_to_networks_is_refused_from_other_addresses(address, status):
    issued = _key(allowed_networks=["203.0.113.0/24", "192.0.2.7"])
    response = APIClient().get(CONNECTORS, HTTP_X_API_KEY=issued.key, REMOTE_ADDR=address)
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"].startswith(f"This API key may not be used from {address}")
    assert issued.api_key.allowed_networks == ["203.0.113.0/24", "192.0.2.7/32"]


def test_a_key_with_a_bad_network_is_not_made():
    with pytest.raises(ValueError, match=r"“10\.0\.0\.300/8” is not an address or a network"):
        _key(allowed_networks=["10.0.0.300/8"])
    assert not ApiKey.objects.exists()


def test_making_a_key_is_audited_with_its_scopes(user):
    issued = _key(scopes=["inbox"], allowed_networks=["10.0.0.0/8"], created_by=user)
    entry = AuditEntry.objects.get(target_type="smsconsole.apikey")
    assert entry.changes["scopes"] == [None, ["inbox"]]
    assert entry.changes["allowed_networks"] == [None, ["10.0.0.0/8"]]
    assert issued.key not in str(entry.changes)


def test_create_api_key_command_takes_scopes_and_networks_and_prints_the_key_last():
    stdout = io.StringIO()
    call_command(
        "create_api_key", "CRM", "--scope", "messages:send", "--scope", "messages:read",
        "--allow-from", "10.0.0.0/8", stdout=stdout, stderr=io.StringIO(),
    )  # fmt: skip
    key = stdout.getvalue().strip().splitlines()[-1]
    api_key = ApiKey.objects.get(key_hash=hash_api_key(key))
    assert api_key.scopes == ["messages:send", "messages:read"]
    assert api_key.allowed_networks == ["10.0.0.0/8"]


def test_create_api_key_command_refuses_an_unknown_scope():
    with pytest.raises(CommandError):
        call_command("create_api_key", "CRM", "--scope", "all", stderr=io.StringIO())


def test_settings_page_creates_a_scoped_key_limited_to_a_network_and_shows_both(console):
    console.post(
        reverse("api-key-create"),
        {"name": "Inbox bot", "scopes": ["inbox"], "allowed_networks": "10.0.0.0/8\n192.0.2.1"},
    )
    api_key = ApiKey.objects.get(name="Inbox bot")
    html = console.get(reverse("settings")).content.decode()
    row = html.split(f'id="api-key-{api_key.pk}"', 1)[1].split("</tr>", 1)[0]
    assert api_key.scopes == ["inbox"]
    assert '<span class="sender-chip mono" dir="ltr">inbox</span>' in row
    assert "10.0.0.0/8, 192.0.2.1/32" in row


def test_settings_page_refuses_a_bad_network_and_keeps_nothing(console):
    response = console.post(
        reverse("api-key-create"),
        {"name": "Bot", "scopes": ["inbox"], "allowed_networks": "somewhere"},
    )
    assert response.status_code == 400
    assert "“somewhere” is not an address or a network" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_user_cannot_revoke_a_key_someone_else_made(client, key_manager, user):
    issued = _key(created_by=user)
    client.force_login(key_manager)
    response = client.post(reverse("api-key-revoke", args=[issued.api_key.pk]))
    issued.api_key.refresh_from_db()
    assert response.status_code == 403
    assert "Only the person who created “scoped” or an Admin may revoke it" in (
        response.content.decode()
    )
    assert issued.api_key.revoked_at is None
    assert not AuditEntry.objects.filter(action="revoke").exists()


def test_the_creator_of_a_key_may_revoke_it_and_sees_no_revoke_button_on_others(
    client, key_manager, user
):
    own = _key(created_by=key_manager)
    others = _key(created_by=user)
    client.force_login(key_manager)
    html = client.get(reverse("settings")).content.decode()
    assert reverse("api-key-revoke", args=[own.api_key.pk]) in html
    assert reverse("api-key-revoke", args=[others.api_key.pk]) not in html

    client.post(reverse("api-key-revoke", args=[own.api_key.pk]))
    own.api_key.refresh_from_db()
    assert own.api_key.revoked_at is not None


def test_an_admin_may_revoke_a_key_someone_else_made(console, key_manager):
    issued = _key(created_by=key_manager)
    console.post(reverse("api-key-revoke", args=[issued.api_key.pk]))
    issued.api_key.refresh_from_db()
    assert issued.api_key.revoked_at is not None


@pytest.mark.django_db(transaction=True)
def test_keys_made_before_scopes_existed_keep_full_access():
    executor = MigrationExecutor(connection)
    executor.migrate([("smsconsole", "0005_dashboard_models_moved")])
    old_apps = executor.loader.project_state([("smsconsole", "0005_dashboard_models_moved")]).apps
    old_apps.get_model("smsconsole", "ApiKey").objects.create(
        name="old", prefix="smsc_old", key_hash=hash_api_key("smsc_old-key")
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    api_key = ApiKey.objects.get(name="old")
    assert api_key.scopes == list(API_SCOPES)
    assert APIClient().get(CONNECTORS, HTTP_X_API_KEY="smsc_old-key").status_code == 200


def test_a_key_revoked_after_use_is_refused_at_once(issued_api_key):
    assert APIClient().get(CONNECTORS, HTTP_X_API_KEY=issued_api_key.key).status_code == 200

    api_key_revoke(api_key=issued_api_key.api_key)

    assert APIClient().get(CONNECTORS, HTTP_X_API_KEY=issued_api_key.key).status_code == 401


def test_a_key_revoked_by_another_process_is_refused_here(issued_api_key):
    assert APIClient().get(CONNECTORS, HTTP_X_API_KEY=issued_api_key.key).status_code == 200
    ApiKey.objects.filter(pk=issued_api_key.api_key.pk).update(revoked_at=timezone.now())

    caches["shared"].set(ACTIVE_API_KEYS.generation_key, "another process saved a key")

    assert APIClient().get(CONNECTORS, HTTP_X_API_KEY=issued_api_key.key).status_code == 401


def test_a_known_key_is_not_read_from_the_database_again(issued_api_key):
    assert APIClient().get(CONNECTORS, HTTP_X_API_KEY=issued_api_key.key).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert APIClient().get(CONNECTORS, HTTP_X_API_KEY=issued_api_key.key).status_code == 200

    assert not [q for q in queries if ApiKey._meta.db_table in q["sql"]]
