"""API keys: the Settings page issues and revokes them; the API takes them in either header."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from smsconsole.models import ApiKey
from smsconsole.services import api_key_create, api_key_revoke, hash_api_key

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
    response = console.post(reverse("api-key-create"), {"name": "CRM integration"})
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
    response = console.post(reverse("api-key-create"), {"name": ""}, follow=True)
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
