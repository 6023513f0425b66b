"""Twilio adapter against the Twilio simulator over real HTTP."""

from dataclasses import replace
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from connectors.providers.types import Category, OutboundSms
from connectors.services import connector_check
from connectors.simulators.models import FailureMode, ReceivedSms
from tests.connectors.providers.harness import (
    connector_change,
    harness_setup,
    recorded,
    send_accepted,
    send_refused,
    send_skipped,
)

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = harness_setup(
    "twilio", sender_titles=("+15005550006", "ACME"), unapproved_titles=("+15005550001",)
)
TOKEN = SETUP.password
SERVICE = "MG" + "fedcba9876543210" * 2


def sms(text="Your code is 1234", to="+905321234567", sender=""):
    return OutboundSms(id=9, to=to, text=text, sender=sender)


@pytest.mark.parametrize(
    ("options", "sender", "received_sender"),
    [
        pytest.param({}, "", "+15005550006", id="From the default sender number"),
        pytest.param({}, "ACME", "ACME", id="From an alphanumeric sender"),
        pytest.param(
            {"messaging_service_sid": SERVICE},
            "",
            SERVICE,
            id="MessagingServiceSid instead of From",
        ),
    ],
)
def test_send_accepted(connector, options, sender, received_sender):
    connector.options.update(options)

    result = send_accepted(connector, sms(sender=sender))

    received = ReceivedSms.objects.get()
    assert (received.number, received.text, received.sender) == (
        "+905321234567",
        "Your code is 1234",
        received_sender,
    )
    assert result.provider_message_id.startswith("SM")
    assert (result.code, result.http_status) == ("queued", 201)
    # The account SID is a credential: the exchange log shows it redacted.
    assert result.exchanges[0].url.endswith(
        "/simulators/twilio/2010-04-01/Accounts/***/Messages.json"
    )


FAILED = [
    pytest.param(
        {"password": "wrong-token-123"},
        None,
        {},
        Category.CREDENTIALS,
        "20003",
        401,
        id="wrong auth token: 20003",
    ),
    pytest.param(
        {"username": "AC" + "f" * 32},
        None,
        {},
        Category.CREDENTIALS,
        "20003",
        401,
        id="unknown account SID: 20003",
    ),
    pytest.param({}, None, {"to": "+12"}, Category.RECIPIENT, "21211", 400, id="invalid To: 21211"),
    pytest.param(
        {},
        None,
        {"sender": "+15005550001"},
        Category.SENDER,
        "21606",
        400,
        id="From not owned: 21606",
    ),
    pytest.param({}, None, {"text": ""}, Category.CONTENT, "21602", 400, id="empty body: 21602"),
    pytest.param(
        {},
        FailureMode.NO_BALANCE,
        {},
        Category.BALANCE,
        "20005",
        400,
        id="account not active: 20005",
    ),
]


@pytest.mark.parametrize(("changes", "mode", "message", "category", "code", "http_status"), FAILED)
def test_send_failed(connector, changes, mode, message, category, code, http_status):
    connector_change(connector, changes)
    if mode:
        SETUP.set_mode(mode)

    error = send_refused(SETUP, connector, sms(**message))

    assert (error.category, error.code, error.http_status) == (category, code, http_status)


def test_send_with_malformed_account_sid_is_skipped(connector):
    connector.username = "not-a-sid"

    assert send_skipped(connector, sms()).category == Category.CREDENTIALS


@pytest.mark.parametrize(
    ("token", "mode", "ok"),
    [
        pytest.param(TOKEN, None, True, id="active account"),
        pytest.param("wrong-token-123", None, False, id="token rejected"),
        pytest.param(TOKEN, FailureMode.NO_BALANCE, False, id="suspended account"),
    ],
)
def test_check_fetches_the_account(connector, token, mode, ok):
    connector.password = token
    if mode:
        SETUP.set_mode(mode)

    result = connector_check(connector=connector)

    assert result.ok is ok
    assert TOKEN not in recorded(result.exchanges)


# -- validity ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "lowest", "highest"),
    [
        pytest.param(timedelta(hours=2), 7190, 7200, id="the seconds left"),
        pytest.param(timedelta(hours=12), 36000, 36000, id="more than Twilio's 10 hours: 10 hours"),
    ],
)
def test_validity_reaches_twilio_as_validity_period_in_seconds(connector, left, lowest, highest):
    send_accepted(connector, replace(sms(), expires_at=timezone.now() + left))

    assert lowest <= int(ReceivedSms.objects.get().validity) <= highest


@pytest.mark.parametrize("validity", ["0", "36001", "1h"])
def test_simulator_answers_21624_to_a_validity_period_out_of_range(
    connector, live_server, validity
):
    answer = requests.post(
        f"{live_server.url}/simulators/twilio/2010-04-01/Accounts/{SETUP.username}/Messages.json",
        data={"To": "+905321234567", "From": "ACME", "Body": "hi", "ValidityPeriod": validity},
        auth=(SETUP.username, TOKEN),
    )

    assert (answer.status_code, answer.json()["code"]) == (400, 21624)
    assert not ReceivedSms.objects.exists()
