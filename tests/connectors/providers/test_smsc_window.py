"""The SMPP window: several submit_sm outstanding on one bind before the first answer, answered
out of order by a simulated SMSC that takes its time, matched back by sequence number."""

import pytest

from connectors.gateway import connector_requests, connector_send
from connectors.providers.smsc.provider import WINDOW
from connectors.providers.types import OutboundSms, Outcome
from connectors.simulators.models import ReceivedSms, SimulatedProvider
from tests.connectors.providers.test_smsc import smsc, smsc_connector  # noqa: F401 fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_smsc(smsc, settings):  # noqa: F811 the fixture above
    """The simulated SMSC answering every submit_sm after 0.5 to 1.5 s (out of order): longer
    than it takes to read a window of them, even on a busy database."""
    settings.SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT = 50
    SimulatedProvider.objects.filter(slug="smsc").update(latency_ms=1000)
    return smsc


def messages(count: int, text: str = "Your code is 1234") -> list[OutboundSms]:
    return [
        OutboundSms(id=n + 1, to=f"+9053212345{n:02d}", text=text, sender="ACME")
        for n in range(count)
    ]


def test_a_window_of_messages_is_outstanding_before_the_first_answer(slow_smsc):
    connector = smsc_connector(slow_smsc, options={"timeout_seconds": 5})
    batch = messages(WINDOW)
    assert connector_requests(connector=connector, messages=batch) == [batch]  # one request

    results = connector_send(connector=connector, messages=batch, log=[])

    assert slow_smsc.outstanding_peak == WINDOW
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * WINDOW
    by_number = {f"+{r.number}": str(r.order_id) for r in ReceivedSms.objects.all()}
    assert [r.provider_message_id for r in results] == [by_number[m.to] for m in batch]


def test_the_parts_of_a_long_message_are_outstanding_together(slow_smsc):
    connector = smsc_connector(slow_smsc, options={"timeout_seconds": 5})
    (result,) = connector_send(connector=connector, messages=messages(1, "x" * 400), log=[])

    assert result.outcome == Outcome.ACCEPTED
    assert slow_smsc.outstanding_peak == 3
    assert ReceivedSms.objects.get().text == "x" * 400


def test_one_refused_number_in_a_window_sinks_no_other(slow_smsc):
    connector = smsc_connector(slow_smsc, options={"timeout_seconds": 5})
    batch = messages(4)
    batch[1] = OutboundSms(id=2, to="+90", text=batch[1].text, sender="ACME")  # no such number

    results = connector_send(connector=connector, messages=batch, log=[])

    assert [r.outcome for r in results] == [
        Outcome.ACCEPTED,
        Outcome.FAILED,
        Outcome.ACCEPTED,
        Outcome.ACCEPTED,
    ]
    assert ReceivedSms.objects.count() == 3
