"""The connector gateway against the JoSMS and Jet SMS simulators over real HTTP: requests,
preflight (the law's rules, then the provider's) before the send slot, the caller's exchange log, the breaker and the probe."""

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connectors.gateway import connector_record_outcome, connector_requests, connector_send
from connectors.models import Connector, ConnectorSendSlot, HealthState
from connectors.providers.types import Category, MessageResult, OutboundSms, Outcome
from connectors.selectors import connector_is_usable
from connectors.simulators.models import ReceivedSms
from connectors.simulators.services import simulator_account_ensure
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db(transaction=True)

TURKISH_MOBILE, PASSWORD, SENDERS = "+905321234567", "Gw-s3cret-Pa55", ["ACME", "ACMEINFO"]


@pytest.fixture
def make_connector(simulator_url):
    """make(slug, name, **fields) → a connector with its own account at the provider's simulator."""

    def make(slug: str, name: str, *, options=None, **fields):
        simulator_account_ensure(slug=slug, username=name, password=PASSWORD, sender_titles=SENDERS)
        return ConnectorFactory(
            name=name, provider=slug, username=name, password=PASSWORD, sender_list=SENDERS,
            options={"base_url": simulator_url(slug), "timeout_seconds": 2, **(options or {})},
            **fields,
        )  # fmt: skip

    return make


def sms(id=1, to=TURKISH_MOBILE, text="Kod 1234", sender="", kind="transactional"):
    return OutboundSms(id=id, to=to, text=text, sender=sender, kind=kind)


REQUESTS = [
    pytest.param("twilio", [sms(1), sms(2)], [[1], [2]], id="no bulk: one message per request"),
    pytest.param(
        "josms",
        [sms(1, text="a"), sms(2, text="b"), sms(3, text="a"), sms(4, text="a", sender="ACME")],
        [[1, 3], [2], [4]],
        id="bulk: text, sender and kind shared per request",
    ),
    pytest.param(
        "josms",
        [sms(n) for n in range(1, 123)],
        [list(range(1, 121)), [121, 122]],
        id="bulk of 120",
    ),
]


@pytest.mark.parametrize(("slug", "messages", "expected"), REQUESTS)
def test_requests_are_cut_by_the_providers_declarations(make_connector, slug, messages, expected):
    connector = make_connector(slug, "requests")

    requests = connector_requests(connector=connector, messages=messages)

    assert [[message.id for message in request] for request in requests] == expected


def test_message_that_cannot_be_carried_takes_no_send_slot(make_connector):
    connector = make_connector("jetsms", "limited", options={"max_per_second": 1})
    log = []

    (result,) = connector_send(connector=connector, messages=[sms(to="+962791234567")], log=log)

    assert (result.outcome, result.category) == (Outcome.SKIPPED, Category.RECIPIENT)
    assert log == []
    assert not ConnectorSendSlot.objects.filter(connector=connector).exists()


def test_commercial_turkish_message_through_a_connector_without_iys_is_a_compliance_skip(
    make_connector,
):
    connector = make_connector("josms", "no-iys", options={"max_per_second": 1})
    log = []

    (result,) = connector_send(connector=connector, messages=[sms(kind="commercial")], log=log)

    assert (result.outcome, result.category) == (Outcome.SKIPPED, Category.COMPLIANCE)
    assert "does not check İYS consent" in result.detail
    assert log == []
    assert not ConnectorSendSlot.objects.filter(connector=connector).exists()


def test_expired_message_is_skipped_before_any_request_or_slot(make_connector):
    connector = make_connector("jetsms", "limited", options={"max_per_second": 1})
    expired = replace(sms(), expires_at=timezone.now() - timedelta(seconds=1))
    log = []

    (result,) = connector_send(connector=connector, messages=[expired], log=log)

    assert (result.outcome, result.category) == (Outcome.SKIPPED, Category.EXPIRED)
    assert "validity ran out" in result.detail
    assert log == []
    assert not ConnectorSendSlot.objects.filter(connector=connector).exists()
    assert not ReceivedSms.objects.exists()


