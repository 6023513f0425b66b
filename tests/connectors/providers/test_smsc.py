"""SMSC (SMPP 3.4) adapter against the simulated SMSC over real TCP."""

import multiprocessing
import re
import socket
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
import smpplib.client
import smpplib.consts
from django.core.exceptions import ValidationError
from django.utils import timezone

from connectors.providers import get_provider
from connectors.providers.smsc import close_binds, close_every_bind
from connectors.providers.smsc.session import session_kept
from connectors.providers.types import Category, OutboundSms
from connectors.services import connector_check
from connectors.simulators.models import FailureMode, ReceivedSms, SimulatorAccount
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import simulated_provider_set_mode
from connectors.simulators.smsc import SmscSimulator
from core.text import gsm_decode
from tests.connectors.providers.harness import (
    harness_setup,
    send_accepted,
    send_failed,
    send_skipped,
)
from tests.factories import ConnectorFactory

# The simulator reads its accounts from the database in its own threads: data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

SETUP = harness_setup("smsc", sender_titles=("ACME", "908501234567"))
PASSWORD = SETUP.password
EMOJI = "😀"
provider = get_provider("smsc")


@pytest.fixture
def smsc():
    """A simulated SMSC on a free loopback port, with one account and two approved senders."""
    SETUP.account()
    simulator = SmscSimulator().start()
    yield simulator
    close_binds()
    simulator.stop()


def smsc_connector(simulator, *, options=None, **fields):
    """The SMSC setup's connector at this simulator (unvalidated: timeouts below the form's 1 s)."""
    where = {"host": simulator.host, "port": simulator.port, "timeout_seconds": 1}
    return ConnectorFactory(**SETUP.fields("", options={**where, **(options or {})}, **fields))


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

    result = send_accepted(connector, sms(text, sender=sender))

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

    send_accepted(smsc_connector(smsc), sms(text))

    payloads = [p.short_message[6:] for p in smsc.parts]  # after the 6-octet concatenation UDH
    assert all(len(payload) <= 153 for payload in payloads)
    assert all(not payload.endswith(b"\x1b") for payload in payloads)
    assert "".join(gsm_decode(payload) for payload in payloads) == text
    assert {p.short_message[3] for p in smsc.parts} == {smsc.parts[0].short_message[3]}
    assert [p.short_message[4:6] for p in smsc.parts] == [b"\x03\x01", b"\x03\x02", b"\x03\x03"]


def test_long_ucs2_parts_fit_an_sms(smsc):
    send_accepted(smsc_connector(smsc), sms("ğ" * 200))

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

    failed = send_failed(smsc_connector(smsc, **connector_changes), sms())

    assert (failed.category, failed.code) == (category, code)
    assert smsc.parts == []
    assert not ReceivedSms.objects.exists()


def test_send_to_invalid_destination_is_a_recipient_failure(smsc):
    failed = send_failed(smsc_connector(smsc), sms(to="+12"))

    assert (failed.category, failed.code) == (Category.RECIPIENT, "0x0000000B")


def test_send_with_unlisted_sender_is_skipped_without_connecting(smsc):
    skipped = send_skipped(smsc_connector(smsc), sms(sender="NOTLISTED"))

    assert (skipped.category, skipped.code) == (Category.SENDER, "0x0000000A")

    assert smsc.binds == 0


