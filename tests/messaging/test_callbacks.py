"""Status callbacks over real HTTP: messages sent through the Jet SMS simulator post their events,
signed, to a local endpoint, which answers errors on demand."""

import hashlib
import hmac
import json
from ast import literal_eval
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task
from rest_framework.test import APIClient

from core.models import ApiKey
from core.services import api_key_create, api_key_revoke
from messaging.models import CallbackAttempt, CallbackState, EventType, Message, MessageEvent
from messaging.services import (
    message_create,
    message_dispatch,
    message_event_deliver,
    message_event_emit,
    message_events_sweep,
)
from messaging.services.callbacks import DELIVER_TASK
from messaging.services.receipts import DeliveryUpdate, message_delivery_update
from tests.messaging.conftest import TURKISH_MOBILE

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/messages/"


@pytest.fixture
def key():
    return api_key_create(name="crm")


def client_for(issued) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    return client


def signature(body: bytes, secret: str) -> str:
    """What the receiving side computes to check a callback."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(issued, **fields) -> Message:
    """POST a message with this key; it is dispatched (and its events posted) in-process."""
    answer = client_for(issued).post(
        URL, {"to": TURKISH_MOBILE, "text": "Kod 1234", **fields}, format="json"
    )
    assert answer.status_code == 202, answer.json()
    return Message.objects.get(pk=answer.json()["id"])


def come_due() -> None:
    """Let time pass until every pending event's next attempt is due."""
    MessageEvent.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def run_scheduled_retry() -> None:
    """Run the retry django-q2 scheduled, as the cluster does once it is due."""
    retry = Schedule.objects.filter(func=DELIVER_TASK).order_by("-id").first()
    come_due()
    async_task(retry.func, *literal_eval(retry.args))


def test_sent_message_posts_one_signed_message_sent_callback(jet_connector, endpoint, key):
    jet_connector("jet", 10)

    message = send(key, callback_url=endpoint.url)

    ((headers, body),) = endpoint.requests
    assert headers["X-SmsConsole-Signature"] == signature(body, key.api_key.callback_secret)
    assert headers["X-SmsConsole-Event"] == "message.sent"
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    message.refresh_from_db()
    assert payload == {
        "event": "message.sent",
        "occurred_at": payload["occurred_at"],
        "id": message.pk,
        "to": TURKISH_MOBILE,
        "status": "sent",
        "delivery_state": "pending",
        "delivered_at": None,
        "delivery_code": "",
        "connector": {"id": message.connector_id, "name": "jet"},
        "provider_message_id": message.provider_message_id,
        "idempotency_key": "",
        "created_at": timezone.localtime(message.created_at).isoformat(),
        "sent_at": timezone.localtime(message.sent_at).isoformat(),
        "failed_at": None,
        "expires_at": None,
        "error": None,
    }
    event = MessageEvent.objects.get()
    assert (event.event, event.state, event.attempts) == (
        EventType.SENT,
        CallbackState.DELIVERED,
        1,
    )
    attempt = CallbackAttempt.objects.get()
    assert (attempt.status_code, attempt.succeeded) == (200, True)


def test_callback_is_retried_after_a_500_and_stops_after_success(jet_connector, endpoint, key):
    jet_connector("jet", 10)
    endpoint.statuses = [500]

    message = send(key, callback_url=endpoint.url)

    event = MessageEvent.objects.get()
    assert (event.state, event.attempts) == (CallbackState.PENDING, 1)
    first = CallbackAttempt.objects.get()
    assert (first.status_code, first.succeeded) == (500, False)
    assert first.detail == "HTTP 500: the callback URL did not accept the message."
    retry = Schedule.objects.get(func=DELIVER_TASK)
    assert timedelta(seconds=100) < retry.next_run - timezone.now() <= timedelta(seconds=120)

    run_scheduled_retry()

    event.refresh_from_db()
    assert (event.state, event.attempts) == (CallbackState.DELIVERED, 2)
    assert [a.status_code for a in event.deliveries.all()] == [500, 200]
    assert Schedule.objects.filter(func=DELIVER_TASK).count() == 1  # no retry after success
    (_, first_body), (headers, body) = endpoint.requests
    assert body == first_body  # every attempt posts the same body, signed the same way
    assert headers["X-SmsConsole-Signature"] == signature(body, key.api_key.callback_secret)
    assert json.loads(body)["id"] == message.pk


