"""Messaging fixtures: Jet SMS simulator accounts and connectors pointed at them over real HTTP."""

import pytest
from django_q.brokers import get_broker
from django_q.conf import Conf

from connectors.simulators.models import FailureMode
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import simulated_provider_set_mode, simulator_account_ensure
from tests.factories import ConnectorFactory

PASSWORD = "Jet-s3cret-Pa55"
SENDERS = ["ACME", "ACMEINFO"]
TURKISH_MOBILE = "+905321234567"


@pytest.fixture
def jet_account():
    """make(username, balance=...) → a Jet SMS simulator account with the shared password."""

    def make(username: str, *, balance: int = 1000):
        account, _ = simulator_account_ensure(
            slug="jetsms", username=username, password=PASSWORD, sender_titles=SENDERS,
            balance=balance,
        )  # fmt: skip
        return account

    return make


@pytest.fixture
def jet_connector(jet_account, simulator_url):
    """make(name, priority, **fields) → a Jet SMS connector with its own simulator account
    (another provider speaking the Jet SMS protocol may be given as provider=)."""

    def make(name: str, priority: int, *, balance: int = 1000, **fields):
        jet_account(name, balance=balance)
        options = {"base_url": simulator_url("jetsms"), "timeout_seconds": 2, "max_length": 612}
        options.update(fields.pop("options", {}))
        fields = {
            "provider": "jetsms", "username": name, "password": PASSWORD, "sender_list": SENDERS,
            **fields,
        }  # fmt: skip
        return ConnectorFactory(name=name, priority=priority, options=options, **fields)

    return make


@pytest.fixture
def jet_mode(jet_account):
    """set(mode) → put the Jet SMS simulator in a failure mode (or back to normal)."""
    jet_account("mode-holder")

    def set_mode(mode: str = FailureMode.NONE):
        simulated_provider_set_mode(
            provider=simulated_provider_get(slug="jetsms"), failure_mode=mode
        )

    return set_mode


JOSMS_PASSWORD = "Jo-s3cret-Pa55"
TWILIO_SID, TWILIO_TOKEN = "AC" + "0123456789abcdef" * 2, "twilio-auth-t0ken-secret"
JO_SENDERS = ["ACME", "ACME JO"]


@pytest.fixture
def josms_connector(simulator_url):
    """make(name, priority, balance=..., **fields) → a JoSMS connector (bulk requests of 120)."""

    def make(name: str, priority: int, *, balance: int = 10_000, **fields):
        simulator_account_ensure(
            slug="josms", username=name, password=JOSMS_PASSWORD, sender_titles=JO_SENDERS,
            balance=balance, max_text_length=800,
        )  # fmt: skip
        options = {"base_url": simulator_url("josms"), "timeout_seconds": 5}
        options.update(fields.pop("options", {}))
        fields = {"username": name, "password": JOSMS_PASSWORD, "sender_list": JO_SENDERS, **fields}
        return ConnectorFactory(
            name=name, provider="josms", priority=priority, options=options, **fields
        )

    return make


@pytest.fixture
def twilio_connector(simulator_url):
    """A Twilio connector (no bulk request; any country) after the JoSMS ones."""
    simulator_account_ensure(
        slug="twilio", username=TWILIO_SID, password=TWILIO_TOKEN, sender_titles=JO_SENDERS
    )
    return ConnectorFactory(
        name="Twilio", provider="twilio", priority=90, username=TWILIO_SID,
        password=TWILIO_TOKEN, sender_list=JO_SENDERS,
        options={"base_url": simulator_url("twilio"), "timeout_seconds": 5},
    )  # fmt: skip


@pytest.fixture
def broker(monkeypatch):
    """Tasks wait in the broker (as with workers running) instead of running at once."""
    monkeypatch.setattr(Conf, "SYNC", False)
    waiting = get_broker()
    waiting.purge_queue()
    yield waiting
    waiting.purge_queue()
