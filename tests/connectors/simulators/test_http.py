"""The generic HTTP simulator takes `to` as one number or a list, in form, JSON or XML."""

import pytest
import requests

from connectors.simulators.models import ReceivedSms
from connectors.simulators.services import simulator_account_ensure

pytestmark = pytest.mark.django_db(transaction=True)

NUMBERS = ["905321234567", "905321234568", "905321234569"]
REQUESTS = [
    pytest.param(
        {"data": {"to": ",".join(NUMBERS), "text": "Hi", "from": "ACME", "user": "u1", "pass": "p1"}},
        id="form comma list",
    ),
    pytest.param(
        {"json": {"to": NUMBERS, "text": "Hi", "from": "ACME"}, "auth": ("u1", "p1")},
        id="JSON array",
    ),
    pytest.param(
        {
            "data": "<sms>" + "".join(f"<to>{n}</to>" for n in NUMBERS)
            + "<text>Hi</text><from>ACME</from></sms>",
            "headers": {"Content-Type": "application/xml"},
            "auth": ("u1", "p1"),
        },
        id="repeated XML elements",
    ),
]  # fmt: skip


@pytest.mark.parametrize("request_kwargs", REQUESTS)
def test_a_list_is_one_order_with_a_row_per_number(simulator_url, request_kwargs):
    simulator_account_ensure(slug="http", username="u1", password="p1", sender_titles=["ACME"])

    answer = requests.post(simulator_url("http") + "/send", timeout=5, **request_kwargs)

    assert answer.status_code == 200
    received = ReceivedSms.objects.order_by("id")
    assert [r.number for r in received] == NUMBERS
    (order_id,) = {r.order_id for r in received}
    assert str(order_id) in answer.text


def test_a_list_with_a_bad_number_is_refused_whole(simulator_url):
    simulator_account_ensure(slug="http", username="u1", password="p1", sender_titles=["ACME"])
    fields = {"to": "905321234567,abc", "text": "Hi", "from": "ACME", "user": "u1", "pass": "p1"}

    answer = requests.post(simulator_url("http") + "/send", data=fields, timeout=5)

    assert answer.status_code == 400
    assert not ReceivedSms.objects.exists()
