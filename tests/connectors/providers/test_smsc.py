"""SMSC (SMPP 3.4) adapter against the simulated SMSC over real TCP."""

import socket

import pytest
from django.core.exceptions import ValidationError

from connectors.providers import get_provider
from connectors.providers.base import CannotCarry, Category, OutboundSms, ProviderError
from connectors.providers.smsc import close_binds
from connectors.simulators.smsc import SmscMode, SmscSimulator, SmscState
from tests.factories import ConnectorFactory

PASSWORD = "pa55w0rd"
provider = get_provider("smsc")


@pytest.fixture
def smsc():
    """A simulated SMSC on a free loopback port, with one account and two approved senders."""
    simulator = SmscSimulator(
        SmscState(accounts={"acme": PASSWORD}, sender_titles={"ACME", "908501234567"})
    ).start()
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
    fields.update(changes)
    return ConnectorFactory(**fields)


def sms(text="Your code is 1234", to="+905321234567", sender=""):
    return OutboundSms(id=1, to=to, text=text, sender=sender)


ACCEPTED = [
    pytest.param(
        "Your code is 1234",
        "",
        ["Your code is 1234"],
        1,
        0x00,
        5,
        id="short GSM-7 text, alphanumeric sender",
    ),
    pytest.param(
        "Braces {} and € cost two septets",
        "",
        ["Braces {} and € cost two septets"],
        1,
        0x00,
        5,
        id="GSM-7 extension characters",
    ),
    pytest.param(
        "Şişli'de ğüzel ıhlamur çayı",
        "",
        ["Şişli'de ğüzel ıhlamur çayı"],
        1,
        0x08,
        5,
        id="Turkish letters go as UCS-2",
    ),
    pytest.param("x" * 400, "", ["x" * 400], 3, 0x00, 5, id="long text split into three UDH parts"),
    pytest.param(
        "مرحبا " * 20,
        "",
        ["مرحبا " * 20],
        2,
        0x08,
        5,
        id="long Arabic text split into two UCS-2 parts",
    ),
    pytest.param(
        "Numeric sender",
        "908501234567",
        ["Numeric sender"],
        1,
        0x00,
        1,
        id="numeric sender sent with TON 1",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "sender", "received", "parts", "coding", "source_ton"), ACCEPTED)
def test_send_accepted(smsc, text, sender, received, parts, coding, source_ton):
    result = provider.send(connector=smsc_connector(smsc), message=sms(text, sender=sender))

    assert smsc.state.texts() == received
    assert len(smsc.state.parts) == parts
    assert {p.data_coding for p in smsc.state.parts} == {coding}
    assert {p.source_ton for p in smsc.state.parts} == {source_ton}
    assert {p.destination_addr for p in smsc.state.parts} == {"905321234567"}
    assert result.provider_message_id == smsc.state.parts[0].message_id
    assert [e.method for e in result.exchanges][-parts:] == ["SMPP"] * parts


FAILED = [
    pytest.param(
        {},
        {"password": "wrong123"},
        Category.CREDENTIALS,
        "0x0000000E",
        id="wrong password ESME_RINVPASWD",
    ),
    pytest.param(
        {},
        {"username": "nobody"},
        Category.CREDENTIALS,
        "0x0000000F",
        id="unknown system_id ESME_RINVSYSID",
    ),
    pytest.param(
        {"mode": SmscMode.BIND_REFUSED},
        {},
        Category.CREDENTIALS,
        "0x0000000D",
        id="bind refused ESME_RBINDFAIL",
    ),
    pytest.param(
        {"mode": SmscMode.THROTTLED},
        {},
        Category.RATE_LIMIT,
        "0x00000058",
        id="throttled ESME_RTHROTTLED",
    ),
    pytest.param(
        {"mode": SmscMode.SYSTEM_ERROR},
        {},
        Category.PROVIDER_ERROR,
        "0x00000008",
        id="system error ESME_RSYSERR",
    ),
    pytest.param(
        {"mode": SmscMode.QUEUE_FULL},
        {},
        Category.PROVIDER_ERROR,
        "0x00000014",
        id="queue full ESME_RMSGQFUL",
    ),
    pytest.param(
        {"sender_titles": {"OTHER"}},
        {},
        Category.SENDER,
        "0x0000000A",
        id="sender not approved ESME_RINVSRCADR",
    ),
    pytest.param(
        {"mode": SmscMode.DROP}, {}, Category.NETWORK, "", id="connection dropped on submit"
    ),
    pytest.param(
        {"mode": SmscMode.SLOW, "slow_seconds": 2},
        {},
        Category.TIMEOUT,
        "",
        id="no answer within the timeout",
    ),
    pytest.param(
        {},
        {"password": "longer-than-8"},
        Category.CREDENTIALS,
        "",
        id="password longer than SMPP allows",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "connector_changes", "category", "code"), FAILED)
