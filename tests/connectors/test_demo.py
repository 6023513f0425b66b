"""The demo seed: one working connector per provider, each pointing at its running simulator."""

import io
from urllib.parse import urlsplit

import pytest

from connectors import demo
from connectors.gateway import connector_send
from connectors.models import Connector
from connectors.providers import all_providers
from connectors.providers.smsc import close_binds
from connectors.providers.types import OutboundSms
from connectors.simulators.models import ReceivedSms, SimulatorAccount
from connectors.simulators.setup import simulator_setups
from connectors.simulators.smsc import SmscSimulator

pytestmark = pytest.mark.django_db(transaction=True)


class _Command:
    def __init__(self) -> None:
        self.stdout = io.StringIO()


@pytest.fixture
def simulators(live_server, monkeypatch, settings):
    """The web simulators on the live server's port and the SMPP simulator on its own."""
    monkeypatch.setenv("PORT", str(urlsplit(live_server.url).port))
    smsc = SmscSimulator().start()
    settings.SMSCONSOLE_SMPP_SIMULATOR_PORT = smsc.port
    yield
    close_binds()
    smsc.stop()


def test_seed_makes_one_connector_per_provider_and_each_sends(simulators):
    demo.seed(_Command())

    connectors = list(Connector.objects.order_by("priority"))
    assert sorted(c.provider for c in connectors) == sorted(all_providers())
    for connector in connectors:
        to = simulator_setups()[connector.provider].to
        message = OutboundSms(id=connector.pk, to=to, text=f"Demo via {connector.name}")
        (result,) = connector_send(connector=connector, messages=[message], log=[])
        assert result.provider_message_id, (connector.name, result.detail)
    assert ReceivedSms.objects.count() == len(connectors)


def test_seed_twice_changes_nothing(simulators):
    demo.seed(_Command())
    first = (Connector.objects.count(), SimulatorAccount.objects.count())

    second = _Command()
    demo.seed(second)

    assert (Connector.objects.count(), SimulatorAccount.objects.count()) == first
    assert "created" not in second.stdout.getvalue()


def test_seed_leaves_connectors_out_when_simulators_are_off(settings):
    settings.SMSCONSOLE_SIMULATORS = False

    demo.seed(_Command())

    assert not Connector.objects.exists()
