"""JoSMS adapter against the JoSMS simulator over real HTTP."""

import logging

import pytest
from django.db import connection

from connectors.gateway import connector_send
from connectors.models import Connector
from connectors.providers.types import Category, OutboundSms, Outcome
from connectors.services import connector_check
from connectors.simulators.models import FailureMode, ReceivedSms
from connectors.simulators.services import simulator_token_revoke
from tests.connectors.providers.harness import (
    connector_change,
    harness_setup,
    recorded,
    send_accepted,
    send_failed,
    send_refused,
    send_skipped,
    simulator_change,
)

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = harness_setup("josms")
ASMX = '<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="http://tempuri.org/">{}</string>'


def sms(text="Your code is 1234", to="+962791234567", sender="", id=7):
    return OutboundSms(id=id, to=to, text=text, sender=sender)


def paths(exchanges):
    return [e.url.split("/simulators/josms")[1].split("?")[0] for e in exchanges]


TOKEN, SEND = (
    "/sms/api/GenerateToken.cfm",
    "/SMSServices/Clients/Prof/SingleSMS3/SMSService.asmx/SendSMS",
)


# -- single send and the token --------------------------------------------------------------------

ACCEPTED = [
    pytest.param("Your code is 1234", "", "ACME", id="English text, default sender"),
    pytest.param("رمز التحقق 1234 & 100%", "ACME JO", "ACME JO", id="Arabic text with & and %"),
]


@pytest.mark.parametrize(("text", "sender", "received_sender"), ACCEPTED)
def test_send_accepted_gets_a_token_then_sends(connector, text, sender, received_sender):
    result = send_accepted(connector, sms(text, sender=sender))

    received = ReceivedSms.objects.get()
    assert (received.number, received.text, received.sender, received.client_id) == (
        "962791234567",
        text,
        received_sender,
        "7",
    )
    assert (result.provider_message_id, result.code) == (str(received.order_id), "MsgID")
    assert paths(result.exchanges) == [TOKEN, SEND]
    assert result.exchanges[1].request_headers["Authorization"] == "***"


def test_token_is_stored_encrypted_and_reused(connector, account):
    send_accepted(connector, sms(id=1))
    account.refresh_from_db()

    result = send_accepted(connector, sms(id=2))

    assert Connector.objects.get(pk=connector.pk).session_token == account.token
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT session_token FROM connectors_connector WHERE id = %s", [connector.pk]
        )
        assert account.token not in cursor.fetchone()[0]
    assert paths(result.exchanges) == [SEND]


def test_expired_token_is_refreshed_once(connector, account):
    send_accepted(connector, sms(id=1))
    simulator_token_revoke(account=account)

    result = send_accepted(connector, sms(id=2))

    assert paths(result.exchanges) == [SEND, TOKEN, SEND]
    assert result.exchanges[0].response_body == ASMX.format("Invalid user name or password")
    assert ReceivedSms.objects.count() == 2


def test_token_replaced_by_another_worker_is_used_without_a_new_token(connector, account):
    worker_a = Connector.objects.get(pk=connector.pk)
    worker_b = Connector.objects.get(pk=connector.pk)
    send_accepted(worker_a, sms(id=1))
    send_accepted(worker_b, sms(id=2, to="+962781234567"))  # fresh token: A's dies

    result = send_accepted(worker_a, sms(id=3))

    assert paths(result.exchanges) == [SEND, SEND]
    assert worker_a.session_token == Connector.objects.get(pk=connector.pk).session_token
    assert ReceivedSms.objects.count() == 3


def test_duplicate_id_counts_as_accepted_and_is_not_sent_again(connector):
    send_accepted(connector, sms(id=42))

    result = send_accepted(connector, sms(id=42))

    assert result.code == "Message Ignored, Duplicate ID"
    assert result.provider_message_id == ""
    assert result.exchanges[-1].response_body == ASMX.format("Message Ignored, Duplicate ID 42")
    assert ReceivedSms.objects.count() == 1


