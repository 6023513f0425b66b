import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.services import (
    connector_create,
    connector_delete,
    connector_move,
    connector_set_active,
    connector_update,
)
from core.audit import audit_changes
from core.models import AuditEntry
from core.services import api_key_create, api_key_revoke
from inbox.services import (
    receive_connector_create,
    receive_connector_delete,
    receive_connector_regenerate_token,
    receive_connector_update,
)
from messaging.services import optout_create, optout_delete
from tests.factories import ConnectorFactory

PASSWORD = "first-Secret-pw1"
NEW_PASSWORD = "second-Secret-pw2"


def connector_fields(**overrides):
    return {
        "name": "Jet main",
        "provider": "jetsms",
        "username": "acme",
        "password": PASSWORD,
        "sender_list": ["ACME"],
        "options": {"base_url": "http://127.0.0.1:9", "timeout_seconds": 5},
        "priority": 10,
        **overrides,
    }


def all_audit_json() -> str:
    return json.dumps(list(AuditEntry.objects.values()), default=str)


def test_audit_changes_lists_only_differing_fields():
    before = {"name": "A", "priority": 10, "password": "x"}
    after = {"name": "B", "priority": 10, "password": "y"}
    assert audit_changes(before, after, secret_fields=["password"]) == {
        "name": ["A", "B"],
        "password": "changed",
    }


def test_audit_changes_of_a_new_object_has_no_old_values():
    assert audit_changes({}, {"name": "A"}) == {"name": [None, "A"]}


@pytest.mark.django_db
def test_service_outside_a_request_is_recorded_as_system():
    connector = connector_create(**connector_fields())
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.user, entry.ip_address) == ("system", None, None)
    assert (entry.action, entry.target_type, entry.target_id) == (
        "create",
        "connectors.connector",
        str(connector.pk),
    )
    assert entry.target_label == "Jet main"
    assert entry.changes["name"] == [None, "Jet main"]
    assert entry.changes["password"] == "changed"


@pytest.mark.django_db
def test_connector_update_records_old_and_new_values_and_password_only_as_changed():
    connector = connector_create(**connector_fields())
    connector_update(connector=connector, name="Jet backup", priority=20, password=NEW_PASSWORD)
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes == {
        "name": ["Jet main", "Jet backup"],
        "priority": [10, 20],
        "password": "changed",
    }


@pytest.mark.django_db
def test_connector_update_that_changes_nothing_is_not_recorded():
    connector = connector_create(**connector_fields())
    connector_update(connector=connector, name="Jet main", password="")
    assert not AuditEntry.objects.filter(action="update").exists()


@pytest.mark.django_db
def test_connector_set_active_records_the_switch():
    connector = ConnectorFactory(is_active=True)
    connector_set_active(connector=connector, is_active=False)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes) == ("update", {"is_active": [True, False]})


@pytest.mark.django_db
def test_connector_delete_records_the_id_and_last_values():
    connector = ConnectorFactory(name="Old one")
    connector_id = connector.pk
    connector_delete(connector=connector)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target_id, entry.target_label) == (
        "delete",
        str(connector_id),
        "Old one",
    )
    assert entry.changes["name"] == ["Old one", None]


@pytest.mark.django_db
def test_connector_move_records_both_priority_changes():
    first, second = ConnectorFactory(priority=10), ConnectorFactory(priority=20)
    connector_move(connector=second, direction="up")
    changes = {e.target_id: e.changes for e in AuditEntry.objects.filter(action="reorder")}
    assert changes == {
        str(first.pk): {"priority": [10, 20]},
        str(second.pk): {"priority": [20, 10]},
    }


@pytest.mark.django_db
def test_api_key_create_and_revoke_are_recorded_without_the_key():
    issued = api_key_create(name="CRM")
    api_key_revoke(api_key=issued.api_key)
    assert list(AuditEntry.objects.order_by("id").values_list("action", "target_type")) == [
        ("create", "smsconsole.apikey"),
        ("revoke", "smsconsole.apikey"),
    ]
    assert issued.key not in all_audit_json()
    assert issued.api_key.key_hash not in all_audit_json()


