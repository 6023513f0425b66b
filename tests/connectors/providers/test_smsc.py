"""SMSC (SMPP 3.4) adapter against the simulated SMSC over real TCP."""

import socket

import pytest
from django.core.exceptions import ValidationError

from connectors.providers import get_provider
from connectors.providers.base import CannotCarry, Category, OutboundSms, ProviderError
from connectors.providers.smsc import close_binds, gsm_decode
from connectors.simulators.models import FailureMode, ReceivedSms, SimulatorAccount
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import simulated_provider_set_mode, simulator_account_ensure
from connectors.simulators.smsc import SmscSimulator
from tests.factories import ConnectorFactory

# The simulator reads its accounts from the database in its own threads: data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pa55w0rd"
EMOJI = "😀"
provider = get_provider("smsc")


@pytest.fixture
def smsc():
    """A simulated SMSC on a free loopback port, with one account and two approved senders."""
    simulator_account_ensure(
        slug="smsc", username="acme", password=PASSWORD, sender_titles=["ACME", "908501234567"]
    )
    simulator = SmscSimulator().start()
    yield simulator
    close_binds()
    simulator.stop()


def smsc_connector(simulator, **changes):
    fields = {
        "provider": "smsc",
        "username": "acme",
        "password": PASSWORD,
        "sender_list": ["ACME", "908501234567"],
        "options": {
            "host": simulator.host,
            "port": simulator.port,
            "timeout_seconds": 1,
            "data_coding": "gsm",
        },
    }
    if "options" in changes:
        changes["options"] = {**fields["options"], **changes["options"]}
    fields.update(changes)
    return ConnectorFactory(**fields)


def sms(text="Your code is 1234", to="+905321234567", sender=""):
    return OutboundSms(id=1, to=to, text=text, sender=sender)


def set_mode(mode, **mode_settings):
    simulated_provider_set_mode(
        provider=simulated_provider_get(slug="smsc"), failure_mode=mode, **mode_settings
    )


ACCEPTED = [
    pytest.param("Your code is 1234", "", "gsm", 1, 0x00, 5, id="short GSM-7, alphanumeric sender"),
    pytest.param(
        "Braces {} and € cost two septets", "", "gsm", 1, 0x00, 5, id="GSM-7 extension characters"
    ),
    pytest.param(
        "Şişli'de ğüzel ıhlamur çayı", "", "gsm", 1, 0x08, 5, id="Turkish letters go as UCS-2"
    ),
    pytest.param("x" * 400, "", "gsm", 3, 0x00, 5, id="long text in three parts of 153"),
    pytest.param(
        "a" * 152 + "{" + "b" * 200,
        "",
        "gsm",
        3,
        0x00,
        5,
        id="escape pair at a part boundary moves whole to the next part",
    ),
    pytest.param(
        "ب" * 66 + EMOJI + "ب" * 10,
        "",
        "gsm",
        2,
        0x08,
        5,
        id="surrogate pair at a part boundary moves whole to the next part",
    ),
    pytest.param("مرحبا " * 20, "", "gsm", 2, 0x08, 5, id="long Arabic text in two UCS-2 parts"),
    pytest.param("Plain text", "", "ucs2", 1, 0x08, 5, id="data coding always UCS-2"),
    pytest.param("Café crème", "", "latin1", 1, 0x03, 5, id="data coding Latin-1"),
    pytest.param("Numeric sender", "908501234567", "gsm", 1, 0x00, 1, id="numeric sender, TON 1"),
]


@pytest.mark.parametrize(("text", "sender", "coding", "parts", "data_coding", "ton"), ACCEPTED)
def test_send_accepted(smsc, text, sender, coding, parts, data_coding, ton):
    connector = smsc_connector(smsc, options={"data_coding": coding})

    result = provider.send(connector=connector, message=sms(text, sender=sender))

    received = ReceivedSms.objects.get()
    assert (received.text, received.number, received.sender) == (
        text,
        "905321234567",
        sender or "ACME",
    )
    assert result.provider_message_id == str(received.order_id)
    assert len(smsc.parts) == parts
    assert {p.data_coding for p in smsc.parts} == {data_coding}
    assert {p.source_ton for p in smsc.parts} == {ton}
    assert [e.method for e in result.exchanges][-parts:] == ["SMPP"] * parts


