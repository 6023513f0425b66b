from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEntry
from messaging.campaigns.models import Campaign, CampaignStatus, Template
from messaging.campaigns.services import template_create
from messaging.models import Message
from messaging.services import optout_create
from tests.campaigns.conftest import csv_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(idle_connector):
    return template_create(
        key="order-shipped",
        name="Order shipped",
        text="Hi {{first_name}}, order {{order}} shipped.",
    )


@pytest.fixture
def netmera(issued_api_key):
    client = APIClient()
    client.credentials(HTTP_X_NETMERA_API_KEY=issued_api_key.key)
    return client


def send(client, body):
    return client.post("/rest/3.0/sendNotification", body, format="json")


# -- sendNotification -----------------------------------------------------------------------------


def test_send_notification_to_one_msisdn_answers_202_with_message_ids(netmera, shipped):
    answer = send(
        netmera,
        {
            "notificationKey": "order-shipped",
            "target": {"msisdn": "+905321234567"},
            "params": {"first_name": "Ayşe", "order": "A-1"},
        },
    )
    assert answer.status_code == 202
    message = Message.objects.get(pk=answer.json()["messageIds"][0])
    assert (message.to, message.text) == ("+905321234567", "Hi Ayşe, order A-1 shipped.")


def test_send_notification_with_per_recipient_params(netmera, shipped):
    answer = send(
        netmera,
        {
            "notificationKey": "order-shipped",
            "params": {"order": "B-2"},
            "targets": [
                {"msisdn": "+905321234567", "params": {"first_name": "Ali"}},
                {"msisdn": "05321234568", "params": {"first_name": "Can", "order": "C-3"}},
            ],
        },
    )
    assert answer.status_code == 202
    texts = dict(
        Message.objects.filter(pk__in=answer.json()["messageIds"]).values_list("to", "text")
    )
    assert texts == {
        "+905321234567": "Hi Ali, order B-2 shipped.",
        "+905321234568": "Hi Can, order C-3 shipped.",
    }


def test_send_notification_to_msisdns_list(netmera, shipped):
    answer = send(
        netmera,
        {
            "notificationKey": "order-shipped",
            "target": {"msisdns": ["+905321234567", "+905321234568"]},
            "params": {"first_name": "X", "order": "1"},
        },
    )
    assert answer.status_code == 202
    assert len(answer.json()["messageIds"]) == 2


def test_send_notification_gives_every_message_the_callback_url_and_one_expiry(netmera, shipped):
    answer = send(
        netmera,
        {
            "notificationKey": "order-shipped",
            "target": {"msisdns": ["+905321234567", "+905321234568"]},
            "params": {"first_name": "X", "order": "1"},
            "callback_url": "https://crm.example.com/sms-events",
            "validity_seconds": 900,
        },
    )

    assert answer.status_code == 202
    messages = Message.objects.filter(pk__in=answer.json()["messageIds"])
    assert {m.callback_url for m in messages} == {"https://crm.example.com/sms-events"}
    (expires_at,) = {m.expires_at for m in messages}  # one expiry: they may share a bulk request
    assert timedelta(minutes=14) < expires_at - timezone.now() <= timedelta(minutes=15)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        pytest.param({"callback_url": "http://crm.example.com/"}, "callback_url", id="http"),
        pytest.param({"validity_seconds": 10}, "validity_seconds", id="short validity"),
        pytest.param({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at", id="past expiry"),
    ],
)
def test_send_notification_with_a_bad_callback_or_validity_sends_nothing(
    netmera, shipped, extra, field
):
    answer = send(
        netmera,
        {"notificationKey": "order-shipped", "target": {"msisdn": "+905321234567"}, **extra},
    )

    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert Message.objects.count() == 0


def test_send_notification_unknown_key_is_404(netmera, shipped):
    answer = send(netmera, {"notificationKey": "nope", "target": {"msisdn": "+905321234567"}})
    assert answer.status_code == 404
    assert "nope" in answer.json()["error"]


