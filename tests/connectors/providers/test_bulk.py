"""Bulk requests (one text to many numbers) of every provider that takes them, against its simulator
over real HTTP: one request per list, an outcome per number, failover per number, receipts."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from connectors.gateway import connector_send
from connectors.providers import get_provider
from connectors.providers.types import Category, Exchange, OutboundSms, Outcome
from connectors.simulators.models import FailureMode, ReceivedSms
from connectors.simulators.receipts import simulator_receipts_push
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import (
    simulated_provider_set_receipts,
    simulator_account_set_receipt_url,
)
from messaging.models import Message, MessageStatus
from messaging.services import delivery_reports_poll, message_create, message_dispatch_batch
from tests.connectors.providers.harness import SETUPS, HarnessSetup

pytestmark = pytest.mark.django_db(transaction=True)

# The generic connector sends a JSON array of numbers once given a recipient list template.
GENERIC_LIST = {
    "list_template": '"{{to}}"',
    "list_size": 100,
    "body_template": '{"to": [{{recipients}}], "text": "{{text}}", "from": "{{sender}}"}',
}


@dataclass(frozen=True)
class Bulk:
    """How a provider carries a list: the connector's options for it and how receipts come."""

    slug: str
    receipts: str  # "poll", "webhook" (set in the panel) or "callback" (sent with the request)
    options: dict[str, Any] = field(default_factory=dict)
    own_ids: bool = False  # each number gets our own id back (else the request's order id)

    @property
    def setup(self) -> HarnessSetup:
        return SETUPS[self.slug]


BULKS = [
    pytest.param(Bulk("jetsms", "poll"), id="Jet SMS"),
    pytest.param(Bulk("iletimerkezi", "webhook"), id="İleti Merkezi"),
    pytest.param(Bulk("mobildev", "poll"), id="Mobildev"),
    pytest.param(Bulk("infobip", "callback", own_ids=True), id="Infobip"),
    pytest.param(Bulk("http", "webhook", GENERIC_LIST), id="Generic HTTP"),
]
# How the limit is lowered to 2 for a test: the generic connector's own option, else monkeypatch.
LIMIT_OPTION = {"http": {"list_size": 2}}
TURKISH = [b for b in BULKS if b.values[0].slug in ("jetsms", "iletimerkezi", "mobildev")]


def turkish(count: int, start: int = 0) -> list[str]:
    return [f"+9053212{n:05d}" for n in range(start, start + count)]


def messages(numbers: list[str], text: str = "Kargonuz yolda") -> list[OutboundSms]:
    return [OutboundSms(id=n, to=to, text=text) for n, to in enumerate(numbers, start=1)]


def send(bulk: Bulk, live_server, sms: list[OutboundSms], **options):
    """Send the messages through a connector of the provider as the dispatcher does; the results
    and every exchange made."""
    setup = bulk.setup
    setup.account()
    connector = setup.connector(live_server.url, options={**bulk.options, **options})
    log: list[Exchange] = []
    return connector_send(connector=connector, messages=sms, log=log), log


# -- one request per list, an outcome per number ---------------------------------------------------


@pytest.mark.parametrize("bulk", BULKS)
def test_a_list_of_numbers_goes_in_one_request_with_an_outcome_per_number(bulk, live_server):
    numbers = turkish(5)

    results, log = send(bulk, live_server, messages(numbers))

    assert len(log) == 1
    received = ReceivedSms.objects.order_by("id")
    assert [r.number.lstrip("+") for r in received] == [n.lstrip("+") for n in numbers]
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 5
    assert [r.message.to for r in results] == numbers
    if bulk.own_ids:
        assert [r.provider_message_id for r in results] == [f"sms-{n}" for n in range(1, 6)]
    else:
        (order_id,) = {str(r.order_id) for r in received}
        assert {r.provider_message_id for r in results} == {order_id}


@pytest.mark.parametrize("bulk", BULKS)
def test_a_list_longer_than_the_limit_goes_in_several_requests(bulk, live_server, monkeypatch):
    # The provider's limit (the generic connector's list size option) lowered to 2 for the test.
    monkeypatch.setattr(type(get_provider(bulk.slug)), "max_recipients_per_request", 2)

    results, log = send(bulk, live_server, messages(turkish(5)), **LIMIT_OPTION.get(bulk.slug, {}))

    assert len(log) == 3
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 5
    assert ReceivedSms.objects.count() == 5


