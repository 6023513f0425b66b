"""Validity over real HTTP to the Jet SMS simulator: an expired message is never sent, whether it
waits in the queue, for a retry, or for a connector's send slot during failover."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from connectors.models import ConnectorSendSlot
from connectors.providers.types import Category, Outcome
from connectors.simulators.models import FailureMode, ReceivedSms
from core.services import api_key_create
from messaging.models import Message, MessageStatus
from messaging.services import message_create, message_dispatch
from tests.factories import ConnectorFactory
from tests.messaging.conftest import TURKISH_MOBILE

pytestmark = pytest.mark.django_db(transaction=True)


def queued(**fields) -> Message:
    """A message stored but not dispatched (no kick), with a validity of ten minutes."""
    return message_create(
        to=TURKISH_MOBILE, text="Kod 1234", validity_seconds=600, enqueue=False, **fields
    )


def expire(message: Message) -> None:
    """Let the message's validity run out (and any retry come due), as time passing would."""
    past = timezone.now() - timedelta(seconds=1)
    Message.objects.filter(pk=message.pk).update(expires_at=past, due_at=past)


def assert_failed_as_expired(message: Message) -> None:
    message.refresh_from_db()
    assert (message.status, message.error_category) == (MessageStatus.FAILED, Category.EXPIRED)
    assert "validity ran out" in message.error_detail
    assert message.failed_at is not None
    assert message.sent_at is None


def test_message_sent_within_its_validity_is_sent(jet_connector):
    jet_connector("jet", 10)

    message = message_create(to=TURKISH_MOBILE, text="Kod 1234", validity_seconds=600)

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert timedelta(seconds=590) < message.expires_at - message.created_at <= timedelta(minutes=10)
    assert ReceivedSms.objects.get().validity  # the expiry went to Jet SMS as expire-date


def test_message_expired_while_queued_is_failed_and_never_sent(jet_connector):
    jet_connector("jet", 10)
    message = queued()
    expire(message)

    message_dispatch(message_id=message.pk)

    assert_failed_as_expired(message)
    assert not message.attempts.exists()  # no connector was even tried
    assert not ReceivedSms.objects.exists()


def test_message_expired_while_waiting_for_a_retry_is_failed_and_never_sent(
    jet_connector, jet_mode
):
    jet_connector("jet", 10)
    message = queued()
    jet_mode(FailureMode.HTTP_500)
    message_dispatch(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.retries) == (MessageStatus.QUEUED, 1)
    jet_mode(FailureMode.NONE)  # the provider is back, but the message's time is up
    expire(message)

    message_dispatch(message_id=message.pk)

    assert_failed_as_expired(message)
    assert [a.category for a in message.attempts.all()] == [Category.PROVIDER_ERROR]
    assert not ReceivedSms.objects.exists()


def test_retry_is_due_no_later_than_the_message_expires(jet_connector, jet_mode, settings):
    settings.SMSCONSOLE_RETRY_BACKOFF_SECONDS = 3600
    jet_connector("jet", 10)
    message = queued()
    jet_mode(FailureMode.HTTP_500)

    message_dispatch(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.due_at == message.expires_at  # failed then as expired, not an hour later


def test_message_expiring_during_failover_is_failed_not_retried(jet_connector):
    ConnectorFactory(name="down", priority=5, options={"base_url": "http://127.0.0.1:9"})
    slotted = jet_connector("slotted", 10, options={"max_per_second": 1})
    # Another worker holds the second connector's next slot past the message's expiry.
    ConnectorSendSlot.objects.create(connector=slotted, next_at=time.time() + 1.5)
    message = queued()
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now() + timedelta(seconds=0.5))

    message_dispatch(message_id=message.pk)

    assert_failed_as_expired(message)
    assert message.retries == 0
    assert [(a.connector_name, a.outcome, a.category) for a in message.attempts.all()] == [
        ("down", Outcome.FAILED, Category.NETWORK),
        ("slotted", Outcome.SKIPPED, Category.EXPIRED),
    ]
    assert not ReceivedSms.objects.exists()


@pytest.mark.parametrize(
    ("validity", "field"),
    [
        pytest.param({"validity_seconds": 59}, "validity_seconds", id="under a minute"),
        pytest.param({"validity_seconds": 8 * 86400}, "validity_seconds", id="over a week"),
        pytest.param({"validity_seconds": "soon"}, "validity_seconds", id="not a number"),
        pytest.param({"validity_seconds": "6²"}, "validity_seconds", id="superscript digit"),
        pytest.param(
            {"validity_seconds": 600, "expires_at": timezone.now() + timedelta(hours=1)},
            "validity_seconds",
            id="both",
        ),
        pytest.param(
            {"expires_at": timezone.now() - timedelta(minutes=1)}, "expires_at", id="in the past"
        ),
        pytest.param({"expires_at": "tomorrow"}, "expires_at", id="not a date"),
    ],
)
def test_bad_validity_is_refused_and_nothing_is_stored(validity, field):
    with pytest.raises(ValidationError) as refused:
        message_create(to=TURKISH_MOBILE, text="Kod 1234", **validity)

    assert list(refused.value.message_dict) == [field]
    assert not Message.objects.exists()


def test_api_takes_validity_seconds_and_answers_when_it_expires(jet_connector, api):
    jet_connector("jet", 10)

    answer = api.post(
        "/api/v1/messages/",
        {"to": TURKISH_MOBILE, "text": "Kod 1234", "validity_seconds": 3600},
        format="json",
    )

    assert answer.status_code == 202
    message = Message.objects.get()
    assert answer.json()["expires_at"] == timezone.localtime(message.expires_at).isoformat()
    assert timedelta(minutes=59) < message.expires_at - timezone.now() <= timedelta(hours=1)


def test_api_takes_expires_at(api):
    moment = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)

    answer = api.post(
        "/api/v1/messages/",
        {"to": TURKISH_MOBILE, "text": "Kod 1234", "expires_at": moment.isoformat()},
        format="json",
    )

    assert answer.status_code == 202
    assert Message.objects.get().expires_at == moment


def test_api_refuses_a_validity_under_a_minute(api):
    answer = api.post(
        "/api/v1/messages/",
        {"to": TURKISH_MOBILE, "text": "Kod 1234", "validity_seconds": 30},
        format="json",
    )

    assert answer.status_code == 400
    assert "validity_seconds" in answer.json()["fields"]
    assert not Message.objects.exists()


def test_message_page_shows_until_when_it_may_be_sent(console):
    message = queued(api_key=api_key_create(name="crm").api_key)

    page = console.get(f"/messages/{message.pk}/")

    assert page.status_code == 200
    assert 'id="message-expires-at"' in page.content.decode()
