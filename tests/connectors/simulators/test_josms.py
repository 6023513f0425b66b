"""The JoSMS simulator: token, SingleSMS3 (XML-wrapped), bulk and balance (plain text)."""

import pytest
import requests

from connectors.simulators.models import ReceivedSms
from connectors.simulators.services import simulator_account_ensure

pytestmark = pytest.mark.django_db(transaction=True)

SINGLE = "/SMSServices/Clients/Prof/SingleSMS3/SMSService.asmx/SendSMS"


@pytest.fixture
def base(simulator_url):
    simulator_account_ensure(
        slug="josms", username="acc", password="pw", sender_titles=["ACME"], balance=5
    )
    return simulator_url("josms")


def token(base, **params):
    answer = requests.get(
        base + "/sms/api/GenerateToken.cfm",
        params=params or {"AccName": "acc", "ACCPASS": "pw"},
        timeout=5,
    )
    return answer


def wrapped(text):
    return f'<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="http://tempuri.org/">{text}</string>'


def test_token_answer_has_a_bearer_line_and_names_are_case_insensitive(base):
    answer = token(base)

    assert answer.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert any(line.startswith("Bearer ") and len(line) > 20 for line in answer.text.splitlines())
    assert token(base, accname="acc", accpass="no").text == "Invalid user name or password"


SINGLE_CASES = [
    pytest.param(
        {"senderid": "ACME", "numbers": "962791234567,", "msg": "Hi", "id": "1"},
        "MsgID = ",
        id="accepted",
    ),
    pytest.param(
        {"senderid": "NOPE", "numbers": "962791234567", "msg": "Hi", "id": "1"},
        "Invalid Sender ID",
        id="sender",
    ),
    pytest.param(
        {"senderid": "ACME", "numbers": "962761234567", "msg": "Hi", "id": "1"},
        "Invalid Mobile Number",
        id="operator 76",
    ),
    pytest.param(
        {"senderid": "ACME", "numbers": "962791234567,962781234567", "msg": "Hi", "id": "1"},
        "Invalid Mobile Number",
        id="two numbers",
    ),
    pytest.param(
        {"senderid": "ACME", "numbers": "962791234567", "msg": "", "id": "1"},
        "Error exists please try again",
        id="empty text",
    ),
]


@pytest.mark.parametrize(("form", "starts"), SINGLE_CASES)
def test_single_send(base, form, starts):
    bearer = token(base).text.split("Bearer ")[1].strip()

    answer = requests.post(
        base + SINGLE, data=form, headers={"Authorization": f"Bearer {bearer}"}, timeout=5
    )

    assert answer.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert answer.text.startswith(wrapped(starts).split("</string>")[0])


def test_single_send_without_valid_token_is_refused(base):
    answer = requests.post(
        base + SINGLE, data={"senderid": "ACME"}, headers={"Authorization": "Bearer x"}, timeout=5
    )

    assert answer.text == wrapped("Invalid user name or password")


def test_single_send_with_a_used_id_is_ignored(base):
    bearer = token(base).text.split("Bearer ")[1].strip()
    form = {"senderid": "ACME", "numbers": "962791234567", "msg": "Hi", "id": "55"}
    requests.post(
        base + SINGLE, data=form, headers={"Authorization": f"Bearer {bearer}"}, timeout=5
    )

    answer = requests.post(
        base + SINGLE, data=form, headers={"Authorization": f"Bearer {bearer}"}, timeout=5
    )

    assert answer.text == wrapped("Message Ignored, Duplicate ID 55")
    assert ReceivedSms.objects.count() == 1


BULK_CASES = [
    pytest.param("962791111111,962782222222,", "MsgID = ", 2, id="trailing comma"),
    pytest.param("962791111111,905321234567", "MsgID = ", 1, id="invalid numbers left out"),
    pytest.param("905321234567", "Invalid Number", 0, id="all invalid"),
    pytest.param(
        ",".join(f"96279{i:07d}" for i in range(6)),
        "Error exists please try again",
        0,
        id="over balance",
    ),
    pytest.param(
        ",".join(f"96279{i:07d}" for i in range(121)),
        "Error exists please try again",
        0,
        id="121 numbers",
    ),
]


@pytest.mark.parametrize(("numbers", "starts", "received"), BULK_CASES)
def test_bulk_send(base, numbers, starts, received):
    params = {
        "numbers": numbers,
        "senderid": "ACME",
        "AccName": "acc",
        "AccPass": "pw",
        "msg": "Sale",
    }

    answer = requests.get(base + "/sms/api/SendBulkMessages.cfm", params=params, timeout=5)

    assert answer.text.startswith(starts)
    assert ReceivedSms.objects.count() == received


def test_balance_is_quoted(base):
    answer = requests.get(
        base + "/sms/api/GetBalance.cfm", params={"AccName": "acc", "AccPass": "pw"}, timeout=5
    )

    assert answer.text == '"5"'
