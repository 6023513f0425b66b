"""İleti Merkezi adapter against the İleti Merkezi simulator over real HTTP."""

from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.providers.types import Category, OutboundSms
from connectors.services import connector_check
from connectors.simulators.models import FailureMode, ReceivedSms
from tests.connectors.providers.harness import (
    connector_change,
    harness_setup,
    send_accepted,
    send_failed,
    send_refused,
    send_skipped,
    simulator_change,
)

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = harness_setup("iletimerkezi", options={"iys_list": "TACIR"})


def sms(text="Siparişiniz yola çıktı", to="+905321234567", sender="", kind="transactional"):
    return OutboundSms(id=9, to=to, text=text, sender=sender, kind=kind)


def query(exchange):
    return {k: v[0] for k, v in parse_qs(urlsplit(exchange.url).query).items()}


# -- accepted -------------------------------------------------------------------------------------

ACCEPTED = [
    pytest.param(sms(), {"iys": "0", "sender": "ACME"}, id="transactional: iys=0, default sender"),
    pytest.param(
        sms(kind="commercial", sender="ACME INFO"),
        {"iys": "1", "iysList": "TACIR", "sender": "ACME INFO"},
        id="commercial: iys=1 with the connector's iys_list",
    ),
    pytest.param(
        sms("100% indirim & kargo bedava #bugün"),
        {"iys": "0"},
        id="text with URL-reserved characters",
    ),
]


@pytest.mark.parametrize(("message", "expected_query"), ACCEPTED)
def test_send_accepted(connector, message, expected_query):
    result = send_accepted(connector, message)

    received = ReceivedSms.objects.get()
    assert (received.number, received.text) == ("905321234567", message.text)
    assert result.provider_message_id == str(received.order_id)
    assert (result.code, result.http_status) == ("200", 200)
    sent = query(result.exchanges[0])
    assert (
        sent.items() >= {"receipents": "5321234567", "text": message.text, **expected_query}.items()
    )
    assert ("iysList" in sent) == (expected_query["iys"] == "1")
    assert (sent["key"], sent["hash"]) == ("***", "***")


# -- every documented code ------------------------------------------------------------------------

SIMULATED_FAILURES = [
    pytest.param(
        {"password": "wrong"}, {}, sms(), "401", Category.CREDENTIALS, id="401 wrong hash"
    ),
    pytest.param(
        {},
        {"mode": FailureMode.WRONG_CREDENTIALS},
        sms(),
        "401",
        Category.CREDENTIALS,
        id="401 mode",
    ),
    pytest.param({}, {"balance": 0}, sms(), "402", Category.BALANCE, id="402 balance used up"),
    pytest.param(
        {},
        {"mode": FailureMode.NO_BALANCE},
        sms(),
        "402",
        Category.BALANCE,
        id="402 no balance mode",
    ),
    pytest.param(
        {},
        {"sender_titles": ["acme"]},
        sms(),
        "450",
        Category.SENDER,
        id="450 title differs in case",
    ),
    pytest.param(
        {},
        {"max_text_length": 20},
        sms("x" * 21),
        "453",
        Category.CONTENT,
        id="453 over the account limit",
    ),
    pytest.param({}, {}, sms(" "), "454", Category.CONTENT, id="454 blank text"),
]


@pytest.mark.parametrize(
    ("connector_changes", "simulator", "message", "code", "category"), SIMULATED_FAILURES
)
def test_send_failure_from_simulator_state(
    connector, account, connector_changes, simulator, message, code, category
):
    connector_change(connector, connector_changes)
    simulator_change(account, simulator)

    error = send_refused(SETUP, connector, message)

    assert (error.code, error.category, error.http_status) == (code, category, int(code))
    assert f"<code>{code}</code>" in error.exchanges[0].response_body


def test_send_same_text_to_same_number_within_10_minutes_is_451(connector):
    send_accepted(connector, sms("Kampanya başladı"))

    failed = send_failed(connector, sms("Kampanya başladı"))

    assert (failed.code, failed.category, failed.transient) == (
        "451",
        Category.RATE_LIMIT,
        True,
    )
    assert ReceivedSms.objects.count() == 1


def test_send_to_wrong_base_path_is_404(connector):
    connector.options = {**connector.options, "base_url": connector.options["base_url"] + "/v1"}

    failed = send_failed(connector, sms())

    assert (failed.code, failed.category) == ("404", Category.UNKNOWN)