@pytest.mark.parametrize("slug", ["jetsms", "josms"], ids=["one request", "bulk request"])
def test_message_expiring_while_it_waits_for_the_send_slot_is_never_sent(make_connector, slug):
    connector = make_connector(slug, "slotted", options={"max_per_second": 1})
    # Another worker holds the next slot for a second; the first message expires before that.
    ConnectorSendSlot.objects.create(connector=connector, next_at=time.time() + 1.0)
    to = "+962791234567" if slug == "josms" else TURKISH_MOBILE  # JoSMS carries Jordan only
    soon = replace(sms(1, to=to), expires_at=timezone.now() + timedelta(seconds=0.4))
    later = replace(sms(2, to=to), expires_at=timezone.now() + timedelta(minutes=5))
    messages = [soon, later] if slug == "josms" else [soon]

    results = connector_send(connector=connector, messages=messages, log=[])

    assert (results[0].outcome, results[0].category) == (Outcome.SKIPPED, Category.EXPIRED)
    assert [r.outcome for r in results[1:]] == [Outcome.ACCEPTED] * (len(messages) - 1)
    assert ReceivedSms.objects.count() == len(messages) - 1


def test_exchanges_are_appended_to_the_callers_log(make_connector):
    connector = make_connector("jetsms", "jet")
    log = []

    (result,) = connector_send(connector=connector, messages=[sms()], log=log)

    assert result.outcome == Outcome.ACCEPTED
    assert [exchange.status for exchange in log] == [200]
    assert result.exchanges == log
    assert ReceivedSms.objects.count() == 1


def test_paused_connector_probed_by_another_caller_is_not_tried(make_connector):
    connector = make_connector(
        "jetsms", "paused", health_state=HealthState.TRIPPED, tripped_until=timezone.now()
    )
    other_caller = Connector.objects.get(pk=connector.pk)
    assert connector_send(connector=other_caller, messages=[sms(1)], log=[])  # takes the probe

    assert connector_send(connector=connector, messages=[sms(2)], log=[]) == []
    assert ReceivedSms.objects.count() == 1


BREAKER = [
    pytest.param(Outcome.ACCEPTED, "", (HealthState.OK, 0), id="accepted heals"),
    pytest.param(
        Outcome.FAILED,
        Category.CREDENTIALS,
        (HealthState.CREDENTIALS_REJECTED, 3),
        id="rejected credentials stop it",
    ),
    pytest.param(
        Outcome.FAILED, Category.BALANCE, (HealthState.TRIPPED, 3), id="no balance pauses"
    ),
    pytest.param(
        Outcome.SKIPPED, Category.CONTENT, (HealthState.OK, 2), id="a skip changes nothing"
    ),
]


@pytest.mark.parametrize(("outcome", "category", "health"), BREAKER)
def test_record_outcome_drives_the_breaker(make_connector, outcome, category, health):
    connector = make_connector("jetsms", "jet", consecutive_failures=2)

    connector_record_outcome(
        connector=connector, results=[MessageResult(sms(), outcome, category=category)]
    )

    connector.refresh_from_db()
    assert (connector.health_state, connector.consecutive_failures) == health
    assert connector_is_usable(connector=connector) is (health[0] == HealthState.OK)


def test_a_success_heals_a_failure_recorded_through_the_same_connector(make_connector):
    connector = make_connector("jetsms", "jet")
    failure = MessageResult(sms(), Outcome.FAILED, category=Category.TIMEOUT)
    connector_record_outcome(connector=connector, results=[failure])

    connector_record_outcome(connector=connector, results=[MessageResult(sms(), Outcome.ACCEPTED)])

    connector.refresh_from_db()
    assert (connector.health_state, connector.consecutive_failures) == (HealthState.OK, 0)


def test_a_success_on_a_healthy_connector_writes_nothing(make_connector):
    connector = make_connector("jetsms", "jet")

    with CaptureQueriesContext(connection) as queries:
        connector_record_outcome(
            connector=connector, results=[MessageResult(sms(), Outcome.ACCEPTED)]
        )

    assert not queries
