"""Demo data: a simulator account per provider and a connector pointing at that simulator."""

import os
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from connectors.models import Connector
from connectors.providers import UnknownProvider, get_provider
from connectors.services import connector_create
from connectors.simulators.services import simulator_account_ensure

DEMO_TWILIO_SID = "AC" + "5ca1ab1e" * 4  # a Twilio account SID is AC and 32 hex digits
MOBILDEV_COMPANY_CODE = "mb1000"
GENERIC_JSON_BODY = '{"to": "{{to}}", "text": "{{text}}", "from": "{{sender}}", "ref": "{{id}}"}'


@dataclass(frozen=True)
class DemoConnector:
    """One demo connector and the simulator account it signs in to."""

    provider: str
    username: str  # the connector's user name
    sender_titles: list[str]
    max_text_length: int
    path: str = ""  # appended to /simulators/<simulator>; empty for SMPP (host and port instead)
    simulator: str = ""  # simulator slug when it is not the provider's own
    account_username: str = ""  # the simulator's user name when it differs from the connector's
    options: dict[str, Any] = field(default_factory=dict)
    password_bytes: int = 16

    @property
    def simulator_slug(self) -> str:
        return self.simulator or self.provider


DEMO_CONNECTORS = [
    DemoConnector(
        "iletimerkezi",
        "demo-iletimerkezi-key",
        ["ACME", "ACME INFO"],
        1071,
        options={"iys_list": "BIREYSEL"},
    ),
    DemoConnector(
        "mobildev",
        "acme",
        ["ACME", "ACMEINFO"],
        1000,
        # Mobildev signs in as <user>-<company code>; the connector keeps the code as an option.
        account_username=f"acme-{MOBILDEV_COMPANY_CODE}",
        options={"company_code": MOBILDEV_COMPANY_CODE},
    ),
    DemoConnector(
        "figensoft",
        "demo-figensoft",
        ["ACME", "ACMEINFO"],
        918,
        path="/send",
        simulator="http",
        options={
            "method": "POST",
            "content_type": "form",
            "body_template": (
                "to={{to_no_plus}}&text={{text}}&from={{sender}}&ref={{id}}"
                "&user={{username}}&pass={{password}}"
            ),
            "auth": "fields",
            "success_pattern": "^OK",
            "id_pattern": r"^OK (\d+)",
        },
    ),
    DemoConnector("infobip", "demo-infobip", ["ACME", "ACMEINFO"], 1600, options={"auth": "app"}),
    DemoConnector(
        "smsc",
        "acme-smpp",
        ["ACME", "ACMEINFO"],
        1530,
        password_bytes=4,  # SMPP 3.4 passwords have at most 8 characters
        options={"data_coding": "gsm", "source_ton": "auto", "source_npi": "auto"},
    ),
    DemoConnector(
        "jetsms",
        "demo-jetsms",
        ["ACME", "ACMEINFO"],
        612,
        options={"max_length": 612},
    ),
    DemoConnector("twilio", DEMO_TWILIO_SID, ["ACME", "ACMEINFO"], 1600),
    DemoConnector("josms", "demo-josms", ["ACME", "ACME JO"], 800),
    DemoConnector(
        "http",
        "demo-generic",
        ["ACME", "ACMEINFO"],
        918,
        path="/send",
        options={
            "method": "POST",
            "content_type": "json",
            "body_template": GENERIC_JSON_BODY,
            "auth": "basic",
            "success_pattern": r'"status":\s*"OK"',
            "id_json_path": "message_id",
        },
    ),
]


def _demo_name(provider_name: str) -> str:
    """The demo connector's name: Twilio (simulator), but SMSC (SMPP, simulator)."""
    if provider_name.endswith(")"):
        return f"{provider_name[:-1]}, simulator)"
    return f"{provider_name} (simulator)"


def seed(command) -> None:
    """Create what is missing; running it again changes nothing."""
    if not settings.SMSCONSOLE_SIMULATORS:
        command.stdout.write("Simulators are off (SMSCONSOLE_SIMULATORS): no demo connectors.")
        return
    web_port = os.environ.get("PORT", "8000")
    for demo in DEMO_CONNECTORS:
        try:
            provider = get_provider(demo.provider)
        except UnknownProvider:
            continue
        account, created = simulator_account_ensure(
            slug=demo.simulator_slug,
            username=demo.account_username or demo.username,
            password=secrets.token_hex(demo.password_bytes),
            sender_titles=demo.sender_titles,
            balance=1000,
            max_text_length=demo.max_text_length,
        )
        state = "created" if created else "exists"
        command.stdout.write(
            f"Simulator account {demo.simulator_slug}:{account.username} {state} "
            f"({account.balance} SMS)."
        )
        name = _demo_name(provider.name)
        if Connector.objects.filter(name=name).exists():
            command.stdout.write(f"Connector “{name}” exists (unchanged).")
            continue
        if demo.provider == "smsc":
            where = {"host": "127.0.0.1", "port": settings.SMSCONSOLE_SMPP_SIMULATOR_PORT}
            shown = f"smpp://127.0.0.1:{where['port']}"
        else:
            where = {
                "base_url": f"http://127.0.0.1:{web_port}/simulators/{demo.simulator_slug}"
                f"{demo.path}"
            }
            shown = where["base_url"]
        connector_create(
            name=name,
            provider=demo.provider,
            username=demo.username,
            password=account.password,
            sender_list=demo.sender_titles,
            options={**where, **demo.options},
        )
        command.stdout.write(f"Connector “{name}” created → {shown}.")
