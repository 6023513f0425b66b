"""Failover across protocols through the real dispatcher: SMSC (SMPP) → Infobip → Twilio."""

import pytest

from connectors.providers.smsc import close_binds
from connectors.providers.types import Category, Outcome
from connectors.simulators.models import FailureMode, ReceivedSms
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import simulated_provider_set_mode
from connectors.simulators.smsc import SmscSimulator
from messaging.models import MessageStatus
from messaging.services import message_create
from tests.connectors.providers.harness import harness_setup
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db(transaction=True)

SMSC, INFOBIP, TWILIO = (harness_setup(slug) for slug in ("smsc", "infobip", "twilio"))


@pytest.fixture
def smsc(transactional_db):
    SMSC.account()
    simulator = SmscSimulator().start()
    yield simulator
    close_binds()
    simulator.stop()


@pytest.fixture
def chain(smsc, live_server):
    """SMSC at 10, Infobip at 20, Twilio at 30, each pointed at its simulator."""
    INFOBIP.account()
    TWILIO.account()
    where = {"host": smsc.host, "port": smsc.port, "timeout_seconds": 1}
    ConnectorFactory(name="SMSC", priority=10, **SMSC.fields("", options=where))
    INFOBIP.connector(live_server.url, name="Infobip", priority=20)
    TWILIO.connector(live_server.url, name="Twilio", priority=30)
    return smsc


def smsc_down(smsc):
    smsc.stop()


def smsc_dropping(_smsc):
    simulated_provider_set_mode(
        provider=simulated_provider_get(slug="smsc"), failure_mode=FailureMode.DROP
    )


def infobip_broke(_smsc):
    simulated_provider_set_mode(
        provider=simulated_provider_get(slug="infobip"), failure_mode=FailureMode.NO_BALANCE
    )


def smsc_throttled(_smsc):
    simulated_provider_set_mode(
        provider=simulated_provider_get(slug="smsc"),
        failure_mode=FailureMode.FIXED_ANSWER,
        fixed_body="ESME_RTHROTTLED",
    )


CASES = [
    pytest.param([], "SMSC", [("SMSC", Outcome.ACCEPTED, "")], id="SMSC up: sent over SMPP"),
    pytest.param(
        [smsc_down],
        "Infobip",
        [("SMSC", Outcome.FAILED, Category.NETWORK), ("Infobip", Outcome.ACCEPTED, "")],
        id="SMSC down: Infobip",
    ),
    pytest.param(
        [smsc_dropping],
        "Infobip",
        [("SMSC", Outcome.FAILED, Category.NETWORK), ("Infobip", Outcome.ACCEPTED, "")],
        id="SMSC dropping connections (Simulators page): Infobip",
    ),
    pytest.param(
        [smsc_down, infobip_broke],
        "Twilio",
        [
            ("SMSC", Outcome.FAILED, Category.NETWORK),
            ("Infobip", Outcome.FAILED, Category.BALANCE),
            ("Twilio", Outcome.ACCEPTED, ""),
        ],
        id="SMSC down, Infobip out of credit: Twilio",
    ),
    pytest.param(
        [smsc_throttled, infobip_broke],
        "Twilio",
        [
            ("SMSC", Outcome.FAILED, Category.RATE_LIMIT),
            ("Infobip", Outcome.FAILED, Category.BALANCE),
            ("Twilio", Outcome.ACCEPTED, ""),
        ],
        id="SMSC throttling, Infobip out of credit: Twilio",
    ),
]


@pytest.mark.parametrize(("faults", "sent_by", "attempts"), CASES)
def test_message_fails_over_down_the_mixed_chain(chain, faults, sent_by, attempts):
    for fault in faults:
        fault(chain)

    message = message_create(to="+905321234567", text="Kodunuz 4711")
    message.refresh_from_db()

    assert message.status == MessageStatus.SENT
    assert message.connector.name == sent_by
    assert [
        (a.connector_name, a.outcome, a.category) for a in message.attempts.order_by("id")
    ] == attempts
    received = ReceivedSms.objects.select_related("account__provider").get()
    assert received.text == "Kodunuz 4711"
    assert received.account.provider.slug == {"SMSC": "smsc", "Infobip": "infobip"}.get(
        sent_by, "twilio"
    )
    logged = repr(list(message.attempts.values_list("request__exchanges", "detail")))
    for secret in (SMSC.password, INFOBIP.password, TWILIO.password):
        assert secret not in logged
