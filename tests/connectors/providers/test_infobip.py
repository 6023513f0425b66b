"""Infobip adapter against the Infobip simulator over real HTTP."""

import time

import pytest
from django.core.exceptions import ValidationError

from connectors.providers import get_provider
from connectors.providers.base import Category, OutboundSms, ProviderError
from connectors.simulators.models import FailureMode, ReceivedSms
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import simulated_provider_set_mode, simulator_account_ensure
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db(transaction=True)

USERNAME, API_KEY = "acme-ib", "0123456789abcdef-ib-key"
provider = get_provider("infobip")


@pytest.fixture
def account(db):
    account, _ = simulator_account_ensure(
        slug="infobip", username=USERNAME, password=API_KEY, sender_titles=["ACME", "ACMEINFO"]
    )
    return account


@pytest.fixture
def connector(account, simulator_url):
    return ConnectorFactory(
        provider="infobip",
        username=USERNAME,
        password=API_KEY,
        sender_list=["ACME", "ACMEINFO", "UNAPPROVED"],
        options={"base_url": simulator_url("infobip"), "timeout_seconds": 2, "auth": "app"},
    )


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

    result = provider.send(connector=connector, message=sms(text))

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
    pytest.param(
        {}, FailureMode.HTTP_500, {}, Category.PROVIDER_ERROR, "500", 500, id="server error"
    ),
]


@pytest.mark.parametrize(("changes", "mode", "message", "category", "code", "http_status"), FAILED)
def test_send_failed(connector, changes, mode, message, category, code, http_status):
    for name, value in changes.items():
        setattr(connector, name, value)
    if mode:
        simulated_provider_set_mode(
            provider=simulated_provider_get(slug="infobip"), failure_mode=mode
        )

    with pytest.raises(ProviderError) as raised:
        provider.send(connector=connector, message=sms(**message))

    assert (raised.value.category, raised.value.code, raised.value.http_status) == (
        category,
        code,
        http_status,
    )
    assert not ReceivedSms.objects.exists()
    assert API_KEY not in repr([e.as_dict() for e in raised.value.exchanges])


def test_send_times_out_when_infobip_is_slow(connector):
    connector.options["timeout_seconds"] = 1
    simulated_provider_set_mode(
        provider=simulated_provider_get(slug="infobip"),
        failure_mode=FailureMode.SLOW,
        slow_seconds=2,
    )

    with pytest.raises(ProviderError) as raised:
        provider.send(connector=connector, message=sms())

    assert raised.value.category == Category.TIMEOUT
    time.sleep(1.2)  # let the simulator finish its slow answer before the test database goes away


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        pytest.param(API_KEY, True, id="key works"),
        pytest.param("wrong-key-123", False, id="key rejected"),
    ],
)
def test_check_reads_the_balance(connector, key, ok):
    connector.password = key

    result = provider.check(connector=connector)

    assert result.ok is ok
    assert result.balance == ("1000.0 EUR" if ok else "")


def test_base_url_is_required():
    with pytest.raises(ValidationError) as raised:
        provider.clean_options({})

    assert "options.base_url" in raised.value.message_dict
