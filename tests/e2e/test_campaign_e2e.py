"""Browser: upload a CSV, check the intake, send, and watch the progress bar reach 100%."""

import re

from playwright.sync_api import expect

from connectors.simulators.services import simulator_account_ensure
from tests.factories import ConnectorFactory

PASSWORD = "Jet-s3cret-Pa55"
CSV = '\ufeffphone;first_name\n+905321234567;Ayşe\n0532 123 45 68;"Yılmaz; Can"\n12345;Bad\n+905321234567;Again\n'


def test_campaign_from_csv_upload_reaches_100_percent(signed_in_page, live_server):
    simulator_account_ensure(
        slug="jetsms", username="e2e", password=PASSWORD, sender_titles=["ACME"], balance=1000
    )
    ConnectorFactory(
        name="Jet SMS",
        provider="jetsms",
        username="e2e",
        password=PASSWORD,
        sender_list=["ACME"],
        options={
            "base_url": f"{live_server.url}/simulators/jetsms",
            "timeout_seconds": 5,
            "max_length": 612,
        },
    )
    page = signed_in_page
    page.goto(f"{live_server.url}/campaigns/")
    page.get_by_role("link", name="New campaign").first.click()
    page.fill("#id_name", "Browser campaign")
    page.fill("#id_text", "Merhaba {{first_name}}!")
    page.set_input_files(
        "#id_file", files=[{"name": "list.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Import recipients").click()

    expect(page.locator("#recipient-count")).to_have_text("2")
    expect(page.locator("#rejected")).to_contain_text("already on line 2")
    expect(page.locator("#rejected")).to_contain_text("12345")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#send-now").click()

    bar = page.locator("#campaign-progress [role=progressbar]")
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=20_000)
    expect(page.locator("#progress-percent")).to_have_text("100%")
    expect(page.locator("#count-sent")).to_have_text("2")
    expect(page.locator("#campaign-status")).to_have_text(re.compile("Completed"))
