"""An SMS posted to /SMSReceiver shows up in the inbox; the reply goes out through a simulator."""

import requests
from playwright.sync_api import expect

from connectors.simulators.services import simulator_account_ensure
from inbox.services import receive_connector_create
from messaging.models import Message
from tests.factories import ConnectorFactory

PASSWORD = "Jet-s3cret-Pa55"


def test_inbound_sms_appears_in_the_inbox_and_the_reply_is_sent(
    signed_in_page, live_server, simulator_url
):
    page = signed_in_page
    simulator_account_ensure(
        slug="jetsms", username="acme", password=PASSWORD, sender_titles=["ACME"], balance=100
    )
    ConnectorFactory(
        name="Jet SMS",
        provider="jetsms",
        username="acme",
        password=PASSWORD,
        sender_list=["ACME"],
        options={"base_url": simulator_url("jetsms"), "timeout_seconds": 5},
    )
    receive_connector = receive_connector_create(name="Replies", receiver_numbers=["908501234567"])
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    answer = requests.post(
        f"{live_server.url}/SMSReceiver",
        data={
            "ziel": "908501234567",
            "absender": "905321234567",
            "smstext": "Merhaba, fiyat nedir? 🙂",
            "token": receive_connector.token,
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    page.goto(f"{live_server.url}/inbox/")
    row = page.locator(".conversation-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("+905321234567")
    expect(row).to_contain_text("Merhaba, fiyat nedir? 🙂")
    expect(row.locator(".badge")).to_have_text("1")

    row.get_by_role("link", name="+905321234567").click()
    expect(page.locator(".bubble-row.in")).to_contain_text("Merhaba, fiyat nedir? 🙂")
    page.locator("textarea[name=text]").press_sequentially("Fiyat 100 TL. Şubemize bekleriz.")
    expect(page.locator("#sms-counter")).to_contain_text("GSM-7 Turkish")
    expect(page.locator("#sms-counter [data-counter=characters]")).to_have_text("32")
    page.locator(".reply-box").get_by_role("button", name="Send reply").click()

    expect(page.locator(".alert-success")).to_contain_text("Reply to +905321234567 queued")
    expect(page.locator(".bubble-row.out")).to_contain_text("Fiyat 100 TL. Şubemize bekleriz.")
    expect(page.locator(".bubble-row.out .health")).to_have_text("Sent")
    reply = Message.objects.get()
    assert (reply.to, reply.status, reply.connector.name) == ("+905321234567", "sent", "Jet SMS")

    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator(".conversation-table tbody tr .badge")).to_have_count(0)
    assert errors == []