@pytest.mark.django_db
def test_console_change_records_user_and_client_ip(console, user):
    connector = ConnectorFactory(is_active=True)
    console.post(reverse("connectors:toggle", args=[connector.pk]), REMOTE_ADDR="203.0.113.7")
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.actor, entry.ip_address) == (user, user.username, "203.0.113.7")
    assert timezone.now() - entry.created_at < timedelta(seconds=10)


@pytest.mark.django_db
def test_api_key_change_records_the_key_prefix_as_actor(api, issued_api_key):
    response = api.post(
        reverse("api-connector-list"),
        connector_fields(sender_list=["ACME"]),
        format="json",
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 201, response.content
    entry = AuditEntry.objects.filter(target_type="connectors.connector").get()
    assert entry.actor == f"api-key:{issued_api_key.api_key.prefix}"
    assert (entry.user, entry.ip_address) == (None, "198.51.100.20")


@pytest.mark.django_db
def test_no_connector_password_reaches_the_audit_log(console):
    connector = connector_create(**connector_fields())
    connector_update(connector=connector, password=NEW_PASSWORD, username="acme2")
    connector_delete(connector=connector)
    stored = all_audit_json()
    assert PASSWORD not in stored
    assert NEW_PASSWORD not in stored


@pytest.mark.django_db
def test_receive_connector_changes_are_recorded_without_the_token():
    connector = receive_connector_create(name="Turkcell replies", receiver_numbers=["4500"])
    first_token = connector.token
    receive_connector_update(
        connector=connector, receiver_numbers=["4500", "4501"], routing="inbox"
    )
    receive_connector_regenerate_token(connector=connector)
    second_token = connector.token
    receive_connector_delete(connector=connector)
    entries = list(AuditEntry.objects.filter(target_type="inbox.receiveconnector").order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "regenerate_token", "delete"]
    assert entries[0].changes["receiver_numbers"] == [None, ["4500"]]
    assert entries[1].changes == {"receiver_numbers": [["4500"], ["4500", "4501"]]}
    assert entries[2].changes == {"token": "changed"}
    stored = all_audit_json()
    assert first_token not in stored
    assert second_token not in stored


@pytest.mark.django_db
def test_forward_url_is_recorded_without_its_query_values():
    connector = receive_connector_create(name="Webhook", receiver_numbers=["4600"])
    receive_connector_update(
        connector=connector,
        routing="forward",
        forward_url="https://hooks.example.com/sms?token=s3cr3t-hook&v=2",
    )

    entry = AuditEntry.objects.filter(target_type="inbox.receiveconnector", action="update").get()
    assert entry.changes["forward_url"][1] == "https://hooks.example.com/sms?token=***&v=***"
    assert "s3cr3t-hook" not in all_audit_json()


@pytest.mark.django_db
def test_optout_add_and_remove_are_recorded():
    optout = optout_create(number="+905321234567", keyword="console")
    optout_create(number="+905321234567")  # already there: nothing changes, nothing recorded
    optout_delete(optout=optout)
    entries = AuditEntry.objects.filter(target_type="messaging.optout").order_by("id")
    assert [(e.action, e.target_label) for e in entries] == [
        ("create", "+905321234567"),
        ("delete", "+905321234567"),
    ]


@pytest.mark.django_db
def test_stop_word_optout_is_recorded_as_the_sending_phone(client):
    receive_connector_create(name="jtel", receiver_numbers=["49123123"], require_token=False)
    response = client.get(
        "/SMSReceiver",
        {"sender": "905321234567", "receiver": "49123123", "message": "STOP"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.get(target_type="messaging.optout")
    assert (entry.action, entry.actor, entry.ip_address) == (
        "create",
        "sms:+905321234567",
        "192.0.2.44",
    )


@pytest.fixture
def audit_trail(db):
    """A few changes by different actors on different days and object types."""
    jet = ConnectorFactory(name="Jet main")
    issued = api_key_create(name="CRM")
    AuditEntry.objects.create(
        actor="ayse",
        action="update",
        target_type="connectors.connector",
        target_id=str(jet.pk),
        target_label="Jet main",
        changes={"sender_list": [["ACME"], ["ACME", "ACMEINFO"]]},
        created_at=timezone.now() - timedelta(days=3),
        ip_address="203.0.113.7",
    )
    AuditEntry.objects.create(
        actor="omar",
        action="delete",
        target_type="messaging.optout",
        target_id="9",
        target_label="+962791234567",
        changes={"keyword": ["STOP", None]},
    )
    return {"connector": jet, "api_key": issued.api_key}


def listed_labels(response) -> list[str]:
    return [entry.target_label for entry in response.context["page"].rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["+962791234567", "Jet main", "CRM ("]),
        ({"actor": "omar"}, ["+962791234567"]),
        ({"target_type": "connectors.connector"}, ["Jet main"]),
        ({"action": "delete"}, ["+962791234567"]),
        ({"q": "ACMEINFO"}, ["Jet main"]),
        ({"q": "crm"}, ["CRM ("]),
    ],
    ids=["all", "by-actor", "by-object-type", "by-action", "text-in-changes", "text-in-label"],
)
def test_audit_page_filters(console, audit_trail, query, expected):
    response = console.get(reverse("audit-log"), query)
    assert response.status_code == 200
    labels = listed_labels(response)
    assert len(labels) == len(expected)
    for label, start in zip(labels, expected, strict=True):
        assert label.startswith(start)


def test_audit_page_filters_by_date_range(console, audit_trail):
    three_days_ago = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = console.get(
        reverse("audit-log"), {"date_from": three_days_ago, "date_to": three_days_ago}
    )
    assert listed_labels(response) == ["Jet main"]


def test_audit_page_shows_one_objects_history(console, audit_trail):
    connector = audit_trail["connector"]
    connector_set_active(connector=connector, is_active=False)
    response = console.get(
        reverse("audit-log"),
        {"target_type": "connectors.connector", "target_id": str(connector.pk)},
    )
    assert [e.action for e in response.context["page"].rows] == ["update", "update"]


def test_audit_page_reports_a_reversed_date_range(console, audit_trail):
    response = console.get(
        reverse("audit-log"), {"date_from": "2026-02-02", "date_to": "2026-02-01"}
    )
    assert b"The end date is before the start date." in response.content


def test_audit_page_pages_by_id_without_counting(console, audit_trail):
    for number in range(60):
        optout_create(number=f"+90532000{number:04d}")
    first = console.get(reverse("audit-log"))
    older = first.context["page"].older
    assert len(first.context["page"].rows) == 50
    second = console.get(reverse("audit-log"), {"before": older})
    assert len(second.context["page"].rows) == 63 - 50
    assert second.context["page"].older is None


def test_audit_page_renders_changes_and_hides_secrets(console):
    connector = connector_create(**connector_fields())
    connector_update(connector=connector, password=NEW_PASSWORD, sender_list=["ACME", "ACMEINFO"])
    response = console.get(reverse("audit-log"))
    page = response.content.decode()
    assert "changed (value not recorded)" in page
    assert "ACME, ACMEINFO" in page
    assert PASSWORD not in page
    assert NEW_PASSWORD not in page


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_page_is_read_only(console, audit_trail, method):
    response = getattr(console, method)(reverse("audit-log"))
    assert response.status_code == 405
    assert AuditEntry.objects.count() == 3


def test_audit_page_requires_sign_in(client, db):
    response = client.get(reverse("audit-log"))
    assert response.status_code == 302


def test_admin_cannot_add_change_or_delete_audit_entries(console, audit_trail):
    entry = AuditEntry.objects.first()
    assert console.get(reverse("admin:smsconsole_auditentry_changelist")).status_code == 200
    assert console.get(reverse("admin:smsconsole_auditentry_add")).status_code == 403
    delete_url = reverse("admin:smsconsole_auditentry_delete", args=[entry.pk])
    assert console.post(delete_url, {"post": "yes"}).status_code == 403
    change_url = reverse("admin:smsconsole_auditentry_change", args=[entry.pk])
    console.post(change_url, {"actor": "someone else"})
    entry.refresh_from_db()
    assert entry.actor != "someone else"