def test_send_when_nothing_listens_is_a_network_failure(db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    connector = ConnectorFactory(
        provider="smsc",
        username=SETUP.username,
        password=PASSWORD,
        options={"host": "127.0.0.1", "port": free_port, "timeout_seconds": 1},
    )

    failed = send_failed(connector, sms())

    assert failed.category == Category.NETWORK
    assert "refused" in failed.detail


def test_bind_is_kept_between_sends(smsc):
    connector = smsc_connector(smsc)

    first = send_accepted(connector, sms())
    second = send_accepted(connector, sms())

    assert smsc.binds == 1
    assert [e.request_body.split()[0] for e in first.exchanges] == [
        "connect",
        "bind_transmitter",
        "submit_sm",
    ]
    assert [e.request_body.split()[0] for e in second.exchanges] == ["submit_sm"]


def test_bind_is_made_again_after_the_smsc_dropped_it(smsc):
    connector = smsc_connector(smsc)
    send_accepted(connector, sms())

    smsc.drop_connections()
    result = send_accepted(connector, sms("After the drop"))

    assert smsc.binds == 2
    assert ReceivedSms.objects.first().text == "After the drop"
    assert result.exchanges[1].request_body.startswith("bind_transmitter")


def test_every_threads_kept_bind_is_unbound_when_the_process_exits(smsc):
    connector = smsc_connector(smsc)
    exiting = threading.Event()

    def send_and_stay(text: str, sent: threading.Event) -> None:
        send_accepted(connector, sms(text))
        sent.set()
        exiting.wait(5)  # a pool thread lives as long as its process

    threads = []
    for text in ("First", "Second"):  # one after the other: the in-memory database has one writer
        sent = threading.Event()
        threads.append(threading.Thread(target=send_and_stay, args=(text, sent)))
        threads[-1].start()
        assert sent.wait(5)
    send_accepted(connector, sms("Third"))
    assert (smsc.binds, smsc.unbinds) == (3, 0), "each thread keeps its own bind"

    close_every_bind()  # what the process runs as it exits
    exiting.set()
    for thread in threads:
        thread.join()

    assert smsc.unbinds == 3
    assert ReceivedSms.objects.count() == 3


def test_the_bind_of_a_thread_that_ended_is_unbound_when_the_next_is_kept(smsc):
    connector = smsc_connector(smsc)
    thread = threading.Thread(target=send_accepted, args=(connector, sms("From a thread")))
    thread.start()
    thread.join()
    assert smsc.unbinds == 0

    send_accepted(connector, sms("From the main thread"))

    assert (smsc.binds, smsc.unbinds) == (2, 1)


def _bind_and_return(connector) -> None:
    session_kept(connector, [])


def test_a_forked_worker_unbinds_its_kept_bind_when_it_ends(smsc):
    connector = smsc_connector(smsc)

    # django-q's workers are forked processes, which end with os._exit (atexit never runs there).
    worker = multiprocessing.get_context("fork").Process(target=_bind_and_return, args=(connector,))
    worker.start()
    worker.join(10)

    assert worker.exitcode == 0
    assert (smsc.binds, smsc.unbinds) == (1, 1)


def test_new_password_makes_a_new_bind(smsc):
    connector = smsc_connector(smsc)
    send_accepted(connector, sms())
    SimulatorAccount.objects.filter(username=SETUP.username).update(password="n3wpass")
    connector.password = "n3wpass"

    send_accepted(connector, sms())

    assert smsc.binds == 2


def test_exchanges_never_carry_the_password(smsc):
    connector = smsc_connector(smsc)

    result = send_accepted(connector, sms())
    check = connector_check(connector=connector)

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

    result = connector_check(connector=smsc_connector(smsc, password=password))

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

    skipped = send_skipped(connector, sms())

    assert skipped.category == Category.NETWORK
    assert smsc.binds == 0


# -- validity ------------------------------------------------------------------------------------


def test_validity_reaches_the_smsc_as_a_relative_validity_period(smsc):
    expires_at = timezone.now() + timedelta(days=1, hours=2, minutes=3, seconds=30)

    send_accepted(smsc_connector(smsc), replace(sms("x" * 200), expires_at=expires_at))

    periods = {part.validity_period for part in smsc.parts}
    assert len(smsc.parts) == 2
    assert len(periods) == 1
    (period,) = periods
    assert re.fullmatch(r"0000010203(2[0-9]|30)000R", period), period  # 1 day 02:03:2x-30
    assert ReceivedSms.objects.get().validity == period


def test_no_validity_sends_no_validity_period(smsc):
    send_accepted(smsc_connector(smsc), sms())

    assert [part.validity_period for part in smsc.parts] == [""]


def test_simulator_refuses_a_malformed_validity_period(smsc):
    client = smpplib.client.Client(smsc.host, smsc.port, timeout=2, allow_unknown_opt_params=True)
    client.connect()
    try:
        client.bind_transmitter(system_id=SETUP.username, password=PASSWORD)
        client.send_message(
            source_addr="ACME",
            dest_addr_ton=1,
            destination_addr="905321234567",
            short_message=b"hi",
            validity_period="tomorrow",
        )
        answer = client.read_pdu()
    finally:
        client.disconnect()

    assert answer.status == smpplib.consts.SMPP_ESME_RINVEXPIRY
    assert not ReceivedSms.objects.exists()
