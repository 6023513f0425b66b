import json

import pytest
from django.urls import reverse

from connectors.services import (
    connector_create,
    connector_delete,
    connector_move,
    connector_reorder,
    connector_set_active,
    connector_update,
)
from inbox.services import (
    optout_create,
    optout_delete,
    receive_connector_create,
    receive_connector_delete,
    receive_connector_regenerate_token,
    receive_connector_update,
)
from smsconsole.audit import audit_changes
from smsconsole.models import AuditEntry
from smsconsole.services import api_key_create, api_key_revoke
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
def test_connector_reorder_records_each_moved_connector():
    first, second, third = (ConnectorFactory(priority=p) for p in (10, 20, 30))
    connector_reorder(connector_ids=[third.pk, first.pk, second.pk])
    assert AuditEntry.objects.filter(action="reorder").count() == 3


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
def test_optout_add_and_remove_are_recorded():
    optout = optout_create(number="+905321234567", keyword="console")
    optout_create(number="+905321234567")  # already there: nothing changes, nothing recorded
    optout_delete(optout=optout)
    entries = AuditEntry.objects.filter(target_type="inbox.optout").order_by("id")
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
    entry = AuditEntry.objects.get(target_type="inbox.optout")
    assert (entry.action, entry.actor, entry.ip_address) == (
        "create",
        "sms:+905321234567",
        "192.0.2.44",
    )
