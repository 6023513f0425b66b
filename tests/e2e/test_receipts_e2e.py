"""Browser: a campaign's bar fills with delivered and undelivered counts as receipts come in."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connectors.simulators.models import ReceivedSms
from connectors.simulators.receipts import simulator_receipts_push
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import (
    simulated_provider_set_receipts,
    simulator_account_set_receipt_url,
)
from messaging.campaigns.services import campaign_create
from tests.connectors.providers.harness import harness_setup

NUMBERS = ["+905321234561", "+905321234562", "+905321234563", "+905321234564"]


@pytest.fixture
def ileti_connector(transactional_db, live_server, settings):
    """An İleti Merkezi connector whose simulator pushes receipts to its webhook (by the test)."""
    settings.SMSCONSOLE_PUBLIC_URL = live_server.url
    setup = harness_setup("iletimerkezi")
    account = setup.account()
    connector = setup.connector(live_server.url, name="İleti Merkezi")
    simulator_account_set_receipt_url(account=account, url=connector.receipt_url)
    simulated_provider_set_receipts(
        provider=simulated_provider_get(slug="iletimerkezi"),
        delivered_percent=100,
        receipt_delay_seconds=3600,  # nothing is due until the test says so
    )
    return connector


def receipts_come(*, delivered: list[str], undelivered: list[str]) -> None:
    """The provider's receipts for these numbers fall due and are pushed."""
    due = timezone.now() - timedelta(seconds=1)
    ReceivedSms.objects.filter(number__in=[n.lstrip("+") for n in delivered]).update(
        receipt_state="delivered", receipt_due_at=due
    )
    ReceivedSms.objects.filter(number__in=[n.lstrip("+") for n in undelivered]).update(
        receipt_state="undelivered", receipt_due_at=due
    )
    simulator_receipts_push()


def test_the_campaign_bar_shows_receipts_coming_in(signed_in_page, live_server, ileti_connector):
    campaign = campaign_create(
        name="Receipts", text="Kampanya", kind="transactional", pasted="\n".join(NUMBERS),
        start=True,
    )  # fmt: skip
    page = signed_in_page
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    expect(page.locator("#count-sent")).to_have_text("4", timeout=20_000)
    expect(page.locator("#count-delivery-pending")).to_have_text("4")

    receipts_come(delivered=NUMBERS[:2], undelivered=NUMBERS[2:3])

    expect(page.locator("#count-delivered")).to_have_text("2", timeout=10_000)
    expect(page.locator("#count-undelivered")).to_have_text("1")
    expect(page.locator("#count-delivery-pending")).to_have_text("1")

    receipts_come(delivered=NUMBERS[3:], undelivered=[])

    expect(page.locator("#count-delivered")).to_have_text("3", timeout=10_000)
    expect(page.locator("#count-delivery-pending")).to_have_text("0")
    bar = page.locator("#campaign-progress .campaign-bar .bg-success")
    expect(bar).to_have_attribute("title", "Delivered 3")
