"""Demo data: a simulator account per provider and a connector pointing at that simulator."""

import os

from django.conf import settings

from connectors.models import Connector
from connectors.providers import get_provider
from connectors.services import connector_create
from connectors.simulators.services import simulator_account_set_receipt_url
from connectors.simulators.setup import simulator_setups


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
    web_url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    for setup in simulator_setups().values():
        account, created = setup.account_ensure(password=setup.new_password())
        state = "created" if created else "exists"
        command.stdout.write(
            f"Simulator account {setup.simulator_slug}:{account.username} {state} "
            f"({account.balance} SMS)."
        )
        name = _demo_name(get_provider(setup.provider).name)
        connector = Connector.objects.filter(name=name).first()
        if connector is not None:
            command.stdout.write(f"Connector “{name}” exists (unchanged).")
        else:
            connector = connector_create(
                name=name, **setup.connector_fields(web_url=web_url, password=account.password)
            )
            command.stdout.write(f"Connector “{name}” created → {setup.shown(web_url)}.")
        if setup.receipt_webhook and not account.receipt_url:
            # What an operator does in the provider's panel: paste the connector's receipt URL.
            simulator_account_set_receipt_url(account=account, url=web_url + connector.receipt_path)