def test_send_failed(smsc, state, connector_changes, category, code):
    for name, value in state.items():
        setattr(smsc.state, name, value)

    with pytest.raises(ProviderError) as raised:
        provider.send(connector=smsc_connector(smsc, **connector_changes), message=sms())

    assert raised.value.category == category
    assert raised.value.code == code
    assert smsc.state.parts == []


@pytest.mark.django_db
def test_send_to_invalid_destination_is_a_recipient_failure(smsc):
    with pytest.raises(ProviderError) as raised:
        provider.send(connector=smsc_connector(smsc), message=sms(to="+12"))

    assert (raised.value.category, raised.value.code) == (Category.RECIPIENT, "0x0000000B")


@pytest.mark.django_db
def test_send_with_unlisted_sender_is_skipped_without_connecting(smsc):
    with pytest.raises(CannotCarry):
        provider.send(connector=smsc_connector(smsc), message=sms(sender="NOTLISTED"))

    assert smsc.state.binds == 0


@pytest.mark.django_db
def test_send_when_nothing_listens_is_a_network_failure():
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


@pytest.mark.django_db
def test_bind_is_kept_between_sends(smsc):
    connector = smsc_connector(smsc)

    first = provider.send(connector=connector, message=sms())
    second = provider.send(connector=connector, message=sms())

    assert smsc.state.binds == 1
    assert [e.request_body.split()[0] for e in first.exchanges] == [
        "connect",
        "bind_transmitter",
        "submit_sm",
    ]
    assert [e.request_body.split()[0] for e in second.exchanges] == ["submit_sm"]


@pytest.mark.django_db
def test_bind_is_made_again_after_the_smsc_dropped_it(smsc):
    connector = smsc_connector(smsc)
    provider.send(connector=connector, message=sms())

    smsc.drop_connections()
    result = provider.send(connector=connector, message=sms("After the drop"))

    assert smsc.state.binds == 2
    assert smsc.state.texts()[-1] == "After the drop"
    assert result.exchanges[1].request_body.startswith("bind_transmitter")


@pytest.mark.django_db
def test_new_password_makes_a_new_bind(smsc):
    connector = smsc_connector(smsc)
    provider.send(connector=connector, message=sms())
    smsc.state.accounts["acme"] = "n3wpass"
    connector.password = "n3wpass"

    provider.send(connector=connector, message=sms())

    assert smsc.state.binds == 2


@pytest.mark.django_db
def test_exchanges_never_carry_the_password(smsc):
    connector = smsc_connector(smsc)

    result = provider.send(connector=connector, message=sms())
    check = provider.check(connector=connector)

    logged = repr([e.as_dict() for e in result.exchanges + check.exchanges])
    assert PASSWORD not in logged
    assert "password=***" in logged


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "ok"),
    [
        pytest.param({}, True, id="bind works"),
        pytest.param({"accounts": {"acme": "other"}}, False, id="password rejected"),
        pytest.param({"mode": SmscMode.BIND_REFUSED}, False, id="bind refused"),
    ],
)
def test_check(smsc, state, ok):
    for name, value in state.items():
        setattr(smsc.state, name, value)

    result = provider.check(connector=smsc_connector(smsc))

    assert result.ok is ok
    assert smsc.state.parts == []


def test_options_need_host_and_take_no_base_url():
    with pytest.raises(ValidationError) as raised:
        provider.clean_options({"base_url": "https://example.com"})

    assert set(raised.value.message_dict) == {"options.host", "options"}