def test_send_notification_key_with_a_nul_byte_is_404_not_a_database_error(netmera, shipped):
    answer = send(netmera, {"notificationKey": "a\x00b", "target": {"msisdn": "+905321234567"}})
    assert answer.status_code == 404


def test_send_notification_lists_every_bad_number_and_sends_nothing(netmera, shipped):
    answer = send(
        netmera,
        {
            "notificationKey": "order-shipped",
            "params": {"first_name": "X", "order": "1"},
            "target": {"msisdns": ["+905321234567", "12345", "not a number"]},
        },
    )
    assert answer.status_code == 400
    fields = answer.json()["fields"]
    assert set(fields) == {"target.msisdns[1]", "target.msisdns[2]"}
    assert Message.objects.count() == 0


def test_send_notification_missing_placeholder_value_is_400(netmera, shipped):
    answer = send(
        netmera,
        {
            "notificationKey": "order-shipped",
            "target": {"msisdn": "+905321234567"},
            "params": {"first_name": "X"},
        },
    )
    assert answer.status_code == 400
    assert "{{order}}" in answer.json()["fields"]["params"][0]
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": {"msisdn": "+905321234567"}}, "notificationKey"),
        ({"notificationKey": "order-shipped"}, "target"),
        ({"notificationKey": "order-shipped", "target": {"msisdns": []}}, "target.msisdns"),
        ({"notificationKey": "order-shipped", "targets": "x"}, "targets"),
        (
            {
                "notificationKey": "order-shipped",
                "target": {"msisdn": "+905321234567"},
                "targets": [{"msisdn": "+905321234568"}],
            },
            "target",
        ),
    ],
    ids=["no-key", "no-target", "empty-msisdns", "targets-not-list", "target-and-targets"],
)
def test_send_notification_malformed_request_is_400(netmera, shipped, body, field):
    answer = send(netmera, body)
    assert answer.status_code == 400
    assert field in answer.json()["fields"]


def test_send_notification_needs_an_api_key(shipped):
    assert send(APIClient(), {"notificationKey": "order-shipped"}).status_code == 401


def test_send_notification_leaves_out_opted_out_numbers_of_commercial_templates(
    netmera, idle_connector
):
    template_create(key="sale", name="Sale", text="Sale!", kind="commercial")
    optout_create(number="+905321234568")
    answer = send(
        netmera,
        {"notificationKey": "sale", "target": {"msisdns": ["+905321234567", "+905321234568"]}},
    )
    assert answer.status_code == 202
    assert len(answer.json()["messageIds"]) == 1
    assert answer.json()["skipped"][0]["msisdn"] == "+905321234568"


# -- templates API --------------------------------------------------------------------------------


