"""The Infobip simulator answers a status per destination: a list is accepted in part."""

import pytest
import requests

from connectors.simulators.models import ReceivedSms
from connectors.simulators.services import simulator_account_ensure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def send(simulator_url):
    simulator_account_ensure(
        slug="infobip", username="u1", password="key-1", sender_titles=["ACME"], balance=2
    )

    def send(numbers: list[str]):
        destinations = [{"to": n, "messageId": f"sms-{i}"} for i, n in enumerate(numbers)]
        body = {"messages": [{"from": "ACME", "destinations": destinations, "text": "Hi"}]}
        return requests.post(
            simulator_url("infobip") + "/sms/2/text/advanced",
            json=body,
            headers={"Authorization": "App key-1"},
            timeout=5,
        )

    return send


def test_each_destination_gets_its_own_status(send):
    answer = send(["905321234567", "12", "905321234568", "905321234569"])

    assert answer.status_code == 200
    statuses = {m["messageId"]: m["status"]["name"] for m in answer.json()["messages"]}
    assert statuses == {
        "sms-0": "PENDING_ACCEPTED",
        "sms-1": "REJECTED_DESTINATION",
        "sms-2": "PENDING_ACCEPTED",
        "sms-3": "REJECTED_NOT_ENOUGH_CREDITS",  # the balance was 2
    }
    assert sorted(ReceivedSms.objects.values_list("client_id", flat=True)) == ["sms-0", "sms-2"]
