"""API keys and status callbacks: a default callback URL per key and the secret that signs them."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from core.models import ApiKey, AuditEntry
from core.services import api_key_create, hash_api_key

pytestmark = pytest.mark.django_db


def test_settings_page_creates_a_key_with_a_default_callback_url_and_shows_its_secret_once(console):
    response = console.post(
        reverse("api-key-create"),
        {"name": "CRM", "scopes": ["admin"], "callback_url": "https://crm.example.com/sms-events"},
    )

    html = response.content.decode()
    api_key = ApiKey.objects.get(name="CRM")
    assert api_key.callback_url == "https://crm.example.com/sms-events"
    assert len(api_key.callback_secret) >= 40
    secret = re.search(r'id="issued-callback-secret"[^>]*>([^<]+)<', html).group(1)
    assert secret == api_key.callback_secret
    later = console.get(reverse("settings")).content.decode()
    row = later.split(f'id="api-key-{api_key.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "https://crm.example.com/sms-events" in row
    assert api_key.callback_secret not in later


def test_callback_secret_is_stored_encrypted():
    issued = api_key_create(name="crm")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT callback_secret FROM smsconsole_apikey WHERE id = %s", [issued.api_key.pk]
        )
        (stored,) = cursor.fetchone()
    assert stored
    assert issued.api_key.callback_secret not in stored


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://crm.example.com/hook", "Use an https:// URL"),
        ("https://192.168.1.10/hook", "a private address"),
    ],
)
def test_settings_page_refuses_a_callback_url_the_outbound_policy_refuses(console, url, says):
    response = console.post(
        reverse("api-key-create"), {"name": "CRM", "scopes": ["admin"], "callback_url": url}
    )

    assert response.status_code == 400
    assert says in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_creator_may_see_the_callback_secret_again_and_it_is_audited(client, key_manager):
    own = api_key_create(name="scoped", created_by=key_manager)
    client.force_login(key_manager)

    response = client.post(reverse("api-key-callback-secret", args=[own.api_key.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="revealed-callback-secret"[^>]*>([^<]+)<', html).group(1) == (
        own.api_key.callback_secret
    )
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="reveal_secret", target_id=str(own.api_key.pk)).exists()


def test_others_may_not_see_a_keys_callback_secret(client, key_manager, user):
    others = api_key_create(name="scoped", created_by=user)
    client.force_login(key_manager)

    response = client.post(reverse("api-key-callback-secret", args=[others.api_key.pk]))

    assert response.status_code == 403
    assert others.api_key.callback_secret not in response.content.decode()
    assert not AuditEntry.objects.filter(action="reveal_secret").exists()


def test_admin_edits_the_default_callback_url_but_never_shows_the_secret(console, issued_api_key):
    change = reverse("admin:smsconsole_apikey_change", args=[issued_api_key.api_key.pk])
    assert issued_api_key.api_key.callback_secret not in console.get(change).content.decode()

    refused = console.post(change, {"name": "tests", "callback_url": "https://10.1.2.3/x"})
    saved = console.post(change, {"name": "tests", "callback_url": "https://crm.example.com/e"})

    assert refused.status_code == 200
    assert "a private address" in refused.content.decode()
    assert saved.status_code == 302
    issued_api_key.api_key.refresh_from_db()
    assert issued_api_key.api_key.callback_url == "https://crm.example.com/e"


def test_create_api_key_command_takes_a_callback_url():
    call_command(
        "create_api_key", "crm", "--callback-url", "https://crm.example.com/e", stdout=io.StringIO(),
        stderr=io.StringIO(),
    )  # fmt: skip

    assert ApiKey.objects.get(name="crm").callback_url == "https://crm.example.com/e"


@pytest.mark.django_db(transaction=True)
def test_keys_made_before_callbacks_existed_get_a_callback_secret():
    executor = MigrationExecutor(connection)
    executor.migrate([("smsconsole", "0007_shared_cache_table")])
    old_apps = executor.loader.project_state([("smsconsole", "0007_shared_cache_table")]).apps
    old_apps.get_model("smsconsole", "ApiKey").objects.create(
        name="old", prefix="smsc_old", key_hash=hash_api_key("smsc_old-key")
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert len(ApiKey.objects.get(name="old").callback_secret) >= 40


def test_making_a_key_audits_its_callback_url_without_query_values():
    api_key_create(name="crm", callback_url="https://crm.example.com/e?token=s3cr3t-t0ken")

    entry = AuditEntry.objects.get(target_type="smsconsole.apikey")
    assert entry.changes["callback_url"] == [None, "https://crm.example.com/e?token=***"]
