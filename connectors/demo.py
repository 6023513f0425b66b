"""Demo data: a simulator account per provider and a connector pointing at that simulator."""

import os
import secrets

from connectors.models import Connector
from connectors.providers import UnknownProvider, get_provider
from connectors.services import connector_create
from connectors.simulators.services import simulator_account_ensure

# One entry per simulated provider: its account at the simulator and the connector's options.
DEMO_CONNECTORS = [
    {
        "slug": "iletimerkezi",
        "username": "demo-iletimerkezi-key",
        "sender_titles": ["ACME", "ACME INFO"],
        "max_text_length": 1071,
        "options": {"iys_list": "BIREYSEL"},
    },
    {
        "slug": "jetsms",
        "username": "demo-jetsms",
        "sender_titles": ["ACME", "ACMEINFO"],
        "max_text_length": 612,
        "options": {"max_length": 612},
    },
    {
        "slug": "josms",
        "username": "demo-josms",
        "sender_titles": ["ACME", "ACME JO"],
        "max_text_length": 800,
        "options": {},
    },
]


def seed(command) -> None:
    """Create what is missing; running it again changes nothing."""
    port = os.environ.get("PORT", "8000")
    for demo in DEMO_CONNECTORS:
        try:
            provider = get_provider(demo["slug"])
        except UnknownProvider:
            continue
        account, created = simulator_account_ensure(
            slug=demo["slug"],
            username=demo["username"],
            password=secrets.token_urlsafe(16),
            sender_titles=demo["sender_titles"],
            balance=1000,
            max_text_length=demo["max_text_length"],
        )
        state = "created" if created else "exists"
        command.stdout.write(
            f"Simulator account {demo['slug']}:{account.username} {state} ({account.balance} SMS)."
        )
        name = f"{provider.name} (simulator)"
        if Connector.objects.filter(name=name).exists():
            command.stdout.write(f"Connector “{name}” exists (unchanged).")
            continue
        base_url = f"http://127.0.0.1:{port}/simulators/{demo['slug']}"
        connector_create(
            name=name,
            provider=demo["slug"],
            username=account.username,
            password=account.password,
            sender_list=demo["sender_titles"],
            options={"base_url": base_url, **demo["options"]},
        )
        command.stdout.write(f"Connector “{name}” created → {base_url}.")