def test_long_gsm_parts_fit_an_sms_and_never_end_in_an_escape(smsc):
    text = "a" * 152 + "€" + "b" * 152 + "[" + "c" * 100

    provider.send(connector=smsc_connector(smsc), message=sms(text))

    payloads = [p.short_message[6:] for p in smsc.parts]  # after the 6-octet concatenation UDH
    assert all(len(payload) <= 153 for payload in payloads)
    assert all(not payload.endswith(b"\x1b") for payload in payloads)
    assert "".join(gsm_decode(payload) for payload in payloads) == text
    assert {p.short_message[3] for p in smsc.parts} == {smsc.parts[0].short_message[3]}
    assert [p.short_message[4:6] for p in smsc.parts] == [b"\x03\x01", b"\x03\x02", b"\x03\x03"]


def test_long_ucs2_parts_fit_an_sms(smsc):
    provider.send(connector=smsc_connector(smsc), message=sms("ğ" * 200))

    assert all(len(p.short_message) <= 140 for p in smsc.parts)
    assert ReceivedSms.objects.get().text == "ğ" * 200


FAILED = [
    pytest.param(
        None, {}, {"password": "wrong123"}, Category.CREDENTIALS, "0x0000000E", id="ESME_RINVPASWD"
    ),
    pytest.param(
        None, {}, {"username": "nobody"}, Category.CREDENTIALS, "0x0000000F", id="ESME_RINVSYSID"
    ),
    pytest.param(
        FailureMode.WRONG_CREDENTIALS,
        {},
        {},
        Category.CREDENTIALS,
        "0x0000000D",
        id="refuse every bind: ESME_RBINDFAIL",
    ),
    pytest.param(
        FailureMode.FIXED_ANSWER,
        {"fixed_body": "ESME_RTHROTTLED"},
        {},
        Category.RATE_LIMIT,
        "0x00000058",
        id="fixed ESME_RTHROTTLED",
    ),
    pytest.param(
        FailureMode.FIXED_ANSWER,
        {"fixed_body": "0x14"},
        {},
        Category.PROVIDER_ERROR,
        "0x00000014",
        id="fixed 0x14 ESME_RMSGQFUL",
    ),
    pytest.param(
        FailureMode.HTTP_500,
        {},
        {},
        Category.PROVIDER_ERROR,
        "0x00000008",
        id="system error: ESME_RSYSERR",
    ),
    pytest.param(
        FailureMode.NO_BALANCE,
        {},
        {},
        Category.PROVIDER_ERROR,
        "0x00000045",
        id="out of balance: ESME_RSUBMITFAIL",
    ),
    pytest.param(
        None,
        {},
        {"sender_list": ["NOTAPPROVED"]},
        Category.SENDER,
        "0x0000000A",
        id="sender not approved: ESME_RINVSRCADR",
    ),
    pytest.param(FailureMode.DROP, {}, {}, Category.NETWORK, "", id="SMSC drops the connection"),
    pytest.param(
        FailureMode.SLOW,
        {"slow_seconds": 1},
        {"options": {"timeout_seconds": 0.3}},
        Category.TIMEOUT,
        "",
        id="no answer within the timeout",
    ),
    pytest.param(
        None,
        {},
        {"password": "longer-than-8"},
        Category.CREDENTIALS,
        "",
        id="password longer than SMPP allows",
    ),
]


@pytest.mark.parametrize(("mode", "mode_settings", "connector_changes", "category", "code"), FAILED)
def test_send_failed(smsc, mode, mode_settings, connector_changes, category, code):
    if mode:
        set_mode(mode, **mode_settings)

    with pytest.raises(ProviderError) as raised:
        provider.send(connector=smsc_connector(smsc, **connector_changes), message=sms())

    assert (raised.value.category, raised.value.code) == (category, code)
    assert smsc.parts == []
    assert not ReceivedSms.objects.exists()


def test_send_to_invalid_destination_is_a_recipient_failure(smsc):
    with pytest.raises(ProviderError) as raised:
        provider.send(connector=smsc_connector(smsc), message=sms(to="+12"))

    assert (raised.value.category, raised.value.code) == (Category.RECIPIENT, "0x0000000B")