def test_callback_is_given_up_after_the_last_attempt(jet_connector, endpoint, key, settings):
    settings.SMSCONSOLE_CALLBACK_MAX_ATTEMPTS = 3
    jet_connector("jet", 10)
    endpoint.statuses = [500, 302, 503]
    send(key, callback_url=endpoint.url)
    run_scheduled_retry()
    event = MessageEvent.objects.get()
    assert event.next_attempt_at - event.deliveries.last().started_at > timedelta(seconds=230)

    run_scheduled_retry()

    event.refresh_from_db()
    assert (event.state, event.attempts) == (CallbackState.FAILED, 3)
    details = [attempt.detail for attempt in event.deliveries.all()]
    assert "HTTP 302: the callback URL answered with a redirect" in details[1]
    assert not any("nope" in detail for detail in details)  # the answer's body is never kept
    assert Schedule.objects.filter(func=DELIVER_TASK).count() == 2


def test_failed_message_posts_message_failed_with_its_error(jet_connector, endpoint, key):
    jet_connector("jet", 10, password="wrong-password")

    send(key, callback_url=endpoint.url)

    ((_, payload),) = endpoint.received
    assert (payload["event"], payload["status"], payload["delivery_state"]) == (
        "message.failed",
        "failed",
        "none",
    )
    assert payload["error"]["category"] == "credentials"
    assert payload["failed_at"] is not None


def test_expired_message_posts_message_expired(jet_connector, endpoint, key):
    jet_connector("jet", 10)
    message = message_create(
        to=TURKISH_MOBILE,
        text="Kod 1234",
        api_key=key.api_key,
        callback_url=endpoint.url,
        validity_seconds=60,
        enqueue=False,
    )
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now())

    message_dispatch(message_id=message.pk)

    ((_, payload),) = endpoint.received
    assert (payload["event"], payload["error"]["category"]) == ("message.expired", "expired")
    assert (payload["status"], payload["delivery_state"]) == ("failed", "none")  # never sent


@pytest.mark.parametrize(
    ("delivery_state", "event"),
    [
        ("delivered", "message.delivered"),
        ("undelivered", "message.undelivered"),
        ("rejected", "message.undelivered"),
        ("expired", "message.expired"),  # a receipt saying it expired at the operator
    ],
)
def test_a_final_receipt_posts_its_event_once(jet_connector, endpoint, key, delivery_state, event):
    jet_connector("jet", 10)
    message = send(key, callback_url=endpoint.url)
    receipt = DeliveryUpdate(message_id=message.pk, state=delivery_state, code="7")

    message_delivery_update(updates=[receipt])
    message_delivery_update(updates=[receipt])  # a duplicate receipt

    assert [payload["event"] for _, payload in endpoint.received] == ["message.sent", event]
    posted = endpoint.received[1][1]
    assert (posted["delivery_state"], posted["delivery_code"]) == (delivery_state, "7")


def test_a_pending_receipt_posts_nothing(jet_connector, endpoint, key):
    jet_connector("jet", 10)
    message = send(key, callback_url=endpoint.url)

    message_delivery_update(updates=[DeliveryUpdate(message_id=message.pk, state="pending")])

    assert [payload["event"] for _, payload in endpoint.received] == ["message.sent"]


def test_dispatching_a_sent_message_again_posts_no_second_event(jet_connector, endpoint, key):
    jet_connector("jet", 10)
    message = send(key, callback_url=endpoint.url)

    assert message_dispatch(message_id=message.pk) is None

    assert MessageEvent.objects.count() == 1
    assert len(endpoint.received) == 1


def test_message_without_a_callback_url_has_no_events(jet_connector, endpoint, key):
    jet_connector("jet", 10)

    message = send(key)

    assert message_event_emit(message=message, event=EventType.DELIVERED) is None
    assert not MessageEvent.objects.exists()
    assert endpoint.received == []


