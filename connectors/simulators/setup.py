"""How a connector of each provider reaches its simulator, declared once per simulator module.

The simulator module of a provider is `connectors.simulators.<provider slug>`. It declares `SETUP`
(the simulator account and the connector that signs in to it) and `urlpatterns` (its endpoints,
built from the adapter's path constants). The demo seed, the simulator URLs and the provider
tests all read them through this registry, so a provider's setup is written in one place.
"""

from __future__ import annotations

import importlib
import importlib.util
import secrets
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, ClassVar

from django.conf import settings

from connectors.providers import all_providers
from connectors.simulators.models import SimulatorAccount
from connectors.simulators.services import simulator_account_ensure


@dataclass(frozen=True)
class SimulatorSetup:
    """One provider's connector against its simulator: credentials, sender titles, options."""

    over_http: ClassVar[bool] = True

    provider: str
    username: str  # the connector's user name
    sender_titles: tuple[str, ...]  # approved at the simulator and listed on the connector
    options: dict[str, Any] = field(default_factory=dict)  # besides where the simulator is
    simulator: str = ""  # the simulator's slug, when it is not the provider's own
    account_username: str = ""  # the simulator's login, when it is not the connector's user name
    max_text_length: int = 612  # the longest text the simulator account takes
    path: str = ""  # after the simulator's URL, for connectors that are given their send URL
    password_length: int = 32  # characters of a generated password
    to: str = "+905321234567"  # a number the simulator accepts
    text: str = "Kodunuz 1234"  # a text the connector carries
    # What the exchange log shows in place of the credentials (tests check redaction happened).
    redacted_as: str = ""
    # Whether receipts go to a webhook set in the provider's panel (the demo sets it to the
    # connector's receipt URL) rather than to a callback URL sent with each message.
    receipt_webhook: bool = False

    @property
    def simulator_slug(self) -> str:
        return self.simulator or self.provider

    def new_password(self) -> str:
        """A fresh random password the provider accepts."""
        return secrets.token_hex(self.password_length // 2)

    def account_ensure(
        self, *, password: str, balance: int = 1000
    ) -> tuple[SimulatorAccount, bool]:
        """The simulator account the connector signs in to, created if missing; (account, created)."""
        return simulator_account_ensure(
            slug=self.simulator_slug,
            username=self.account_username or self.username,
            password=password,
            sender_titles=list(self.sender_titles),
            balance=balance,
            max_text_length=self.max_text_length,
        )

    def address(self, web_url: str) -> dict[str, Any]:
        """The connector options that point it at the simulator served by the site at web_url."""
        return {"base_url": f"{web_url}/simulators/{self.simulator_slug}{self.path}"}

    def shown(self, web_url: str) -> str:
        """Where the connector is pointed, in one line."""
        return self.address(web_url)["base_url"]

    def connector_fields(self, *, web_url: str, password: str) -> dict[str, Any]:
        """The fields of a connector that talks to the simulator with this password."""
        return {
            "provider": self.provider,
            "username": self.username,
            "password": password,
            "sender_list": list(self.sender_titles),
            "options": {**self.address(web_url), **self.options},
        }


@dataclass(frozen=True)
class SmppSetup(SimulatorSetup):
    """A connector to the SMPP simulator is given its host and port (run_smpp_simulator serves it)."""

    over_http = False

    def address(self, web_url: str) -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": settings.SMSCONSOLE_SMPP_SIMULATOR_PORT}

    def shown(self, web_url: str) -> str:
        where = self.address(web_url)
        return f"smpp://{where['host']}:{where['port']}"


def simulator_modules() -> dict[str, ModuleType]:
    """The simulator module of each configured provider that has one, by provider slug."""
    modules = {}
    for slug in all_providers():
        name = f"{__package__}.{slug}"
        if importlib.util.find_spec(name) is not None:
            modules[slug] = importlib.import_module(name)
    return modules


def simulator_setups() -> dict[str, SimulatorSetup]:
    """Each configured provider's simulator setup, in the providers' default priority order."""
    return {slug: module.SETUP for slug, module in simulator_modules().items()}
