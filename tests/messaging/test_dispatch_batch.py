"""Batch dispatch over real HTTP to the JoSMS and Twilio simulators: bulk requests and failover."""

import json
from collections import Counter

import pytest
from django.db.models import Count, Min

from connectors.providers.types import Category, Outcome
from connectors.simulators.models import ReceivedSms
from messaging.models import Attempt, Message, MessageKind, MessageStatus, ProviderRequest
from messaging.services import message_create, message_dispatch_batch
from tests.messaging.conftest import JOSMS_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

BULK_PATH = "/simulators/josms/sms/api/SendBulkMessages.cfm"


def jordanian(count: int, start: int = 0) -> list[str]:
    return [f"+9627912{n:05d}" for n in range(start, start + count)]


def queue(numbers: list[str], text: str = "Sale today", **fields) -> list[int]:
    """Messages stored but not kicked, so the batch dispatch is the only sender."""
    return [message_create(to=n, text=text, enqueue=False, **fields).pk for n in numbers]


def requests_received(account_username: str) -> list[int]:
    """How many numbers each request to the simulator carried, largest first (requests in flight
    together arrive in any order)."""
    return sorted(
        ReceivedSms.objects.filter(account__username=account_username)
        .values("order_id")
        .annotate(n=Count("id"), first=Min("id"))
        .order_by("first")
        .values_list("n", flat=True),
        reverse=True,
    )


def outcomes(message: Message) -> list[tuple[str, str, str]]:
    return [(a.connector_name, a.outcome, a.category) for a in message.attempts.order_by("id")]


def test_250_recipients_sharing_a_text_go_in_three_bulk_requests(josms_connector):
    josms_connector("jo", 10)
    ids = queue(jordanian(250))

    assert message_dispatch_batch(message_ids=ids) == 250

    assert requests_received("jo") == [120, 120, 10]
    assert ReceivedSms.objects.count() == 250  # each number once
    messages = Message.objects.filter(pk__in=ids).prefetch_related("attempts")
    assert Counter(m.status for m in messages) == {MessageStatus.SENT: 250}
    orders = dict(ReceivedSms.objects.values_list("number", "order_id"))
    for message in messages:
        (attempt,) = message.attempts.all()
        assert (attempt.connector_name, attempt.outcome) == ("jo", Outcome.ACCEPTED)
        assert message.provider_message_id == str(orders[message.to.lstrip("+")])
        assert attempt.exchanges[0]["url"].split("?")[0].endswith(BULK_PATH)
        assert JOSMS_PASSWORD not in json.dumps(attempt.exchanges)


def test_a_bulk_requests_exchanges_are_stored_once_for_all_its_messages(josms_connector):
    josms_connector("jo", 10)
    ids = queue(jordanian(130))

    message_dispatch_batch(message_ids=ids)

    # The two requests are in flight together, so either may be stored first.
    requests = sorted(ProviderRequest.objects.all(), key=lambda r: -r.message_count)
    assert [r.message_count for r in requests] == [120, 10]
    assert [r.attempts.count() for r in requests] == [120, 10]
    assert Attempt.objects.filter(message_id__in=ids, request=None).count() == 0


REFUSALS = [
    pytest.param({"password": "wrong-password"}, Category.CREDENTIALS, id="credentials refused"),
    pytest.param({"balance": 3}, Category.PROVIDER_ERROR, id="balance too low for the request"),
]


@pytest.mark.parametrize(("fields", "category"), REFUSALS)
def test_refused_bulk_request_fails_over_per_message(
    josms_connector, twilio_connector, fields, category
):
    jo = josms_connector("jo", 10, **fields)
    ids = queue(jordanian(5))

    message_dispatch_batch(message_ids=ids)

    assert requests_received("jo") == []
    assert requests_received(twilio_connector.username) == [1, 1, 1, 1, 1]
    for message in Message.objects.filter(pk__in=ids):
        assert message.status == MessageStatus.SENT
        assert outcomes(message) == [
            ("jo", Outcome.FAILED, category),
            ("Twilio", Outcome.ACCEPTED, ""),
        ]
    jo.refresh_from_db()
    assert jo.consecutive_failures == 1  # one refused request, not one per message


def test_messages_are_grouped_by_text_sender_and_kind(
    josms_connector, twilio_connector, daytime_in_jordan
):
    josms_connector("jo", 10)
    numbers = iter(jordanian(12))
    promo = queue([next(numbers) for _ in range(4)], "Sale today")
    other_text = queue([next(numbers) for _ in range(3)], "Sale tomorrow")
    other_sender = queue([next(numbers) for _ in range(2)], "Sale today", sender="ACME JO")
    commercial = queue([next(numbers) for _ in range(2)], "Sale today", kind=MessageKind.COMMERCIAL)
    alone = queue([next(numbers)], "Only one")
    turkish = queue(["+905321234567"], "Sale today")  # JoSMS cannot carry it: Twilio does

    message_dispatch_batch(
        message_ids=promo + other_text + other_sender + commercial + alone + turkish
    )

    requests = {
        (text, sender, n)
        for text, sender, n in ReceivedSms.objects.filter(account__username="jo")
        .values("order_id", "text", "sender")
        .annotate(n=Count("id"))
        .values_list("text", "sender", "n")
    }
    assert requests == {
        ("Sale today", "ACME", 4), ("Sale tomorrow", "ACME", 3), ("Sale today", "ACME JO", 2),
        ("Sale today", "ACME", 2), ("Only one", "ACME", 1),
    }  # fmt: skip
    assert requests_received("jo") == [4, 3, 2, 2, 1]
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 13
    assert outcomes(Message.objects.get(pk=turkish[0])) == [
        ("jo", Outcome.SKIPPED, Category.RECIPIENT),
        ("Twilio", Outcome.ACCEPTED, ""),
    ]


def test_bulk_requests_respect_max_per_second(josms_connector):
    josms_connector("jo", 10, options={"max_per_second": 5})
    ids = [pk for text in range(7) for pk in queue(jordanian(3, start=3 * text), f"Offer {text}")]

    message_dispatch_batch(message_ids=ids)

    starts = sorted(
        ReceivedSms.objects.values("order_id")
        .annotate(at=Min("received_at"))
        .values_list("at", flat=True)
    )
    assert len(starts) == 7  # one slot per bulk request, not per number
    assert max(sum(1 for t in starts if 0 <= (t - s).total_seconds() < 1) for s in starts) <= 5
    assert (starts[-1] - starts[0]).total_seconds() >= 6 / 5


def test_batch_leaves_messages_another_worker_claimed(josms_connector):
    josms_connector("jo", 10)
    ids = queue(jordanian(3))
    Message.objects.filter(pk=ids[0]).update(status=MessageStatus.SENT)

    assert message_dispatch_batch(message_ids=ids) == 2
    assert requests_received("jo") == [2]