@pytest.mark.parametrize("bulk", TURKISH)
def test_a_number_the_connector_cannot_carry_is_skipped_alone(bulk, live_server):
    numbers = [*turkish(2), "+12025550100", *turkish(2, start=2)]

    results, log = send(bulk, live_server, messages(numbers))

    assert len(log) == 1
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 2 + [Outcome.SKIPPED] + [
        Outcome.ACCEPTED
    ] * 2
    assert results[2].category == Category.RECIPIENT
    assert results[2].exchanges == []
    assert ReceivedSms.objects.count() == 4


# -- partial acceptance, where the provider answers per number (Infobip) ------------------------

PARTIAL = [
    pytest.param(
        {}, ["+905321200000", "+1234", "+905321200001"], [True, False, True],
        Category.RECIPIENT, "REJECTED_DESTINATION", id="a bad number refused, the others sent",
    ),
    pytest.param(
        {"balance": 2}, turkish(4), [True, True, False, False],
        Category.BALANCE, "REJECTED_NOT_ENOUGH_CREDITS", id="credit runs out part way",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("account", "numbers", "accepted", "category", "code"), PARTIAL)
def test_infobip_accepts_part_of_a_list(live_server, account, numbers, accepted, category, code):
    bulk = Bulk("infobip", "callback", own_ids=True)
    simulator = bulk.setup.account()
    for name, value in account.items():
        setattr(simulator, name, value)
    simulator.save()

    results, log = send(bulk, live_server, messages(numbers))

    assert len(log) == 1
    assert [r.outcome == Outcome.ACCEPTED for r in results] == accepted
    refused = [r for r in results if r.outcome != Outcome.ACCEPTED]
    assert {(r.outcome, r.category, r.code) for r in refused} == {(Outcome.FAILED, category, code)}
    assert ReceivedSms.objects.count() == accepted.count(True)
    sent = [r.message.to.lstrip("+") for r in results if r.outcome == Outcome.ACCEPTED]
    assert sorted(ReceivedSms.objects.values_list("number", flat=True)) == sorted(sent)


# -- a failed request fails over per number --------------------------------------------------------


@pytest.mark.parametrize("bulk", BULKS)
def test_a_failed_list_request_fails_over_number_by_number(bulk, live_server):
    setup = bulk.setup
    setup.account()
    first = setup.connector(live_server.url, options=bulk.options, name="first", priority=10)
    fallback_slug = "iletimerkezi" if bulk.slug == "jetsms" else "jetsms"
    fallback = SETUPS[fallback_slug]
    fallback.account()
    fallback.connector(live_server.url, name="fallback", priority=20)
    setup.set_mode(FailureMode.HTTP_500)
    ids = [message_create(to=to, text="Kargonuz yolda", enqueue=False).pk for to in turkish(4)]

    assert message_dispatch_batch(message_ids=ids) == 4

    sent = Message.objects.filter(pk__in=ids).prefetch_related("attempts")
    assert Counter(m.status for m in sent) == {MessageStatus.SENT: 4}
    for message in sent:
        attempts = [(a.connector_name, a.outcome, a.category) for a in message.attempts.all()]
        assert sorted(attempts) == [
            ("fallback", Outcome.ACCEPTED, ""),
            ("first", Outcome.FAILED, Category.PROVIDER_ERROR),
        ]
        assert message.connector_id != first.pk
    received = ReceivedSms.objects.filter(account__provider__slug=fallback_slug)
    assert received.count() == 4
    assert received.values("order_id").distinct().count() == 1  # the fallback's one list


# -- receipts still match each number after a bulk request -----------------------------------------


@pytest.mark.parametrize("bulk", BULKS)
def test_every_number_of_a_bulk_request_ends_delivered_by_its_receipt(bulk, live_server, settings):
    settings.SMSCONSOLE_PUBLIC_URL = live_server.url if bulk.receipts != "poll" else ""
    setup = bulk.setup
    account = setup.account()
    connector = setup.connector(live_server.url, options=bulk.options)
    simulated_provider_set_receipts(
        provider=simulated_provider_get(slug=setup.shared.simulator_slug),
        delivered_percent=100,
        receipt_delay_seconds=0,
    )
    if bulk.receipts == "webhook":
        simulator_account_set_receipt_url(account=account, url=connector.receipt_url)
    ids = [
        message_create(to=to, text="Kargonuz yolda", connector=connector.pk, enqueue=False).pk
        for to in turkish(4)
    ]
    message_dispatch_batch(message_ids=ids)
    assert ReceivedSms.objects.values("order_id").distinct().count() == 1  # one request for all 4

    if bulk.receipts == "poll":
        delivery_reports_poll()
    else:
        assert simulator_receipts_push(now=timezone.now() + timedelta(seconds=1)) == 4

    states = Message.objects.filter(pk__in=ids).values_list("delivery_state", flat=True)
    assert list(states) == ["delivered"] * 4
