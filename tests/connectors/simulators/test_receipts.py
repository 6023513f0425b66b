"""The simulators' receipts: the Simulators page settings, the delay, and pushes under the
outbound policy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.simulators.models import ReceivedSms
from connectors.simulators.receipts import receipt_state_at, simulator_receipts_push
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import simulator_account_ensure, simulator_sms_receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    account, _ = simulator_account_ensure(
        slug="iletimerkezi", username="key", password="hash", sender_titles=["ACME"]
    )
    return account


def test_the_page_sets_the_delivered_share_and_the_delay(console, account):
    answer = console.post(
        "/simulators/iletimerkezi/receipts/",
        {
            "iletimerkezi-receipts-delivered_percent": 30,
            "iletimerkezi-receipts-receipt_delay_seconds": 7,
        },
        follow=True,
    )

    provider = simulated_provider_get(slug="iletimerkezi")
    assert (provider.delivered_percent, provider.receipt_delay_seconds) == (30, 7)
    assert "30% delivered, receipts after 7 s" in answer.content.decode()


def test_a_share_over_100_is_refused_and_nothing_changes(console, account):
    before = simulated_provider_get(slug="iletimerkezi").delivered_percent

    answer = console.post(
        "/simulators/iletimerkezi/receipts/",
        {
            "iletimerkezi-receipts-delivered_percent": 150,
            "iletimerkezi-receipts-receipt_delay_seconds": 7,
        },
        follow=True,
    )

    assert simulated_provider_get(slug="iletimerkezi").delivered_percent == before
    assert "not changed" in answer.content.decode()


def test_a_receipt_is_pending_until_its_delay_is_over(account):
    simulator_sms_receive(account=account, sender="ACME", messages=[("905321234567", "Hi")])
    received = ReceivedSms.objects.get()

    assert receipt_state_at(received, received.receipt_due_at - timedelta(seconds=1)) == "pending"
    assert receipt_state_at(received, received.receipt_due_at) == received.receipt_state


def test_a_push_obeys_the_outbound_policy(account, settings):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = []
    simulator_sms_receive(
        account=account,
        sender="ACME",
        messages=[("905321234567", "Hi")],
        receipt_url="http://127.0.0.1:9/dlr/1/x/",
    )

    assert simulator_receipts_push(now=timezone.now() + timedelta(hours=2)) == 1

    answer = ReceivedSms.objects.get().receipt_answer
    assert answer.startswith("not sent: Use an https:// URL")
