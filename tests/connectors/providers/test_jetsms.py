"""Jet SMS adapter against the Jet SMS simulator over real HTTP."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import requests

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

SETUP = harness_setup("jetsms", options={"max_length": 160})


def sms(text="Kodunuz 1234", to="+905321234567", sender=""):
    return OutboundSms(id=7, to=to, text=text, sender=sender)


# -- accepted ------------------------------------------------------------------------------------

ACCEPTED = [
    pytest.param("Kodunuz 1234", "", "ACME", id="plain text, default sender"),
    pytest.param(
        'Şişli\'de ılık <b> & "gün"', "ACMEINFO", "ACMEINFO", id="Turkish letters and XML specials"
    ),
]


@pytest.mark.parametrize(("text", "sender", "received_sender"), ACCEPTED)
def test_send_accepted(connector, text, sender, received_sender):
    result = send_accepted(connector, sms(text, sender=sender))

    received = ReceivedSms.objects.get()
    assert (received.number, received.text, received.sender) == (
        "905321234567",
        text,
        received_sender,
    )
    assert result.provider_message_id == str(received.order_id)
    assert result.code == "00"
    exchange = result.exchanges[0]
    assert (exchange.method, exchange.status) == ("POST", 200)
    assert exchange.url.endswith("/simulators/jetsms/SMS-Web8/xmlsms")
    assert '<?xml version="1.0" encoding="UTF-8"?>' in exchange.request_body
    assert '<message-context type="smmgsd">' in exchange.request_body


def test_send_accepts_text_up_to_the_connectors_max_length(connector):
    connector.options = {**connector.options, "max_length": 306}

    result = send_accepted(connector, sms("x" * 306))

    assert result.code == "00"


# -- every documented answer, as the simulator gives it or as a fixed answer ---------------------

SIMULATED_FAILURES = [
    pytest.param({"password": "wrong"}, {}, "10", Category.CREDENTIALS, id="10 wrong password"),
    pytest.param(
        {},
        {"mode": FailureMode.WRONG_CREDENTIALS},
        "10",
        Category.CREDENTIALS,
        id="10 credentials mode",
    ),
    pytest.param({}, {"balance": 0}, "11", Category.BALANCE, id="11 balance used up"),
    pytest.param(
        {}, {"mode": FailureMode.NO_BALANCE}, "11", Category.BALANCE, id="11 no balance mode"
    ),
    pytest.param(
        {},
        {"sender_titles": ["OTHER"]},
        "12",
        Category.SENDER,
        id="12 title not approved at Jet SMS",
    ),
    pytest.param(
        {"sender_list": ["ACME"], "options": {"max_length": 612}},
        {"max_text_length": 160},
        "85",
        Category.CONTENT,
        id="85 account limit below the connector option",
    ),
]


@pytest.mark.parametrize(("connector_changes", "simulator", "code", "category"), SIMULATED_FAILURES)
def test_send_failure_from_simulator_state(
    connector, account, connector_changes, simulator, code, category
):
    connector_change(connector, connector_changes)
    simulator_change(account, simulator)

    error = send_refused(SETUP, connector, sms("y" * 200 if code == "85" else "Kodunuz 1234"))

    assert (error.code, error.category, error.outcome) == (code, category, "failed")
    assert error.exchanges[0].response_body.startswith(code + " ")


FIXED_ANSWERS = [
    pytest.param(
        "10 wrong user", "10", Category.CREDENTIALS, "Kullanıcı adı veya şifre hatalı", id="10"
    ),
    pytest.param("11 not enough limit", "11", Category.BALANCE, "limit yok", id="11"),
    pytest.param("12 wrong title", "12", Category.SENDER, "onaylı değil", id="12"),
    pytest.param("30 ", "30", Category.SENDER, "Mesaj Başlığı Boş", id="30"),
    pytest.param("31 ", "31", Category.RECIPIENT, "Gsm Numarası yok", id="31"),
    pytest.param("38 ", "38", Category.CONTENT, "Mesaj metni boş", id="38"),
    pytest.param("72 not insert message title", "72", Category.SENDER, "Ekleme Kapatıldı", id="72"),
    pytest.param(
        "76 forbidden send message with xml", "76", Category.CREDENTIALS, "XML ile", id="76"
    ),
    pytest.param(
        "77 non authentication for send message",
        "77",
        Category.CREDENTIALS,
        "Sistemi kapalı",
        id="77",
    ),
    pytest.param(
        "80 XML Error : Unexpected SMS characters", "80", Category.CONTENT, "İstenmeyen", id="80"
    ),
    pytest.param(
        "81 mesaj sayisi ile receipt sayisi uyumsuz", "81", Category.UNKNOWN, "receipt", id="81"
    ),
    pytest.param(
        "84 mesaj sayisi ya da receipt sayisi sifir geldi", "84", Category.UNKNOWN, "sıfır", id="84"
    ),
    pytest.param(
        "85 Mesaj 160 den uzun. Max 612 olabilir.", "85", Category.CONTENT, "azami", id="85"
    ),
    pytest.param("86 header 40 karakterden dan uzun olamaz", "86", Category.UNKNOWN, "40", id="86"),
    pytest.param("87 header sayisi 0 olamaz", "87", Category.UNKNOWN, "0 olamaz", id="87"),
    pytest.param(
        "88 header sayisi ile receipt sayisi uyumsuz",
        "88",
        Category.UNKNOWN,
        "Header sayısı",
        id="88",
    ),
    pytest.param(
        "89 messagetype 0,1,2,3 ve 4 den baska bir deger geldi",
        "89",
        Category.UNKNOWN,
        "Messagetype",
        id="89",
    ),
    pytest.param("90 XML null", "90", Category.PROVIDER_ERROR, "XML kod", id="90"),
    pytest.param("201 Açıklama", "201", Category.UNKNOWN, "Kanal", id="201"),
    pytest.param("202 Açıklama", "202", Category.UNKNOWN, "Content Type", id="202"),
    pytest.param("203 Açıklama", "203", Category.CONTENT, "Dosya Boyutu", id="203"),
    pytest.param("204 Açıklama", "204", Category.RATE_LIMIT, "Zaman Aralığı", id="204"),
    pytest.param(
        "Service Unavailable",
        "",
        Category.UNKNOWN,
        "not in its code table",
        id="unparseable answer",
    ),
    pytest.param("", "", Category.UNKNOWN, "not in its code table", id="empty answer"),
]


@pytest.mark.parametrize(("body", "code", "category", "in_detail"), FIXED_ANSWERS)
def test_send_maps_every_documented_code(connector, body, code, category, in_detail):
    SETUP.set_mode(FailureMode.FIXED_ANSWER, fixed_status=200, fixed_body=body or " ")

    failed = send_failed(connector, sms())

    assert (failed.category, failed.code) == (category, code)
    assert in_detail in failed.detail
    assert failed.exchanges[0].response_body == (body or " ")


def test_send_code_00_is_accepted_with_its_group_id(connector):
    SETUP.set_mode(FailureMode.FIXED_ANSWER, fixed_status=200, fixed_body="00 130228114512")

    result = send_accepted(connector, sms())

    assert (result.provider_message_id, result.code) == ("130228114512", "00")


# -- messages the connector cannot carry: nothing is sent ---------------------------------------

CANNOT_CARRY = [
    pytest.param(sms(to="+962791234567"), Category.RECIPIENT, "", id="non-Turkish number"),
    pytest.param(sms(to="+902121234567"), Category.RECIPIENT, "", id="Turkish landline"),
    pytest.param(sms(sender="OTHER"), Category.SENDER, "12", id="sender title not listed"),
    pytest.param(sms("x" * 161), Category.CONTENT, "85", id="161 characters over max_length 160"),
    pytest.param(sms("Merhaba 😀"), Category.CONTENT, "80", id="emoji outside ISO-8859-9"),
]


@pytest.mark.parametrize(("message", "category", "code"), CANNOT_CARRY)
def test_send_skips_what_the_connector_cannot_carry(connector, message, category, code):
    skipped = send_skipped(connector, message)

    assert (skipped.category, skipped.code, skipped.outcome) == (category, code, "skipped")


# -- test connection -------------------------------------------------------------------------------


def test_check_with_right_credentials_is_ok(connector):
    result = connector_check(connector=connector)

    assert result.ok
    assert result.detail.startswith("Connected: credentials and sender title 'ACME' accepted")
    assert (
        "<gsmnos></gsmnos>" in result.exchanges[0].request_body
        or "<gsmnos />" in result.exchanges[0].request_body
    )
    assert result.exchanges[0].response_body.startswith("31 ")
    assert not ReceivedSms.objects.exists()


def test_check_with_wrong_password_says_so(connector):
    connector.password = "not-the-password"

    result = connector_check(connector=connector)

    assert not result.ok
    assert result.detail.startswith("Wrong user name or password")
    assert connector.last_check_ok is False


# -- validity ------------------------------------------------------------------------------------


def test_validity_reaches_jet_sms_as_expire_date_in_turkish_time(connector):
    expires_at = datetime(2031, 3, 4, 9, 5, 59, tzinfo=UTC)  # 12:05:59 in Istanbul

    send_accepted(connector, replace(sms(), expires_at=expires_at))

    assert ReceivedSms.objects.get().validity == "040320311205"  # the minute rounded down


def test_no_validity_leaves_jet_smss_default(connector):
    result = send_accepted(connector, sms())

    assert ReceivedSms.objects.get().validity == ""
    assert "<expire-date />" in result.exchanges[0].request_body


def test_simulator_refuses_a_malformed_expire_date(connector, live_server):
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><message-context type="smmgsd">'
        f"<username>{SETUP.username}</username><password>{SETUP.password}</password>"
        "<outbox-name>ACME</outbox-name><expire-date>2031-03-04</expire-date>"
        "<text>hi</text><gsmnos>905321234567</gsmnos></message-context>"
    )

    answer = requests.post(f"{live_server.url}/simulators/jetsms/SMS-Web8/xmlsms", data=body)

    assert answer.text.startswith("90 ")
    assert not ReceivedSms.objects.exists()