def test_api_keys_default_callback_url_is_used(jet_connector, endpoint):
    jet_connector("jet", 10)
    issued = api_key_create(name="crm", callback_url=endpoint.url)

    message = send(issued)

    assert message.callback_url == endpoint.url
    assert [payload["event"] for _, payload in endpoint.received] == ["message.sent"]


def test_callbacks_of_a_revoked_key_are_given_up_unsent(jet_connector, endpoint, key):
    jet_connector("jet", 10)
    message = send(key, callback_url=endpoint.url)
    api_key_revoke(api_key=ApiKey.objects.get(pk=key.api_key.pk))
    message.refresh_from_db()

    event = message_event_emit(message=message, event=EventType.DELIVERED)

    event.refresh_from_db()
    assert event.state == CallbackState.FAILED
    assert "revoked" in event.deliveries.get().detail
    assert len(endpoint.received) == 1  # only the earlier message.sent


@pytest.mark.parametrize(
    ("url", "says"),
    [
        pytest.param("http://crm.example.com/hook", "Use an https:// URL", id="plain http"),
        pytest.param("https://10.0.0.5/hook", "a private address", id="private address"),
        pytest.param("https://localhost/hook", "a name for this machine", id="this machine"),
        pytest.param("ftp://crm.example.com/", "Enter a full https:// URL", id="not http"),
    ],
)
def test_api_refuses_a_callback_url_the_outbound_policy_refuses(key, settings, url, says):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = []

    answer = client_for(key).post(
        URL, {"to": TURKISH_MOBILE, "text": "hi", "callback_url": url}, format="json"
    )

    assert answer.status_code == 400
    assert says in answer.json()["fields"]["callback_url"][0]
    assert not Message.objects.exists()


def test_message_without_an_api_key_cannot_have_a_callback_url(endpoint):
    with pytest.raises(ValidationError) as refused:
        message_create(to=TURKISH_MOBILE, text="hi", callback_url=endpoint.url)

    assert "API key" in refused.value.message_dict["callback_url"][0]


def test_message_page_shows_the_callback_attempts(jet_connector, endpoint, key, console):
    jet_connector("jet", 10)
    endpoint.statuses = [500]
    message = send(key, callback_url=endpoint.url)

    page = console.get(f"/messages/{message.pk}/").content.decode()

    assert 'id="message-callbacks"' in page
    assert "message.sent" in page
    assert "HTTP 500: the callback URL did not accept the message." in page
    assert "nope" not in page
    assert key.api_key.callback_secret not in page


def test_admin_shows_a_messages_events(jet_connector, endpoint, key, console):
    jet_connector("jet", 10)
    message = send(key, callback_url=endpoint.url)

    page = console.get(f"/admin/messaging/message/{message.pk}/change/")

    assert page.status_code == 200
    assert "message.sent" in page.content.decode()


def test_a_retry_run_before_it_is_due_or_twice_posts_nothing_more(jet_connector, endpoint, key):
    jet_connector("jet", 10)
    endpoint.statuses = [500]
    send(key, callback_url=endpoint.url)
    event = MessageEvent.objects.get()

    message_event_deliver(event_id=event.pk)  # the retry is not due for two minutes

    assert len(endpoint.requests) == 1
    come_due()
    message_event_deliver(event_id=event.pk)
    message_event_deliver(event_id=event.pk)  # delivered twice: the event is taken already
    event.refresh_from_db()
    assert (event.state, event.attempts, len(endpoint.requests)) == (CallbackState.DELIVERED, 2, 2)


def test_sweeper_kicks_an_event_whose_attempt_is_overdue(jet_connector, endpoint, key, settings):
    jet_connector("jet", 10)
    endpoint.statuses = [500]
    send(key, callback_url=endpoint.url)
    event = MessageEvent.objects.get()
    assert message_events_sweep() == 0  # its retry is scheduled and not due

    # The retry's kick was lost: it is overdue by more than the re-kick margin.
    MessageEvent.objects.update(
        next_attempt_at=timezone.now() - timedelta(seconds=settings.SMSCONSOLE_REKICK_SECONDS + 1)
    )
    kicked = message_events_sweep()

    event.refresh_from_db()
    assert kicked == 1
    assert (event.state, event.attempts) == (CallbackState.DELIVERED, 2)
    assert message_events_sweep() == 0
