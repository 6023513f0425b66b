"""Mobildev adapter against the Mobildev simulator over real HTTP."""

import pytest

from connectors.providers.types import Category, OutboundSms
from connectors.services import connector_check
from connectors.simulators.models import FailureMode, ReceivedSms
from tests.connectors.providers.harness import (
    connector_change,
    harness_setup,
    send_accepted,
    send_refused,
    send_skipped,
)

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = harness_setup("mobildev", unapproved_titles=("UNAPPROVED",))
PASSWORD, COMPANY = SETUP.password, SETUP.options["company_code"]


def sms(text="Kodunuz 1234", to="+905321234567", sender=""):
    return OutboundSms(id=11, to=to, text=text, sender=sender)


@pytest.mark.parametrize(
    ("text", "sender"),
    [
        pytest.param("Kodunuz 1234", "", id="plain text, default originator"),
        pytest.param(
            'Şişli\'de <özel> & "fırsat"', "ACMEINFO", id="Turkish letters and XML specials"
        ),
    ],
)
def test_send_accepted(connector, text, sender):
    result = send_accepted(connector, sms(text, sender=sender))

    received = ReceivedSms.objects.get()
    assert (received.number, received.text, received.sender) == (
        "905321234567",
        text,
        sender or "ACME",
    )
    assert result.provider_message_id == str(received.order_id)
    body = result.exchanges[0].request_body
    assert f"<UserName>***-{COMPANY}</UserName>" in body  # user names are redacted like passwords
    assert "<Numbers>05321234567</Numbers>" in body
    assert PASSWORD not in body


FAILED = [
    pytest.param(
        {"password": "wrong-pass"}, None, {}, Category.CREDENTIALS, "01", id="wrong password: 01"
    ),
    pytest.param(
        {"options": {"company_code": "9999"}},
        None,
        {},
        Category.CREDENTIALS,
        "01",
        id="wrong company code: 01",
    ),
    pytest.param({}, FailureMode.NO_BALANCE, {}, Category.BALANCE, "02", id="no credit: 02"),
    pytest.param(
        {}, None, {"sender": "UNAPPROVED"}, Category.SENDER, "06", id="originator not defined: 06"
    ),
    pytest.param({}, None, {"text": ""}, Category.PROVIDER_ERROR, "10", id="no text: 10"),
]


@pytest.mark.parametrize(("changes", "mode", "message", "category", "code"), FAILED)
def test_send_failed(connector, changes, mode, message, category, code):
    connector_change(connector, changes)
    if mode:
        SETUP.set_mode(mode)

    error = send_refused(SETUP, connector, sms(**message))

    assert (error.category, error.code) == (category, code)


def test_send_to_a_non_turkish_number_is_skipped(connector):
    assert send_skipped(connector, sms(to="+962791234567")).category == Category.RECIPIENT


@pytest.mark.parametrize(
    ("password", "ok", "balance", "detail"),
    [
        pytest.param(
            PASSWORD,
            True,
            "1000 credits",
            "Approved originators: ACME, ACMEINFO. Not approved at Mobildev: UNAPPROVED.",
            id="credentials work: credit and originators",
        ),
        pytest.param("wrong-pass", False, "", "(Hatalı", id="credentials rejected: 01"),
    ],
)
def test_check_reads_the_credit_and_originators(connector, password, ok, balance, detail):
    connector.password = password

    result = connector_check(connector=connector)

    assert (result.ok, result.balance) == (ok, balance)
    assert detail in result.detail


def test_check_tells_an_unreadable_answer(connector):
    SETUP.set_mode(FailureMode.FIXED_ANSWER, fixed_body="<html>maintenance</html>")

    result = connector_check(connector=connector)

    assert not result.ok
    assert "undocumented" in result.detail
