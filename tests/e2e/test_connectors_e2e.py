"""A marketer adds a connector, moves it up and switches it off, in a real browser."""

from playwright.sync_api import expect

from connectors.models import Connector
from tests.factories import ConnectorFactory


def _row_names(page) -> list[str]:
    return page.locator("#connector-rows tr").evaluate_all("rows => rows.map(r => r.dataset.name)")


def test_add_move_up_and_switch_off_a_connector(signed_in_page, live_server):
    page = signed_in_page
    ConnectorFactory(name="İleti Merkezi main", provider="iletimerkezi", priority=10)
    ConnectorFactory(name="Jet SMS backup", provider="jetsms", priority=60)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/connectors/")
    page.get_by_role("link", name="Add connector").click()
    page.click("[data-provider=josms]")
    expect(page.locator("label[for=id_username]")).to_contain_text("Account name")
    expect(page.locator("label[for=id_password]")).to_contain_text("Account password")
    page.fill("#id_name", "JoSMS Jordan")
    page.fill("#id_username", "acme-jo")
    page.fill("#id_password", "jo-Secret-1")
    page.fill("#id_sender_list", "ACME JO\nACME")
    page.fill("#id_opt_base_url", "http://127.0.0.1:9")
    page.get_by_role("button", name="Add connector").click()

    expect(page.locator(".alert-success")).to_contain_text("Connector “JoSMS Jordan” added")
    assert _row_names(page) == ["İleti Merkezi main", "Jet SMS backup", "JoSMS Jordan"]
    added = Connector.objects.get(name="JoSMS Jordan")
    row = page.locator(f"#connector-{added.pk}")
    expect(row.locator(".sender-chip")).to_have_text(["ACME JO", "ACME"])
    expect(row.locator(".health")).to_have_text("Healthy")
    expect(row.get_by_role("button", name="Move JoSMS Jordan down")).to_be_disabled()

    page.evaluate("window.samePage = true")  # lost if the page reloads
    row.get_by_role("button", name="Move JoSMS Jordan up").click()
    expect(page.locator("#connector-rows tr").nth(1)).to_have_attribute("data-name", "JoSMS Jordan")
    assert _row_names(page) == ["İleti Merkezi main", "JoSMS Jordan", "Jet SMS backup"]
    expect(
        page.locator(f"#connector-{added.pk}").get_by_role("button", name="Move JoSMS Jordan down")
    ).to_be_enabled()

    switch = page.locator(f"#active-{added.pk}")
    expect(switch).to_be_checked()
    switch.click()
    expect(page.locator(f"#connector-{added.pk} .health")).to_have_text("Inactive")
    expect(page.locator(f"#active-{added.pk}")).not_to_be_checked()
    assert page.evaluate("window.samePage") is True

    added.refresh_from_db()
    assert added.is_active is False
    assert added.priority < Connector.objects.get(name="Jet SMS backup").priority
    page.reload()
    assert _row_names(page) == ["İleti Merkezi main", "JoSMS Jordan", "Jet SMS backup"]
    expect(page.locator(f"#active-{added.pk}")).not_to_be_checked()
    assert "jo-Secret-1" not in page.content()
    assert errors == []
