"""Provider faults injected per request over real sockets: each ends in its documented category
(connectors/providers/http.py) and the message fails over to the next connector, which sends it."""

import time

import pytest

from connectors.simulators.models import ReceivedSms
from connectors.simulators.services import simulator_account_ensure
from messaging.models import MessageStatus
from messaging.services import message_create
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Jet-s3cret-Pa55"


@pytest.fixture
def backup_connector(simulator_url):
    """The second connector in line: Jet SMS through its simulator over real HTTP."""
    simulator_account_ensure(
        slug="jetsms", username="backup", password=PASSWORD, sender_titles=["ACME"]
    )
    return ConnectorFactory(
        name="Backup",
        priority=20,
        username="backup",
        password=PASSWORD,
        sender_list=["ACME"],
        options={"base_url": simulator_url("jetsms"), "timeout_seconds": 2, "max_length": 612},
    )


def _faulty_connector(base_url: str):
    return ConnectorFactory(
        name="Faulty",
        priority=10,
        username="faulty",
        password=PASSWORD,
        sender_list=["ACME"],
        options={"base_url": base_url, "timeout_seconds": 1, "max_length": 612},
    )


@pytest.mark.parametrize(
    ("fault", "category"),
    [
        ("refused", "network"),
        ("reset", "network"),
        ("http_500", "provider_error"),
        ("garbage", "unknown"),
        ("stall", "timeout"),
    ],
    ids=["connection-refused", "reset-mid-answer", "http-500", "garbage-body", "20s-stall"],
)
def test_provider_fault_ends_in_its_category_and_fails_over(
    fault, category, fault_server, refused_url, backup_connector
):
    base_url = refused_url if fault == "refused" else fault_server(fault).url
    faulty = _faulty_connector(base_url)
    started = time.monotonic()

    message = message_create(to="+905321234567", text=f"Fault {fault}")

    message.refresh_from_db()
    first, second = message.attempts.order_by("started_at", "id")
    assert (first.connector_id, first.outcome, first.category) == (faulty.pk, "failed", category)
    assert first.exchanges, "the failed exchange is recorded"
    assert "\x00" not in str(first.exchanges)  # PostgreSQL cannot store NUL: it is replaced
    assert (second.connector_id, second.outcome) == (backup_connector.pk, "accepted")
    assert message.status == MessageStatus.SENT
    assert message.connector_id == backup_connector.pk
    assert ReceivedSms.objects.filter(text=f"Fault {fault}").count() == 1
    # The 20 s stall is cut off by the connector's 1 s timeout, not waited out.
    assert time.monotonic() - started < 10
