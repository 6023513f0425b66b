"""Infobip adapter against the Infobip simulator over real HTTP."""

from dataclasses import replace
from datetime import timedelta

import pytest
import requests
from django.core.exceptions import ValidationError
from django.utils import timezone

from connectors.providers import get_provider
from connectors.providers.types import Category, OutboundSms
from connectors.services import connector_check
from connectors.simulators.models import FailureMode, ReceivedSms
from tests.connectors.providers.harness import (
    connector_change,
    harness_setup,
    send_accepted,
    send_refused,
)

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = harness_setup("infobip", unapproved_titles=("UNAPPROVED",))
API_KEY = SETUP.password
provider = get_provider("infobip")


def sms(text="Kodunuz 1234", to="+905321234567", sender=""):
    return OutboundSms(id=7, to=to, text=text, sender=sender)


@pytest.mark.parametrize(
    ("auth", "text"),
    [
        pytest.param("app", "Kodunuz 1234", id="API key, plain text"),
        pytest.param(
            "basic", 'Şişli\'de "özel" {fırsat} & <50%>', id="Basic auth, Turkish and JSON specials"
        ),
    ],
)
def test_send_accepted(connector, auth, text):
    connector.options["auth"] = auth

    result = send_accepted(connector, sms(text))

    received = ReceivedSms.objects.get()
    assert (received.number, received.text, received.sender) == ("905321234567", text, "ACME")
    assert result.provider_message_id == "sms-7"
    assert result.code == "PENDING_ACCEPTED"
    assert result.exchanges[0].url.endswith("/simulators/infobip/sms/2/text/advanced")
    assert result.exchanges[0].request_headers["Authorization"] == "***"


FAILED = [
    pytest.param(
        {"password": "wrong-key-123"},
        None,
        {},
        Category.CREDENTIALS,
        "UNAUTHORIZED",
        401,
        id="wrong API key: requestError UNAUTHORIZED",
    ),
    pytest.param(
        {},
        FailureMode.WRONG_CREDENTIALS,
        {},
        Category.CREDENTIALS,
        "UNAUTHORIZED",
        401,
        id="credentials mode",
    ),
    pytest.param(
        {},
        None,
        {"sender": "UNAPPROVED"},
        Category.SENDER,
        "REJECTED_SOURCE",
        200,
        id="sender not registered: status REJECTED_SOURCE",
    ),
    pytest.param(
        {},
        None,
        {"to": "+12"},
        Category.RECIPIENT,
        "REJECTED_DESTINATION",
        200,
        id="bad destination: status REJECTED_DESTINATION",
    ),
    pytest.param(
        {},
        FailureMode.NO_BALANCE,
        {},
        Category.BALANCE,
        "REJECTED_NOT_ENOUGH_CREDITS",
        200,
        id="no balance: status REJECTED_NOT_ENOUGH_CREDITS",
    ),
]


@pytest.mark.parametrize(("changes", "mode", "message", "category", "code", "http_status"), FAILED)
def test_send_failed(connector, changes, mode, message, category, code, http_status):
    connector_change(connector, changes)
    if mode:
        SETUP.set_mode(mode)

    error = send_refused(SETUP, connector, sms(**message))

    assert (error.category, error.code, error.http_status) == (category, code, http_status)


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        pytest.param(API_KEY, True, id="key works"),
        pytest.param("wrong-key-123", False, id="key rejected"),
    ],
)
def test_check_reads_the_balance(connector, key, ok):
    connector.password = key

    result = connector_check(connector=connector)

    assert result.ok is ok
    assert result.balance == ("1000.0 EUR" if ok else "")


def test_base_url_is_required():
    with pytest.raises(ValidationError) as raised:
        provider.clean_options({})

    assert "options.base_url" in raised.value.message_dict


# -- validity ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "minutes"),
    [
        pytest.param(timedelta(hours=2, seconds=30), "120", id="whole minutes, rounded down"),
        pytest.param(timedelta(days=3), "2880", id="more than Infobip's 48 hours: 48 hours"),
    ],
)
def test_validity_reaches_infobip_as_validity_period_in_minutes(connector, left, minutes):
    send_accepted(connector, replace(sms(), expires_at=timezone.now() + left))

    assert ReceivedSms.objects.get().validity == minutes


@pytest.mark.parametrize("validity", [0, "60", 1.5], ids=["zero", "text", "fraction"])
def test_simulator_refuses_a_validity_period_that_is_not_a_positive_integer(
    connector, live_server, validity
):
    message = {"from": "ACME", "destinations": [{"to": "905321234567"}], "text": "hi"}

    answer = requests.post(
        f"{live_server.url}/simulators/infobip/sms/2/text/advanced",
        json={"messages": [{**message, "validityPeriod": validity}]},
        headers={"Authorization": f"App {API_KEY}"},
    )

    assert answer.status_code == 400
    assert answer.json()["requestError"]["serviceException"]["messageId"] == "BAD_REQUEST"
    assert not ReceivedSms.objects.exists()
