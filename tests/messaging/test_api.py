"""The messages API: POST 202 / 400, idempotency per API key, detail with attempts, cursor list."""

import pytest
from rest_framework.test import APIClient

from connectors.simulators.models import ReceivedSms
from messaging.models import Message
from messaging.services import message_create
from tests.factories import ConnectorFactory
from tests.messaging.conftest import PASSWORD, TURKISH_MOBILE

URL = "/api/v1/messages/"


@pytest.mark.django_db
def test_post_answers_202_with_encoding_and_segments(api):
    ConnectorFactory(sender_list=["ACME"])

    answer = api.post(URL, {"to": "05321234567", "text": "ç" * 80, "sender": "ACME"}, format="json")

    assert answer.status_code == 202
    body = answer.json()
    assert set(body) == {
        "id", "to", "text", "sender", "kind", "status", "encoding", "segments", "created_at",
        "expires_at", "callback_url",
        "delivery_state", "delivered_at", "delivery_code",
    }  # fmt: skip
    assert (body["to"], body["encoding"], body["segments"]) == (TURKISH_MOBILE, "GSM-7 Turkish", 2)
    assert body["status"] == "queued"
    assert body["kind"] == "transactional"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"text": "hi"}, "to", id="missing-to"),
        pytest.param({"to": "12", "text": "hi"}, "to", id="bad-number"),
        pytest.param({"to": TURKISH_MOBILE, "text": "   "}, "text", id="blank-text"),
        pytest.param({"to": TURKISH_MOBILE, "text": "hi", "kind": "x"}, "kind", id="bad-kind"),
        pytest.param(
            {"to": TURKISH_MOBILE, "text": "hi", "connector": 424242}, "connector", id="pin"
        ),
    ],
)
def test_post_answers_400_with_field_errors(api, payload, field):
    answer = api.post(URL, payload, format="json")

    assert answer.status_code == 400
    assert answer.json()["status"] == 400
    assert field in answer.json()["fields"]
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_api_needs_an_api_key():
    assert APIClient().post(URL, {"to": TURKISH_MOBILE, "text": "hi"}).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_reused_idempotency_key_gives_one_message_and_one_provider_request(api, jet_connector):
    jet_connector("main", 10)
    payload = {"to": TURKISH_MOBILE, "text": "Kod 1234"}

    first = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="order-77")
    second = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="order-77")

    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert Message.objects.count() == 1
    assert ReceivedSms.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_detail_shows_connector_error_and_attempts_without_secrets(api, jet_connector):
    jet_connector("broken", 10, password="wrong-password")
    jet_connector("main", 20)
    message = message_create(to=TURKISH_MOBILE, text="Kod 1234")

    answer = api.get(f"{URL}{message.pk}/")

    body = answer.json()
    assert answer.status_code == 200
    assert body["status"] == "sent"
    assert body["connector"]["name"] == "main"
    assert body["provider_message_id"]
    assert body["sent_at"]
    assert body["error"] == {"category": "", "code": "", "detail": ""}
    assert [
        (a["connector"], a["provider"], a["outcome"], a["category"]) for a in body["attempts"]
    ] == [
        ("broken", "jetsms", "failed", "credentials"),
        ("main", "jetsms", "accepted", ""),
    ]
    assert {"provider_code", "detail", "http_status", "duration_ms", "started_at"} <= set(
        body["attempts"][0]
    )
    assert PASSWORD not in answer.content.decode()
    assert "wrong-password" not in answer.content.decode()


@pytest.mark.django_db
def test_detail_of_an_unknown_message_is_404(api):
    assert api.get(f"{URL}999999/").status_code == 404


@pytest.mark.django_db
def test_list_filters_and_pages_with_a_cursor(api):
    ConnectorFactory(sender_list=["ACME"])
    for i in range(5):
        message_create(to=TURKISH_MOBILE, text=f"note {i}", kind="transactional")
    message_create(to="+905551112233", text="promo", kind="commercial")

    page = api.get(URL, {"kind": "transactional", "limit": 3}).json()
    assert [m["text"] for m in page["results"]] == ["note 4", "note 3", "note 2"]
    following = api.get(page["next"]).json()
    assert [m["text"] for m in following["results"]] == ["note 1", "note 0"]
    assert following["next"] is None

    by_number = api.get(URL, {"number": "0555 111 22 33"}).json()
    assert [m["text"] for m in by_number["results"]] == ["promo"]
    assert api.get(URL, {"q": "NOTE 3"}).json()["results"][0]["text"] == "note 3"


@pytest.mark.django_db
def test_list_refuses_bad_filters(api):
    answer = api.get(URL, {"status": "lost", "date_from": "yesterday"})

    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {"status", "date_from"}