def test_template_crud_by_key_and_by_id(api, idle_connector):
    created = api.post(
        "/api/v1/templates/",
        {"key": "welcome", "name": "Welcome", "text": "Hi {{name}}"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["placeholders"] == ["name"]
    template_id = created.json()["id"]
    assert api.get("/api/v1/templates/welcome/").json()["id"] == template_id
    changed = api.patch(
        f"/api/v1/templates/{template_id}/", {"text": "Hello {{name}}"}, format="json"
    )
    assert changed.json()["text"] == "Hello {{name}}"
    assert api.get("/api/v1/templates/").json()[0]["key"] == "welcome"
    assert api.delete("/api/v1/templates/welcome/").status_code == 204
    assert not Template.objects.exists()
    assert list(
        AuditEntry.objects.filter(target_type="campaigns.template")
        .values_list("action", flat=True)
        .order_by("id")
    ) == [
        "create",
        "update",
        "delete",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "123", "name": "n", "text": "t"}, "key"),
        ({"key": "bad key", "name": "n", "text": "t"}, "key"),
        ({"key": "order-shipped", "name": "n", "text": "t"}, "key"),
        ({"key": "ok", "name": "n", "text": "Hi {{first name}}"}, "text"),
        ({"key": "ok", "name": "n", "text": "t", "sender": "NOTAPPROVED"}, "sender"),
    ],
    ids=[
        "all-digit-key",
        "space-in-key",
        "duplicate-key",
        "malformed-placeholder",
        "unapproved-sender",
    ],
)
def test_template_create_refuses_bad_fields(api, shipped, body, field):
    answer = api.post("/api/v1/templates/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["fields"]


@pytest.mark.parametrize("key_or_id", ["nope", "²", "٣"], ids=["key", "superscript", "arabic"])
def test_template_unknown_is_404(api, db, key_or_id):
    assert api.get(f"/api/v1/templates/{key_or_id}/").status_code == 404


# -- campaigns API --------------------------------------------------------------------------------


def test_campaign_api_creates_from_template_and_recipient_list(api, shipped):
    answer = api.post(
        "/api/v1/campaigns/",
        {
            "name": "API campaign",
            "template": "order-shipped",
            "recipients": [
                {"msisdn": "+905321234567", "params": {"first_name": "A", "order": "1"}},
                {"msisdn": "123", "params": {"first_name": "B", "order": "2"}},
            ],
        },
        format="json",
    )
    assert answer.status_code == 201
    body = answer.json()
    assert (body["template"], body["recipient_count"], body["invalid_count"]) == (
        "order-shipped",
        1,
        1,
    )
    assert body["rejected_rows"][0]["line"] == 2
    assert body["status"] in (CampaignStatus.SENDING, CampaignStatus.COMPLETED)
    detail = api.get(f"/api/v1/campaigns/{body['id']}/").json()
    assert detail["counts"]["total"] == 1


def test_campaign_api_accepts_a_csv_upload(api, idle_connector):
    upload = csv_upload("phone;name\n+905321234567;Ayşe\n+905321234567;Dup\n")
    answer = api.post(
        "/api/v1/campaigns/",
        {"name": "CSV", "text": "Hi {{name}}", "file": upload},
        format="multipart",
    )
    assert answer.status_code == 201
    assert (answer.json()["recipient_count"], answer.json()["duplicate_count"]) == (1, 1)


def test_campaign_api_schedules_pauses_and_cancels(api, idle_connector):
    answer = api.post(
        "/api/v1/campaigns/",
        {
            "name": "Later",
            "text": "Hi",
            "recipients": [{"msisdn": "+905321234567"}],
            "scheduled_at": "2099-01-01T09:00:00+03:00",
        },
        format="json",
    )
    campaign_id = answer.json()["id"]
    assert answer.json()["status"] == CampaignStatus.SCHEDULED
    refused = api.post(f"/api/v1/campaigns/{campaign_id}/resume/")
    assert refused.status_code == 400
    assert "scheduled: it cannot be resumed" in refused.json()["fields"]["status"][0]
    assert (
        api.post(f"/api/v1/campaigns/{campaign_id}/cancel/").json()["status"]
        == CampaignStatus.CANCELLED
    )
    assert Campaign.objects.get(pk=campaign_id).status == CampaignStatus.CANCELLED


def test_campaign_api_with_no_valid_recipient_is_400_and_stores_nothing(api, idle_connector):
    answer = api.post(
        "/api/v1/campaigns/",
        {"name": "Bad", "text": "Hi", "recipients": [{"msisdn": "1"}]},
        format="json",
    )
    assert answer.status_code == 400
    assert "line 1" in answer.json()["fields"]["recipients"][0]
    assert not Campaign.objects.exists()


def test_campaign_list_is_paginated(api, idle_connector):
    api.post(
        "/api/v1/campaigns/",
        {"name": "One", "text": "Hi", "recipients": [{"msisdn": "+905321234567"}]},
        format="json",
    )
    body = api.get("/api/v1/campaigns/").json()
    assert body["count"] == 1
    assert body["results"][0]["name"] == "One"
