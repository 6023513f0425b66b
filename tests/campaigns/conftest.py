"""Campaign fixtures: a Jet SMS connector on its simulator over real HTTP, CSV uploads in memory."""

import io

import pytest

from connectors.simulators.services import simulator_account_ensure
from tests.factories import ConnectorFactory

PASSWORD = "Jet-s3cret-Pa55"
SENDERS = ["ACME", "ACMEINFO"]


@pytest.fixture
def jet_connector(simulator_url):
    """A working Jet SMS connector whose account at the simulator has plenty of balance."""
    simulator_account_ensure(
        slug="jetsms",
        username="campaigns",
        password=PASSWORD,
        sender_titles=SENDERS,
        balance=100_000,
    )
    return ConnectorFactory(
        name="Jet SMS",
        provider="jetsms",
        priority=10,
        username="campaigns",
        password=PASSWORD,
        sender_list=SENDERS,
        options={"base_url": simulator_url("jetsms"), "timeout_seconds": 5, "max_length": 612},
    )


@pytest.fixture
def idle_connector(db):
    """An active connector nothing is sent through (messages stay queued): for intake tests."""
    return ConnectorFactory(sender_list=SENDERS)


def csv_upload(content: str | bytes, name: str = "recipients.csv") -> io.BytesIO:
    """An uploaded CSV as the services get it: a binary file with a name."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    upload = io.BytesIO(data)
    upload.name = name
    return upload


@pytest.fixture
def josms_connector(simulator_url):
    """A JoSMS connector (bulk requests of up to 120 numbers) on its simulator over real HTTP."""
    simulator_account_ensure(
        slug="josms", username="campaigns-jo", password=PASSWORD, sender_titles=SENDERS,
        balance=100_000, max_text_length=800,
    )  # fmt: skip
    return ConnectorFactory(
        name="JoSMS", provider="josms", priority=10, username="campaigns-jo", password=PASSWORD,
        sender_list=SENDERS, options={"base_url": simulator_url("josms"), "timeout_seconds": 5},
    )  # fmt: skip