FIXED_CODES = [
    pytest.param(code, category, id=code)
    for code, category in [
        ("400", Category.UNKNOWN),
        ("401", Category.CREDENTIALS),
        ("402", Category.BALANCE),
        ("404", Category.UNKNOWN),
        ("450", Category.SENDER),
        ("451", Category.RATE_LIMIT),
        ("452", Category.RECIPIENT),
        ("453", Category.CONTENT),
        ("454", Category.CONTENT),
        ("455", Category.UNKNOWN),
        ("456", Category.UNKNOWN),
        ("457", Category.UNKNOWN),
        ("458", Category.UNKNOWN),
        ("461", Category.UNKNOWN),
        ("462", Category.UNKNOWN),
        ("463", Category.UNKNOWN),
        ("465", Category.UNKNOWN),
        ("466", Category.RECIPIENT),
        ("468", Category.UNKNOWN),
        ("469", Category.UNKNOWN),
    ]
]


@pytest.mark.parametrize(("code", "category"), FIXED_CODES)
def test_send_maps_every_documented_code(connector, code, category):
    body = f"<response><status><code>{code}</code><message>x</message></status></response>"
    SETUP.set_mode(FailureMode.FIXED_ANSWER, fixed_status=int(code), fixed_body=body)

    failed = send_failed(connector, sms())

    assert (failed.code, failed.category, failed.http_status) == (
        code,
        category,
        int(code),
    )


UNREADABLE = [
    pytest.param(
        503,
        "<html>Service Unavailable</html>",
        Category.PROVIDER_ERROR,
        id="503 temporarily out of service",
    ),
    pytest.param(
        200,
        "<response><status><code>200</code></status></response>",
        Category.UNKNOWN,
        id="200 without order id",
    ),
    pytest.param(200, "OK", Category.UNKNOWN, id="not XML"),
    pytest.param(
        200,
        "<response><status><code>299</code></status></response>",
        Category.UNKNOWN,
        id="undocumented code",
    ),
]


@pytest.mark.parametrize(("status", "body", "category"), UNREADABLE)
def test_send_unreadable_answer(connector, status, body, category):
    SETUP.set_mode(FailureMode.FIXED_ANSWER, fixed_status=status, fixed_body=body)

    failed = send_failed(connector, sms())

    assert failed.category == category


CANNOT_CARRY = [
    pytest.param(sms(to="+962791234567"), Category.RECIPIENT, "466", id="Jordanian number"),
    pytest.param(sms(to="+902121234567"), Category.RECIPIENT, "466", id="Turkish landline"),
    pytest.param(sms(to="+905001234"), Category.RECIPIENT, "466", id="short number"),
    pytest.param(sms(sender="Acme"), Category.SENDER, "450", id="sender title not listed"),
    pytest.param(sms("x" * 1072), Category.CONTENT, "453", id="1072 characters, over seven SMS"),
]


@pytest.mark.parametrize(("message", "category", "code"), CANNOT_CARRY)
def test_send_skips_what_the_connector_cannot_carry(connector, message, category, code):
    skipped = send_skipped(connector, message)

    assert (skipped.category, skipped.code) == (category, code)


# -- test connection ------------------------------------------------------------------------------


def test_check_shows_the_balance(connector, account):
    result = connector_check(connector=connector)

    assert result.ok
    assert result.balance == str(account.balance)
    assert (
        result.detail
        == f"Connected. Balance: {account.balance} SMS credits ({account.balance * 0.05:.2f} TL)"
    )


CHECK_FAILURES = [
    pytest.param({"password": "wrong"}, None, "API key or hash rejected", id="401 wrong hash"),
    pytest.param(
        {},
        (400, '{"response": {"status": {"code": 400, "message": "x"}}}'),
        "could not parse",
        id="400 unparseable request",
    ),
    pytest.param({}, (200, "not json"), "not one it documents", id="answer not JSON"),
]


@pytest.mark.parametrize(("connector_changes", "fixed", "in_detail"), CHECK_FAILURES)
def test_check_failure_says_why(connector, connector_changes, fixed, in_detail):
    connector_change(connector, connector_changes)
    if fixed:
        SETUP.set_mode(FailureMode.FIXED_ANSWER, fixed_status=fixed[0], fixed_body=fixed[1])

    result = connector_check(connector=connector)

    assert not result.ok
    assert in_detail in result.detail