SIMULATED_FAILURES = [
    pytest.param(
        {"password": "wrong"},
        {},
        Category.CREDENTIALS,
        [TOKEN],
        id="wrong password at token request",
    ),
    pytest.param(
        {},
        {"mode": FailureMode.WRONG_CREDENTIALS},
        Category.CREDENTIALS,
        [TOKEN],
        id="credentials mode",
    ),
    pytest.param(
        {"session_token": "stale"},
        {"mode": FailureMode.WRONG_CREDENTIALS},
        Category.CREDENTIALS,
        [SEND, TOKEN],
        id="stale token then credentials refused",
    ),
    pytest.param(
        {}, {"sender_titles": ["OTHER"]}, Category.SENDER, [TOKEN, SEND], id="Invalid Sender ID"
    ),
    pytest.param(
        {}, {"balance": 0}, Category.PROVIDER_ERROR, [TOKEN, SEND], id="no balance: Error exists"
    ),
    pytest.param(
        {},
        {"mode": FailureMode.NO_BALANCE},
        Category.PROVIDER_ERROR,
        [TOKEN, SEND],
        id="no balance mode",
    ),
    pytest.param(
        {},
        {"max_text_length": 10},
        Category.PROVIDER_ERROR,
        [TOKEN, SEND],
        id="text over account limit",
    ),
]


@pytest.mark.parametrize(
    ("connector_changes", "simulator", "category", "called"), SIMULATED_FAILURES
)
def test_send_failure_from_simulator_state(
    connector, account, connector_changes, simulator, category, called
):
    connector_change(connector, connector_changes)
    simulator_change(account, simulator)

    error = send_refused(SETUP, connector, sms())

    assert (error.category, error.outcome) == (category, "failed")
    assert paths(error.exchanges) == called


DOCUMENTED_ANSWERS = [
    pytest.param("MsgID = 223394147", None, "223394147", id="MsgID"),
    pytest.param("Message Ignored, Duplicate ID 7", None, "", id="Message Ignored, Duplicate ID"),
    pytest.param("Invalid Sender ID", Category.SENDER, "", id="Invalid Sender ID"),
    pytest.param("Invalid Mobile Number", Category.RECIPIENT, "", id="Invalid Mobile Number"),
    pytest.param("Invalid Number", Category.RECIPIENT, "", id="Invalid Number"),
    pytest.param("Error exists please try again", Category.PROVIDER_ERROR, "", id="Error exists"),
    pytest.param(
        "Connection Failed, please try again", Category.PROVIDER_ERROR, "", id="Connection Failed"
    ),
    pytest.param(
        "Invalid user name or password",
        Category.CREDENTIALS,
        "",
        id="Invalid user name or password",
    ),
    pytest.param("Object reference not set", Category.UNKNOWN, "", id="unparseable answer"),
]


@pytest.mark.parametrize("wrapped", [True, False], ids=["XML-wrapped", "plain text"])
@pytest.mark.parametrize(("text", "category", "provider_id"), DOCUMENTED_ANSWERS)
def test_send_maps_every_documented_answer(connector, text, category, provider_id, wrapped):
    connector.session_token = "token-from-earlier"
    SETUP.set_mode(
        FailureMode.FIXED_ANSWER,
        fixed_status=200,
        fixed_body=ASMX.format(text) if wrapped else text,
    )

    if category is None:
        result = send_accepted(connector, sms())
        assert result.provider_message_id == provider_id
        return
    failed = send_failed(connector, sms())
    assert failed.category == category
    assert failed.code == ("" if category == Category.UNKNOWN else text)
    assert text in failed.detail


def test_send_http_401_is_refused_for_authorisation(connector):
    connector.session_token = "token-from-earlier"
    SETUP.set_mode(FailureMode.FIXED_ANSWER, fixed_status=401, fixed_body="Unauthorized")

    failed = send_failed(connector, sms())

    assert failed.category == Category.UNKNOWN  # the fresh token request got 401 too: no token
    assert paths(failed.exchanges) == [SEND, TOKEN]


