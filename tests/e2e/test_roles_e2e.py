"""Browser: each role sees and does what its role allows, and nothing else."""

import re

import requests
from playwright.sync_api import expect

from connectors.simulators.services import simulator_account_ensure
from inbox.services import receive_connector_create
from messaging.campaigns.services import campaign_create
from tests.factories import ConnectorFactory

PASSWORD = "Jet-s3cret-Pa55"


def _jet_connector(simulator_url):
    simulator_account_ensure(
        slug="jetsms", username="roles", password=PASSWORD, sender_titles=["ACME"], balance=1000
    )
    return ConnectorFactory(
        name="Jet SMS",
        provider="jetsms",
        username="roles",
        password=PASSWORD,
        sender_list=["ACME"],
        options={"base_url": simulator_url("jetsms"), "timeout_seconds": 5},
    )


def _nav(page) -> list[str]:
    return page.locator(".sidebar .nav-list .nav-link span:first-of-type").all_inner_texts()


def test_a_marketer_runs_a_campaign_but_cannot_open_a_connectors_credentials(
    sign_in, live_server, simulator_url
):
    connector = _jet_connector(simulator_url)
    page = sign_in("marketer")

    page.goto(f"{live_server.url}/campaigns/new/")
    page.fill("#id_name", "Marketer campaign")
    page.fill("#id_text", "Merhaba!")
    page.fill("#id_pasted", "+905321234567\n+905321234568")
    page.get_by_role("button", name="Import recipients").click()
    expect(page.locator("#recipient-count")).to_have_text("2")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#send-now").click()
    expect(page.locator("#count-sent")).to_have_text("2", timeout=20_000)

    page.get_by_role("link", name="Connectors").click()
    row = page.locator(f"#connector-{connector.pk}")
    expect(row).to_contain_text("Jet SMS")
    expect(row.get_by_role("link")).to_have_count(0)
    expect(row.get_by_role("button")).to_have_count(0)
    expect(row.get_by_role("switch")).to_be_disabled()
    expect(page.get_by_role("link", name="Add connector")).to_have_count(0)
    assert "roles" not in page.content()  # the account name is a credential too

    response = page.goto(f"{live_server.url}/connectors/{connector.pk}/edit/")
    assert response.status == 403
    expect(page.locator("#forbidden")).to_contain_text("Your role (Marketer) does not allow this")
    expect(page.locator("input[type=password]")).to_have_count(0)


def test_an_agent_replies_from_the_inbox(sign_in, live_server, simulator_url):
    _jet_connector(simulator_url)
    receive_connector = receive_connector_create(name="Replies", receiver_numbers=["908501234567"])
    answer = requests.post(
        f"{live_server.url}/SMSReceiver",
        data={
            "ziel": "908501234567",
            "absender": "905321234567",
            "smstext": "Kargom nerede?",
            "token": receive_connector.token,
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    page = sign_in("agent")
    assert _nav(page) == ["Messages", "Delivery reports", "Inbox", "Opt-outs"]

    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("link", name="+905321234567").click()
    expect(page.locator(".bubble-row.in")).to_contain_text("Kargom nerede?")
    page.locator("textarea[name=text]").press_sequentially("Yarın teslim edilecek.")
    expect(page.locator("#sms-counter")).to_contain_text("GSM-7 Turkish")
    page.locator(".reply-box").get_by_role("button", name="Send reply").click()

    expect(page.locator(".alert-success")).to_contain_text("Reply to +905321234567 queued")
    expect(page.locator(".bubble-row.out")).to_contain_text("Yarın teslim edilecek.")


def test_a_viewer_changes_nothing(sign_in, live_server, simulator_url):
    _jet_connector(simulator_url)
    campaign = campaign_create(name="Read only", text="Hi", pasted="+905321234567")
    page = sign_in("viewer")
    labels = _nav(page)
    assert labels == [
        "Dashboard",
        "Messages",
        "Delivery reports",
        "Campaigns",
        "Templates",
        "Inbox",
    ]

    links = page.locator(".sidebar .nav-list .nav-link")
    for href in [links.nth(i).get_attribute("href") for i in range(links.count())] + [
        f"/campaigns/{campaign.pk}/"
    ]:
        page.goto(f"{live_server.url}{href}")
        # Signing out and choosing one's own language change nothing of the console's.
        changing = page.locator(
            "form[method=post]:not([action='/logout/']):not([action='/account/language/']),"
            " [hx-post]"
        )
        expect(changing).to_have_count(0)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for path, form in [
        (f"/campaigns/{campaign.pk}/start/", {}),
        ("/compose/", {"to": "+905321234567", "text": "Hi"}),
        ("/opt-outs/", {"number": "+905321234567"}),
        ("/templates/new/", {"key": "x", "name": "X", "text": "Hi"}),
    ]:
        response = page.request.post(
            f"{live_server.url}{path}", form=form, headers={"X-CSRFToken": token}
        )
        assert response.status == 403, path
        assert re.search("Your role \\(Viewer\\) does not allow this", response.text()), path
    campaign.refresh_from_db()
    assert campaign.status == "draft"
