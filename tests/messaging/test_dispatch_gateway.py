"""The dispatcher through the connector gateway over real HTTP: preflight codes on attempts,
no send slot for what cannot be carried, crashed adapters and unknown providers recorded."""

import time

import pytest

from connectors.models import ConnectorSendSlot
from connectors.providers.types import Category, Outcome
from connectors.services import SEND_SLOT_HEADROOM
from connectors.simulators.models import ReceivedSms
from connectors.simulators.services import simulator_account_ensure
from messaging.models import Message, MessageStatus
from messaging.services import message_create, message_dispatch_batch
from tests.factories import ConnectorFactory
from tests.messaging.conftest import SENDERS, TURKISH_MOBILE
from tests.messaging.crashing_provider import CRASHING

pytestmark = pytest.mark.django_db(transaction=True)

ILETI_KEY, ILETI_HASH = "3ea65b1e8ba0f00d", "9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c"


@pytest.fixture
def ileti_connector(simulator_url):
    """make(name, priority) → an İleti Merkezi connector with its simulator account."""

    def make(name: str, priority: int):
        simulator_account_ensure(
            slug="iletimerkezi", username=ILETI_KEY, password=ILETI_HASH, sender_titles=SENDERS,
            max_text_length=1071,
        )  # fmt: skip
        return ConnectorFactory(
            name=name, provider="iletimerkezi", priority=priority, username=ILETI_KEY,
            password=ILETI_HASH, sender_list=SENDERS,
            options={"base_url": simulator_url("iletimerkezi"), "timeout_seconds": 2},
        )  # fmt: skip

    return make


def attempts(message: Message) -> list[tuple[str, str, str, str]]:
    return [
        (a.connector_name, a.outcome, a.category, a.provider_code)
        for a in message.attempts.order_by("id")
    ]


PREFLIGHT = [
    pytest.param(
        "jet",
        {"max_length": 160},
        {"text": "a" * 161},
        ("first", Outcome.SKIPPED, Category.CONTENT, "85"),
        id="Jet SMS: longer than the account's max_length is code 85",
    ),
    pytest.param(
        "jet",
        {},
        {"text": "Kodunuz 1234 😀"},
        ("first", Outcome.SKIPPED, Category.CONTENT, "80"),
        id="Jet SMS: emoji outside ISO-8859-9 is code 80",
    ),
    pytest.param(
        "ileti",
        {},
        {"text": "x" * 1072},
        ("first", Outcome.SKIPPED, Category.CONTENT, "453"),
        id="İleti Merkezi: longer than seven SMS is code 453",
    ),
    pytest.param(
        "ileti",
        {},
        {"to": "+12025550143"},
        ("first", Outcome.SKIPPED, Category.RECIPIENT, "466"),
        id="İleti Merkezi: a number outside Turkey is code 466",
    ),
]


@pytest.mark.parametrize(("provider", "options", "fields", "first"), PREFLIGHT)
def test_preflight_refusal_reaches_the_attempt_with_the_providers_code(
    jet_connector, ileti_connector, provider, options, fields, first
):
    if provider == "jet":
        jet_connector("first", 10, options=options)
    else:
        ileti_connector("first", 10)

    message = message_create(to=fields.get("to", TURKISH_MOBILE), text=fields.get("text", "Kod"))

    message.refresh_from_db()
    assert attempts(message) == [first]
    assert message.attempts.get().exchanges == []  # decided without the network
    assert (message.status, message.error_code) == (MessageStatus.FAILED, first[3])
    assert not ReceivedSms.objects.exists()


def test_preflight_refusal_fails_over_to_a_connector_that_carries_it(jet_connector):
    jet_connector("short", 10, options={"max_length": 160})
    jet_connector("long", 20)

    message = message_create(to=TURKISH_MOBILE, text="a" * 200)

    message.refresh_from_db()
    assert attempts(message) == [
        ("short", Outcome.SKIPPED, Category.CONTENT, "85"),
        ("long", Outcome.ACCEPTED, "", "00"),
    ]
    assert message.status == MessageStatus.SENT


def test_messages_that_cannot_be_carried_take_no_slot_of_a_rate_limited_connector(
    jet_connector,
):
    connector = jet_connector("limited", 10, options={"max_per_second": 1})
    uncarriable = [f"+9627912{n:05d}" for n in range(4)]  # Jet SMS carries Turkish numbers only
    ids = [
        message_create(to=number, text="Kod 1234", enqueue=False).pk
        for number in [*uncarriable, TURKISH_MOBILE]
    ]
    started = time.time()

    assert message_dispatch_batch(message_ids=ids) == 5

    # Five requests at one per second would wait four intervals; one request waits none.
    assert time.time() - started < SEND_SLOT_HEADROOM
    slot = ConnectorSendSlot.objects.get(connector=connector)
    assert slot.next_at - started < 2 * SEND_SLOT_HEADROOM  # reserved once
    statuses = dict(Message.objects.filter(pk__in=ids).values_list("to", "status"))
    assert statuses == {
        **dict.fromkeys(uncarriable, MessageStatus.FAILED),
        TURKISH_MOBILE: MessageStatus.SENT,
    }
    assert ReceivedSms.objects.count() == 1


def test_crashed_adapter_keeps_its_exchanges_on_the_attempt_and_fails_over(jet_connector, settings):
    settings.SMSCONSOLE_PROVIDERS = [*settings.SMSCONSOLE_PROVIDERS, CRASHING]
    jet_connector("crashing", 10, provider="crashing")
    jet_connector("backup", 20)

    message = message_create(to=TURKISH_MOBILE, text="Kod 1234")

    message.refresh_from_db()
    crashed, accepted = message.attempts.order_by("id")
    assert (crashed.outcome, crashed.category) == (Outcome.FAILED, Category.UNKNOWN)
    assert crashed.detail == "The crashing adapter failed: RuntimeError: read the answer wrong"
    (exchange,) = crashed.exchanges
    assert exchange["url"].endswith("/simulators/jetsms/SMS-Web8/xmlsms")
    assert (exchange["status"], exchange["response_body"][:3]) == (200, "00 ")
    assert (accepted.connector_name, accepted.outcome) == ("backup", Outcome.ACCEPTED)
    assert message.status == MessageStatus.SENT


def test_unknown_provider_is_recorded_as_skipped_and_fails_over(jet_connector):
    jet_connector("gone", 10, provider="no-such-provider")
    jet_connector("backup", 20)

    message = message_create(to=TURKISH_MOBILE, text="Kod 1234")

    message.refresh_from_db()
    assert attempts(message) == [
        ("gone", Outcome.SKIPPED, Category.UNKNOWN, ""),
        ("backup", Outcome.ACCEPTED, "", "00"),
    ]
    assert "'no-such-provider' is not configured" in message.attempts.first().detail
    assert message.status == MessageStatus.SENT