INVALID_NUMBER, INVALID_SENDER = "Invalid Mobile Number", "Invalid Sender ID"
CANNOT_CARRY = [
    pytest.param(sms(to="+905321234567"), Category.RECIPIENT, INVALID_NUMBER, id="Turkish number"),
    pytest.param(
        sms(to="+962761234567"),
        Category.RECIPIENT,
        INVALID_NUMBER,
        id="Jordanian operator 76 is not mobile",
    ),
    pytest.param(
        sms(to="+96279123456"),
        Category.RECIPIENT,
        INVALID_NUMBER,
        id="Jordanian number one digit short",
    ),
    pytest.param(sms(sender="OTHER"), Category.SENDER, INVALID_SENDER, id="sender id not listed"),
    pytest.param(sms("x" * 801), Category.CONTENT, "", id="801 characters"),
]


@pytest.mark.parametrize(("message", "category", "code"), CANNOT_CARRY)
def test_send_skips_what_the_connector_cannot_carry(connector, message, category, code):
    skipped = send_skipped(connector, message)

    assert (skipped.category, skipped.code) == (category, code)


# -- bulk ------------------------------------------------------------------------------------------


def test_bulk_sends_one_request_per_120_numbers(connector):
    messages = [sms("Sale today", to=f"+96279{i:07d}", id=i) for i in range(1, 122)]

    log = []
    results = connector_send(connector=connector, messages=messages, log=log)

    assert [result.message for result in results] == messages
    assert {result.outcome for result in results} == {Outcome.ACCEPTED}
    # One bulk request of 120; the 121st alone goes as a single send.
    assert paths(log) == ["/sms/api/SendBulkMessages.cfm", TOKEN, SEND]
    assert log[0].url.count("96279") == 120
    assert "AccPass=%2A%2A%2A" in log[0].url or "AccPass=***" in log[0].url
    assert ReceivedSms.objects.count() == 121
    assert len({result.provider_message_id for result in results[:120]}) == 1


def test_bulk_skips_what_it_cannot_carry_and_sends_the_rest(connector):
    messages = [
        sms("Hi", to="+962791111111", id=1),
        sms("Hi", to="+905321234567", id=2),
        sms("Hi", to="+962782222222", id=3),
    ]

    results = connector_send(connector=connector, messages=messages, log=[])

    assert [result.outcome for result in results] == [
        Outcome.ACCEPTED,
        Outcome.SKIPPED,
        Outcome.ACCEPTED,
    ]
    assert results[1].category == Category.RECIPIENT
    assert sorted(ReceivedSms.objects.values_list("number", flat=True)) == [
        "962782222222",
        "962791111111",
    ]


def test_bulk_error_answer_holds_for_every_message(connector):
    connector.password = "wrong"
    messages = [sms("Hi", to=f"+96279111111{i}", id=i) for i in range(3)]

    results = connector_send(connector=connector, messages=messages, log=[])

    assert [result.category for result in results] == [Category.CREDENTIALS] * 3


# -- test connection -------------------------------------------------------------------------------


def test_check_shows_the_balance(connector, account):
    result = connector_check(connector=connector)

    assert result.ok
    assert (result.balance, result.detail) == (
        str(account.balance),
        f"Connected. Balance: {account.balance}",
    )
    assert result.exchanges[0].response_body == f'"{account.balance}"'


def test_check_with_wrong_password_says_so(connector):
    connector.password = "not-the-password"

    result = connector_check(connector=connector)

    assert not result.ok
    assert result.detail.startswith("Account name, password or token rejected")


# -- secrets ---------------------------------------------------------------------------------------


def test_no_secret_or_token_in_exchanges_or_logs(connector, account, caplog):
    caplog.set_level(logging.DEBUG)

    first = send_accepted(connector, sms(id=1))
    account.refresh_from_db()
    first_token = account.token
    simulator_token_revoke(account=account)
    second = send_accepted(connector, sms(id=2))
    bulk = connector_send(
        connector=connector, messages=[sms(id=3), sms(to="+962781234567", id=4)], log=[]
    )
    check = connector_check(connector=connector)
    account.refresh_from_db()

    exchanges = [*first.exchanges, *second.exchanges, *bulk[0].exchanges, *check.exchanges]
    for secret in (*SETUP.secrets, first_token, account.token):
        assert secret not in recorded(exchanges) + caplog.text
    assert first.exchanges[1].request_headers["Authorization"] == "***"
    assert "Bearer ***" in first.exchanges[0].response_body
