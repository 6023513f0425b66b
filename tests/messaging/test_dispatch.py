"""The dispatcher over real HTTP to the Jet SMS simulator: failover, health, retries, leases."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.models import HealthState
from connectors.providers.types import Category, Outcome
from connectors.simulators.models import FailureMode, ReceivedSms
from messaging.models import NO_CONNECTOR, Message, MessageStatus, ProviderRequest
from messaging.services import (
    dispatch,
    message_create,
    message_dispatch,
    message_sweep,
)
from tests.factories import message_batch_create
from tests.messaging.conftest import PASSWORD, TURKISH_MOBILE

pytestmark = pytest.mark.django_db(transaction=True)


def send(**fields) -> Message:
    """Create a message; the enqueued task runs in-process on commit, so it is dispatched here."""
    message = message_create(
        to=fields.pop("to", TURKISH_MOBILE), text=fields.pop("text", "Kod 1234"), **fields
    )
    message.refresh_from_db()
    return message


def outcomes(message: Message) -> list[tuple[str, str, str]]:
    return [(a.connector_name, a.outcome, a.category) for a in message.attempts.order_by("id")]


def test_dispatch_sends_through_the_first_connector(jet_connector):
    jet_connector("first", 10)
    jet_connector("second", 20)

    message = send(text="Şifreniz 4711")

    received = ReceivedSms.objects.get()
    assert message.status == MessageStatus.SENT
    assert message.connector.name == "first"
    assert message.provider_message_id == str(received.order_id)
    assert (received.number, received.text) == ("905321234567", "Şifreniz 4711")
    assert outcomes(message) == [("first", Outcome.ACCEPTED, "")]
    attempt = message.attempts.get()
    assert attempt.http_status == 200
    assert attempt.duration_ms >= 0
    assert attempt.exchanges[0]["url"].endswith("/simulators/jetsms/SMS-Web8/xmlsms")


def test_dispatch_fails_over_on_rejected_credentials(jet_connector):
    first = jet_connector("first", 10, password="wrong-password")
    jet_connector("second", 20)

    message = send()

    assert message.status == MessageStatus.SENT
    assert message.connector.name == "second"
    assert outcomes(message) == [
        ("first", Outcome.FAILED, Category.CREDENTIALS),
        ("second", Outcome.ACCEPTED, ""),
    ]
    first.refresh_from_db()
    assert first.health_state == HealthState.CREDENTIALS_REJECTED
    assert ReceivedSms.objects.count() == 1


def test_dispatch_fails_over_on_no_balance_and_pauses_the_connector_for_ten_minutes(jet_connector):
    first = jet_connector("first", 10, balance=0)
    jet_connector("second", 20)

    message = send()

    assert outcomes(message) == [
        ("first", Outcome.FAILED, Category.BALANCE),
        ("second", Outcome.ACCEPTED, ""),
    ]
    first.refresh_from_db()
    assert first.health_state == HealthState.TRIPPED
    paused_for = first.tripped_until - timezone.now()
    assert timedelta(minutes=9) < paused_for <= timedelta(minutes=10)


def test_dispatch_fails_over_on_a_network_error(jet_connector):
    jet_connector("unreachable", 10, options={"base_url": "http://127.0.0.1:9"})
    jet_connector("second", 20)

    message = send()

    assert outcomes(message) == [
        ("unreachable", Outcome.FAILED, Category.NETWORK),
        ("second", Outcome.ACCEPTED, ""),
    ]


def test_dispatch_skips_a_connector_that_cannot_carry_the_length(jet_connector):
    jet_connector("short", 10, options={"max_length": 160})
    jet_connector("long", 20)

    message = send(text="a" * 200)

    assert message.status == MessageStatus.SENT
    assert outcomes(message) == [
        ("short", Outcome.SKIPPED, Category.CONTENT),
        ("long", Outcome.ACCEPTED, ""),
    ]


def test_dispatch_leaves_out_inactive_and_tripped_connectors(jet_connector):
    jet_connector("inactive", 10, is_active=False)
    jet_connector(
        "tripped", 20, health_state=HealthState.TRIPPED,
        tripped_until=timezone.now() + timedelta(seconds=60),
    )  # fmt: skip
    jet_connector("rejected", 30, health_state=HealthState.CREDENTIALS_REJECTED)
    jet_connector("healthy", 40)

    message = send()

    assert outcomes(message) == [("healthy", Outcome.ACCEPTED, "")]


def test_dispatch_with_every_connector_failing_ends_failed_with_every_attempt(jet_connector):
    jet_connector("wrong-password", 10, password="nope-nope")
    jet_connector("no-balance", 20, balance=0)

    message = send()

    assert message.status == MessageStatus.FAILED
    assert message.failed_at is not None
    assert outcomes(message) == [
        ("wrong-password", Outcome.FAILED, Category.CREDENTIALS),
        ("no-balance", Outcome.FAILED, Category.BALANCE),
    ]
    assert message.error_category == Category.BALANCE
    assert message.error_code == "11"
    assert ReceivedSms.objects.count() == 0


def test_dispatch_retries_transient_failures_with_backoff_then_fails(
    jet_connector, jet_mode, settings
):
    settings.SMSCONSOLE_RETRY_LIMIT = 1
    settings.SMSCONSOLE_RETRY_BACKOFF_SECONDS = 30
    jet_connector("first", 10)
    jet_connector("second", 20)
    jet_mode(FailureMode.HTTP_500)

    message = send()

    assert message.status == MessageStatus.QUEUED
    assert message.retries == 1
    assert timedelta(seconds=25) < message.due_at - timezone.now() <= timedelta(seconds=30)
    assert message.error_category == Category.PROVIDER_ERROR
    assert message_sweep() == 0  # not due yet

    Message.objects.filter(pk=message.pk).update(due_at=timezone.now())  # the backoff has passed
    assert message_sweep() == 1
    message.refresh_from_db()

    assert message.status == MessageStatus.FAILED
    assert [a.category for a in message.attempts.all()] == [Category.PROVIDER_ERROR] * 4


def test_dispatch_retry_succeeds_once_the_provider_recovers(jet_connector, jet_mode, settings):
    settings.SMSCONSOLE_RETRY_BACKOFF_SECONDS = 0
    jet_connector("only", 10)
    jet_mode(FailureMode.HTTP_500)
    message = send()
    assert message.status == MessageStatus.QUEUED

    jet_mode(FailureMode.NONE)
    message_sweep()
    message.refresh_from_db()

    assert message.status == MessageStatus.SENT
    assert ReceivedSms.objects.count() == 1


def test_pinned_connector_gets_no_failover(jet_connector):
    jet_connector("working", 10)
    pinned = jet_connector("pinned", 20, password="wrong-password")

    message = send(connector=pinned)

    assert message.status == MessageStatus.FAILED
    assert outcomes(message) == [("pinned", Outcome.FAILED, Category.CREDENTIALS)]


def test_pinned_connector_carries_the_message_even_when_it_is_not_first(jet_connector):
    jet_connector("first", 10)
    pinned = jet_connector("pinned", 20)

    message = send(connector=pinned.pk)

    assert message.connector == pinned
    assert outcomes(message) == [("pinned", Outcome.ACCEPTED, "")]


def test_dispatch_without_any_active_connector_fails_with_a_reason(db):
    message = send()

    assert message.status == MessageStatus.FAILED
    assert message.error_category == NO_CONNECTOR
    assert "No active connector" in message.error_detail


def test_expired_lease_is_reclaimed_by_the_sweeper_and_sent_once(jet_connector):
    jet_connector("only", 10)
    past = timezone.now() - timedelta(minutes=5)
    # A worker claimed this message and died before it sent anything.
    stuck = Message.objects.create(
        to=TURKISH_MOBILE, text="stuck", status=MessageStatus.SENDING, due_at=past, kicked_at=past,
        lease_token="dead-worker", lease_expires_at=past,
    )  # fmt: skip

    assert message_sweep() == 1
    assert message_sweep() == 0
    assert message_dispatch(message_id=stuck.pk) is None

    stuck.refresh_from_db()
    assert stuck.status == MessageStatus.SENT
    assert ReceivedSms.objects.filter(text="stuck").count() == 1


def test_message_under_a_live_lease_is_left_alone(jet_connector):
    jet_connector("only", 10)
    past = timezone.now() - timedelta(minutes=5)
    busy = Message.objects.create(
        to=TURKISH_MOBILE, text="busy", status=MessageStatus.SENDING, due_at=past, kicked_at=past,
        lease_token="live-worker", lease_expires_at=timezone.now() + timedelta(seconds=60),
    )  # fmt: skip

    assert message_sweep() == 0
    assert message_dispatch(message_id=busy.pk) is None
    assert ReceivedSms.objects.count() == 0


def test_queued_message_whose_kick_was_lost_is_kicked_again(jet_connector, settings):
    jet_connector("only", 10)
    long_ago = timezone.now() - timedelta(seconds=settings.SMSCONSOLE_REKICK_SECONDS + 5)
    lost = Message.objects.create(
        to=TURKISH_MOBILE, text="lost", due_at=long_ago, kicked_at=long_ago
    )

    assert message_sweep() == 1

    lost.refresh_from_db()
    assert lost.status == MessageStatus.SENT


def test_breaker_trips_after_consecutive_transient_failures_and_recovers_with_one_probe(
    jet_connector, jet_mode, settings
):
    settings.SMSCONSOLE_BREAKER_COOLDOWN_SECONDS = 60
    connector = jet_connector("flaky", 10)
    jet_mode(FailureMode.HTTP_500)
    for _ in range(5):
        send()
    connector.refresh_from_db()
    assert connector.health_state == HealthState.TRIPPED
    assert connector.consecutive_failures == 5

    paused = send()  # nothing tries a tripped connector
    assert paused.attempts.count() == 0
    assert paused.status == MessageStatus.QUEUED
    assert "paused" in paused.error_detail

    jet_mode(FailureMode.NONE)
    connector.__class__.objects.filter(pk=connector.pk).update(
        tripped_until=timezone.now()
    )  # cool-down over
    probe = send()

    connector.refresh_from_db()
    assert probe.status == MessageStatus.SENT
    assert (connector.health_state, connector.consecutive_failures) == (HealthState.OK, 0)


def test_failed_probe_pauses_the_connector_again(jet_connector, jet_mode):
    connector = jet_connector(
        "flaky", 10, health_state=HealthState.TRIPPED, consecutive_failures=5,
        tripped_until=timezone.now(),
    )  # fmt: skip
    jet_mode(FailureMode.HTTP_500)

    send()

    connector.refresh_from_db()
    assert connector.health_state == HealthState.TRIPPED
    assert connector.tripped_until > timezone.now() + timedelta(seconds=50)


def test_attempts_never_hold_the_connector_password(jet_connector):
    jet_connector("first", 10, password="wrong-password")
    jet_connector("second", 20)

    message = send()

    stored = json.dumps(list(message.attempts.values("request__exchanges", "detail")))
    assert PASSWORD not in stored
    assert "wrong-password" not in stored


def test_the_sweeper_kicks_lost_messages_of_a_batch_together_so_they_share_a_bulk_request(
    jet_connector, settings
):
    jet_connector("only", 10)
    long_ago = timezone.now() - timedelta(seconds=settings.SMSCONSOLE_REKICK_SECONDS + 5)
    message_batch_create(
        recipients=[(f"+9053212345{n:02d}", "Hafta sonu indirim") for n in range(5)]
    )
    Message.objects.update(due_at=long_ago, kicked_at=long_ago)  # the batch's kick was lost

    assert message_sweep() == 5

    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert list(ProviderRequest.objects.values_list("message_count", flat=True)) == [5]


def test_a_send_task_out_of_time_leaves_the_next_task_for_the_singles_still_due(
    jet_connector, broker, monkeypatch
):
    jet_connector("only", 10)
    first = message_create(to=TURKISH_MOBILE, text="Kod 1")
    message_create(to="+905321234568", text="Kod 2")
    assert broker.queue_size() == 1  # the second found the first one's task pending
    monkeypatch.setattr(dispatch, "FEED_SECONDS", 0)

    assert message_dispatch(message_id=first.pk) is None  # no time to send anything

    assert broker.queue_size() == 2  # the burst's task and the one to go on
