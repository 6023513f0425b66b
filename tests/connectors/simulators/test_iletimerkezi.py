"""The İleti Merkezi simulator: GET send with XML answers (HTTP status = code), JSON balance."""

import pytest
import requests

from connectors.simulators.models import ReceivedSms
from connectors.simulators.services import simulator_account_ensure

pytestmark = pytest.mark.django_db(transaction=True)
VALID = {
    "key": "k1",
    "hash": "h1",
    "text": "Merhaba",
    "receipents": "5321234567",
    "sender": "ACME",
    "iys": "0",
}


@pytest.fixture
def base(simulator_url):
    simulator_account_ensure(
        slug="iletimerkezi", username="k1", password="h1", sender_titles=["ACME"]
    )
    return simulator_url("iletimerkezi")


SEND_CASES = [
    pytest.param({}, 200, id="accepted"),
    pytest.param(
        {"receipents": "905321234567,+905327654321,05331234567"}, 200, id="number formats"
    ),
    pytest.param({"hash": "wrong"}, 401, id="401"),
    pytest.param({"iys": ""}, 468, id="468 iys missing"),
    pytest.param({"iys": "1"}, 469, id="469 iysList missing"),
    pytest.param({"iys": "1", "iysList": "TACIR"}, 200, id="commercial with list"),
    pytest.param({"sender": "ACME "}, 450, id="450 trailing space"),
    pytest.param({"text": ""}, 454, id="454"),
    pytest.param({"receipents": "5321234567,12345"}, 452, id="452"),
    pytest.param({"text": "x" * 613}, 453, id="453"),
]


@pytest.mark.parametrize(("changes", "code"), SEND_CASES)
def test_send(base, changes, code):
    answer = requests.get(base + "/v1/send-sms/get/", params={**VALID, **changes}, timeout=5)

    assert answer.status_code == code
    assert answer.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert f"<code>{code}</code>" in answer.text
    assert ("<order><id>" in answer.text) == (code == 200)
    assert ReceivedSms.objects.exists() == (code == 200)


def test_unknown_method_is_404(base):
    answer = requests.get(base + "/v1/send-sms/nope", timeout=5)

    assert (answer.status_code, "<code>404</code>" in answer.text) == (404, True)


BALANCE_CASES = [
    pytest.param('{"request": {"authentication": {"key": "k1", "hash": "h1"}}}', 200, id="200"),
    pytest.param('{"request": {"authentication": {"key": "k1", "hash": "no"}}}', 401, id="401"),
    pytest.param("{not json", 400, id="400"),
]


@pytest.mark.parametrize(("body", "code"), BALANCE_CASES)
def test_balance(base, body, code):
    answer = requests.post(base + "/v1/get-balance/json", data=body, timeout=5)

    assert answer.status_code == code
    assert answer.json()["response"]["status"]["code"] == code
    if code == 200:
        assert answer.json()["response"]["balance"] == {"amount": "50.00", "sms": "1000"}


def test_a_number_list_is_one_order_with_a_row_per_number(base):
    numbers = "5321234567,905321234568,+905321234569"

    answer = requests.get(
        base + "/v1/send-sms/get/", params={**VALID, "receipents": numbers}, timeout=5
    )

    assert answer.status_code == 200
    received = ReceivedSms.objects.order_by("id")
    assert [r.number for r in received] == ["905321234567", "905321234568", "905321234569"]
    (order_id,) = {r.order_id for r in received}
    assert f"<order><id>{order_id}</id></order>" in answer.text
