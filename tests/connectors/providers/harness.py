"""How each provider is reached in tests: its simulator account, a connector and a message.

The setup is the one the demo uses, declared once in the provider's simulator module
(connectors/simulators/<slug>.py). A provider's test module names it with
`SETUP = harness_setup("<slug>", ...)`, changing only what its table relies on; the fixtures in
conftest.py build the account and connector from it, and the shared tables (test_transport.py,
test_secrets.py) run once per entry of SETUPS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from connectors.gateway import connector_send
from connectors.models import Connector
from connectors.providers import get_provider
from connectors.providers.types import Exchange, MessageResult, OutboundSms, Outcome
from connectors.simulators.models import ReceivedSms, SimulatorAccount
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import simulated_provider_set_mode
from connectors.simulators.setup import SimulatorSetup, simulator_setups
from tests.factories import ConnectorFactory


@dataclass(frozen=True)
class HarnessSetup:
    """A provider's simulator setup with a password fixed for the run and test-only sender titles."""

    shared: SimulatorSetup
    password: str
    unapproved_titles: tuple[str, ...] = ()  # listed on the connector, unknown to the simulator

    @property
    def slug(self) -> str:
        return self.shared.provider

    @property
    def username(self) -> str:
        return self.shared.username

    @property
    def options(self) -> dict[str, Any]:
        return self.shared.options

    @property
    def path(self) -> str:
        return self.shared.path

    @property
    def redaction_shown(self) -> str:
        """Exchanges must show this: proof that redaction happened, not that nothing was sent."""
        return self.shared.redacted_as

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.username, self.password)

    def account(self) -> SimulatorAccount:
        """The simulator account the connector's credentials open."""
        return self.shared.account_ensure(password=self.password)[0]

    def fields(self, web_url: str, *, options=None, **changes: Any) -> dict[str, Any]:
        """The connector's fields, changed for one case (options merged into the setup's)."""
        fields = self.shared.connector_fields(web_url=web_url, password=self.password)
        fields["sender_list"] += self.unapproved_titles
        fields["options"] = {"timeout_seconds": 2, **fields["options"], **(options or {})}
        return {**fields, **changes}

    def connector(self, web_url: str, *, options=None, **changes: Any) -> Connector:
        """A connector to the simulator, its options validated as the console would store them."""
        fields = self.fields(web_url, options=options, **changes)
        fields["options"] = get_provider(self.slug).clean_options(fields["options"])
        return ConnectorFactory(**fields)

    def message(self, **changes: Any) -> OutboundSms:
        """A message the connector carries (changes make one it may not)."""
        return OutboundSms(**{"id": 7, "to": self.shared.to, "text": self.shared.text, **changes})

    def set_mode(self, mode: str, **values: Any) -> None:
        """Put the provider's simulator into a failure mode."""
        simulated_provider_set_mode(
            provider=simulated_provider_get(slug=self.shared.simulator_slug),
            failure_mode=mode,
            **values,
        )


def harness_setup(
    slug: str, *, unapproved_titles: tuple[str, ...] = (), **changes: Any
) -> HarnessSetup:
    """The provider's setup for its tests; `changes` are setup fields its test table relies on."""
    shared = replace(simulator_setups()[slug], **changes)
    return HarnessSetup(shared, shared.new_password(), unapproved_titles)


SETUPS = {
    slug: harness_setup(slug) for slug, setup in simulator_setups().items() if setup.over_http
}


def connector_change(connector: Connector, changes: dict[str, Any]) -> None:
    """Set connector fields for one case (unsaved); options are merged into the existing ones."""
    for name, value in changes.items():
        setattr(connector, name, {**connector.options, **value} if name == "options" else value)


def simulator_change(account: SimulatorAccount, changes: dict[str, Any]) -> None:
    """Put the simulator in one case's state: "mode" is a failure mode, other keys account fields."""
    for name, value in changes.items():
        if name == "mode":
            simulated_provider_set_mode(provider=account.provider, failure_mode=value)
        else:
            setattr(account, name, value)
    account.save()


def recorded(exchanges: list[Exchange]) -> str:
    """Everything stored about these exchanges, as one text to search for secrets."""
    return repr([exchange.as_dict() for exchange in exchanges])


def gateway_send(connector: Connector, message: OutboundSms) -> MessageResult:
    """Send one message as the dispatcher does: through the connector gateway."""
    (result,) = connector_send(connector=connector, messages=[message], log=[])
    return result


def send_accepted(connector: Connector, message: OutboundSms) -> MessageResult:
    """Send a message that must be accepted."""
    result = gateway_send(connector, message)
    assert result.outcome == Outcome.ACCEPTED, result.detail
    return result


def send_failed(connector: Connector, message: OutboundSms) -> MessageResult:
    """Send a message the provider must refuse (or the transport fail)."""
    result = gateway_send(connector, message)
    assert result.outcome == Outcome.FAILED, result
    return result


def send_refused(setup: HarnessSetup, connector: Connector, message: OutboundSms) -> MessageResult:
    """Send a message that must fail: nothing reaches the simulator's inbox, no secret is recorded."""
    result = send_failed(connector, message)
    assert not ReceivedSms.objects.exists()
    for secret in setup.secrets:
        assert secret not in recorded(result.exchanges)
    return result


def send_skipped(connector: Connector, message: OutboundSms) -> MessageResult:
    """Send a message the connector cannot carry: skipped by preflight, before any exchange."""
    result = gateway_send(connector, message)
    assert result.outcome == Outcome.SKIPPED, result
    assert result.exchanges == []
    return result
