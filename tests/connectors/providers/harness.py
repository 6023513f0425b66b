"""How each HTTP provider is reached in tests: its simulator account, a connector and a message.

A provider's test module names its provider with `SETUP = SETUPS["<slug>"]`; the fixtures in
conftest.py build the account and connector from it, and the shared tables (test_transport.py,
test_secrets.py) run once per entry of SETUPS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from connectors.models import Connector
from connectors.providers import get_provider
from connectors.providers.base import CannotCarry, Exchange, OutboundSms, ProviderError
from connectors.simulators.models import ReceivedSms, SimulatorAccount
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import simulated_provider_set_mode, simulator_account_ensure
from tests.factories import ConnectorFactory


@dataclass(frozen=True)
class SimulatorSetup:
    """One provider against its simulator: credentials, sender titles, options, a carriable number."""

    slug: str
    username: str
    password: str
    sender_titles: tuple[str, ...]  # approved at the simulator
    # Exchanges must show this, proof that redaction happened rather than that nothing was sent.
    redaction_shown: str
    to: str = "+905321234567"
    text: str = "Kodunuz 1234"
    unapproved_titles: tuple[str, ...] = ()  # listed on the connector, unknown to the simulator
    options: dict[str, Any] = field(default_factory=dict)
    account_username: str = ""  # the simulator's login, when it is not the connector's user name
    max_text_length: int = 612
    path: str = ""  # after the simulator's URL: the generic connector is given its send URL

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.username, self.password)

    def account(self) -> SimulatorAccount:
        """The simulator account the connector's credentials open."""
        account, _ = simulator_account_ensure(
            slug=self.slug,
            username=self.account_username or self.username,
            password=self.password,
            sender_titles=list(self.sender_titles),
            max_text_length=self.max_text_length,
        )
        return account

    def connector(self, simulator_url: str, *, options=None, **fields: Any) -> Connector:
        """A connector to the simulator, its options validated as the console would store them."""
        base = {"base_url": simulator_url + self.path, "timeout_seconds": 2, **self.options}
        return ConnectorFactory(
            **{
                "provider": self.slug,
                "username": self.username,
                "password": self.password,
                "sender_list": [*self.sender_titles, *self.unapproved_titles],
                "options": get_provider(self.slug).clean_options({**base, **(options or {})}),
                **fields,
            }
        )

    def message(self, **changes: Any) -> OutboundSms:
        """A message the connector carries (changes make one it may not)."""
        return OutboundSms(**{"id": 7, "to": self.to, "text": self.text, **changes})

    def set_mode(self, mode: str, **values: Any) -> None:
        """Put the provider's simulator into a failure mode."""
        simulated_provider_set_mode(
            provider=simulated_provider_get(slug=self.slug), failure_mode=mode, **values
        )


GENERIC_FORM = (
    "to={{to_no_plus}}&text={{text}}&from={{sender}}&ref={{id}}&user={{username}}&pass={{password}}"
)

SETUPS = {
    setup.slug: setup
    for setup in [
        SimulatorSetup(
            slug="iletimerkezi",
            username="3ea65b1e8ba0f00d",
            password="9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c",
            sender_titles=("ACME", "ACME INFO"),
            redaction_shown="key=***&hash=***",
            text="Siparişiniz yola çıktı",
            options={"iys_list": "TACIR"},
            max_text_length=1071,
        ),
        SimulatorSetup(
            slug="jetsms",
            username="acme-jet",
            password="Jet-s3cret-Pa55",
            sender_titles=("ACME", "ACMEINFO"),
            redaction_shown="<password>***</password>",
            options={"max_length": 160},
        ),
        SimulatorSetup(
            slug="josms",
            username="acme-jo",
            password="Jo-s3cret-Pa55",
            sender_titles=("ACME", "ACME JO"),
            redaction_shown="'Authorization': '***'",
            to="+962791234567",
            text="Your code is 1234",
            max_text_length=800,
        ),
        SimulatorSetup(
            slug="mobildev",
            username="acme",
            password="Mobil-s3cret",
            sender_titles=("ACME", "ACMEINFO"),
            redaction_shown="<PassWord>***</PassWord>",
            unapproved_titles=("UNAPPROVED",),
            options={"company_code": "4821"},
            account_username="acme-4821",
        ),
        SimulatorSetup(
            slug="infobip",
            username="acme-ib",
            password="0123456789abcdef-ib-key",
            sender_titles=("ACME", "ACMEINFO"),
            redaction_shown="'Authorization': '***'",
            unapproved_titles=("UNAPPROVED",),
            options={"auth": "app"},
        ),
        SimulatorSetup(
            slug="twilio",
            username="AC" + "0123456789abcdef" * 2,
            password="twilio-auth-t0ken-secret",
            sender_titles=("+15005550006", "ACME"),
            redaction_shown="/Accounts/***/Messages.json",
            text="Your code is 1234",
            unapproved_titles=("+15005550001",),
        ),
        SimulatorSetup(
            slug="http",
            username="acme-http",
            password="Http-s3cret-key",
            sender_titles=("ACME",),
            redaction_shown="user=%2A%2A%2A&pass=%2A%2A%2A",  # form bodies keep * encoded
            unapproved_titles=("OTHER",),
            options={
                "method": "POST",
                "content_type": "form",
                "body_template": GENERIC_FORM,
                "auth": "fields",
                "success_pattern": "^OK",
                "id_pattern": r"^OK (\d+)",
            },
            path="/send",
        ),
    ]
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


def send_refused(
    setup: SimulatorSetup, connector: Connector, message: OutboundSms
) -> ProviderError:
    """Send a message that must fail: nothing reaches the simulator's inbox, no secret is recorded."""
    with pytest.raises(ProviderError) as caught:
        get_provider(connector.provider).send(connector=connector, message=message)
    assert not ReceivedSms.objects.exists()
    for secret in setup.secrets:
        assert secret not in recorded(caught.value.exchanges)
    return caught.value


def send_skipped(connector: Connector, message: OutboundSms) -> CannotCarry:
    """Send a message the connector cannot carry: skipped before any exchange."""
    with pytest.raises(CannotCarry) as caught:
        get_provider(connector.provider).send(connector=connector, message=message)
    assert caught.value.exchanges == []
    return caught.value