def test_send_with_unlisted_sender_is_skipped_without_connecting(smsc):
    with pytest.raises(CannotCarry):
        provider.send(connector=smsc_connector(smsc), message=sms(sender="NOTLISTED"))

    assert smsc.binds == 0


def test_send_when_nothing_listens_is_a_network_failure(db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    connector = ConnectorFactory(
        provider="smsc",
        username="acme",
        password=PASSWORD,
        options={"host": "127.0.0.1", "port": free_port, "timeout_seconds": 1},
    )

    with pytest.raises(ProviderError) as raised:
        provider.send(connector=connector, message=sms())

    assert raised.value.category == Category.NETWORK
    assert "refused" in raised.value.detail


def test_bind_is_kept_between_sends(smsc):
    connector = smsc_connector(smsc)

    first = provider.send(connector=connector, message=sms())
    second = provider.send(connector=connector, message=sms())

    assert smsc.binds == 1
    assert [e.request_body.split()[0] for e in first.exchanges] == [
        "connect",
        "bind_transmitter",
        "submit_sm",
    ]
    assert [e.request_body.split()[0] for e in second.exchanges] == ["submit_sm"]


def test_bind_is_made_again_after_the_smsc_dropped_it(smsc):
    connector = smsc_connector(smsc)
    provider.send(connector=connector, message=sms())

    smsc.drop_connections()
    result = provider.send(connector=connector, message=sms("After the drop"))

    assert smsc.binds == 2
    assert ReceivedSms.objects.first().text == "After the drop"
    assert result.exchanges[1].request_body.startswith("bind_transmitter")


def test_new_password_makes_a_new_bind(smsc):
    connector = smsc_connector(smsc)
    provider.send(connector=connector, message=sms())
    SimulatorAccount.objects.filter(username="acme").update(password="n3wpass")
    connector.password = "n3wpass"

    provider.send(connector=connector, message=sms())

    assert smsc.binds == 2


def test_exchanges_never_carry_the_password(smsc):
    connector = smsc_connector(smsc)

    result = provider.send(connector=connector, message=sms())
    check = provider.check(connector=connector)

    logged = repr([e.as_dict() for e in result.exchanges + check.exchanges])
    assert PASSWORD not in logged
    assert "password=***" in logged


@pytest.mark.parametrize(
    ("mode", "password", "ok"),
    [
        pytest.param(None, PASSWORD, True, id="bind works"),
        pytest.param(None, "other12", False, id="password rejected"),
        pytest.param(FailureMode.WRONG_CREDENTIALS, PASSWORD, False, id="bind refused"),
    ],
)
def test_check(smsc, mode, password, ok):
    if mode:
        set_mode(mode)

    result = provider.check(connector=smsc_connector(smsc, password=password))

    assert result.ok is ok
    assert smsc.parts == []


def test_options_need_host_and_take_no_base_url():
    with pytest.raises(ValidationError) as raised:
        provider.clean_options({"base_url": "https://example.com"})

    assert set(raised.value.message_dict) == {"options.host", "options"}


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        pytest.param("127.0.0.1", True, id="listed host"),
        pytest.param("LOCALHOST", True, id="listed host in capitals"),
        pytest.param("10.0.0.5", False, id="internal address not listed"),
        pytest.param("smpp.example.com", False, id="public host not listed"),
    ],
)
def test_options_take_only_listed_smpp_hosts(settings, host, allowed):
    settings.SMSCONSOLE_PROVIDER_SMPP_HOSTS = ["127.0.0.1", "localhost"]

    if allowed:
        assert provider.clean_options({"host": host, "port": 2775})["host"] == host
    else:
        with pytest.raises(ValidationError) as raised:
            provider.clean_options({"host": host, "port": 2775})
        assert "SMSCONSOLE_PROVIDER_SMPP_HOSTS" in raised.value.message_dict["options.host"][0]


def test_send_to_a_host_no_longer_listed_is_skipped_without_connecting(smsc, settings):
    connector = smsc_connector(smsc)
    settings.SMSCONSOLE_PROVIDER_SMPP_HOSTS = []

    with pytest.raises(CannotCarry) as raised:
        provider.send(connector=connector, message=sms())

    assert raised.value.category == Category.NETWORK
    assert smsc.binds == 0
