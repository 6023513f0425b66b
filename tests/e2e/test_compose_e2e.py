"""Compose a message in the browser, watch it go sent, open its detail page."""

import re

import pytest
from playwright.sync_api import expect

from connectors.simulators.services import simulator_account_ensure
from tests.factories import ConnectorFactory

PASSWORD = "Jet-s3cret-Pa55"


@pytest.fixture
def jet_connector(transactional_db, live_server):
    simulator_account_ensure(
        slug="jetsms", username="acme", password=PASSWORD, sender_titles=["ACME", "ACMEINFO"]
    )
    return ConnectorFactory(
        name="Jet SMS main", provider="jetsms", username="acme", password=PASSWORD,
        sender_list=["ACME", "ACMEINFO"],
        options={"base_url": f"{live_server.url}/simulators/jetsms", "timeout_seconds": 5,
                 "max_length": 160},
    )  # fmt: skip


def test_compose_send_and_open_the_sent_message(signed_in_page, live_server, jet_connector):
    page = signed_in_page
    page.goto(f"{live_server.url}/compose/")

    page.fill("#id_to", "0532 123 45 67")
    page.select_option("#id_sender", "ACMEINFO")
    page.fill("#id_text", "Şişli'de ılık bir gün")
    expect(page.locator('[data-counter="encoding"]')).to_have_text("GSM-7 Turkish")
    expect(page.locator('[data-counter="characters"]')).to_have_text("21")

    page.fill("#id_text", "x" * 170)
    expect(page.locator("#counter-skips")).to_contain_text("Jet SMS main")
    page.fill("#id_text", "Şişli'de ılık bir gün")
    expect(page.locator("#counter-skips")).to_have_count(0)

    page.click("#send-button")
    expect(page.locator("#sent-notice")).to_be_visible()
    expect(page.locator("#sent-notice .health")).to_have_text("Sent")

    page.click("#sent-link")
    expect(page).to_have_url(re.compile(r"/messages/\d+/$"))
    expect(page.locator("#message-status")).to_have_text("Sent")
    expect(page.locator(".attempt")).to_have_count(1)
    expect(page.locator(".attempt pre.exchange").first).to_contain_text("<gsmnos>905321234567")
    assert PASSWORD not in page.content()
