from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_q.models import Schedule

from inbox.models import ForwardState, InboundMessage, Routing
from inbox.services import (
    inbound_message_forward,
    inbound_message_receive,
    receive_connector_update,
    text_is_stop_word,
)
from messaging.models import OptOut
from messaging.selectors import numbers_opted_out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", True),
        ("stop", True),
        (" Stop.\n", True),
        ("İPTAL", True),
        ("iptal", True),
        ("İptal", True),
        ("ıptal", True),
        ("IPTAL", True),
        ("İPTAL!", True),
        ('"RET"', True),
        ("ret", True),
        ("ＳＴＯＰ", True),
        ("STOP please", False),
        ("retro", False),
        ("iptal etmeyin lütfen", False),
        ("", False),
    ],
    ids=lambda value: repr(value) if isinstance(value, str) else None,
)
def test_text_is_stop_word(text, expected):
    assert text_is_stop_word(text) is expected


def test_stop_words_are_configurable(settings):
    settings.SMSCONSOLE_STOP_WORDS = ["DUR", "إلغاء"]

    assert text_is_stop_word("dur")
    assert text_is_stop_word("إلغاء")
    assert not text_is_stop_word("STOP")


def test_a_second_stop_keeps_the_first_opt_out(make_receive_connector):
    make_receive_connector()
    first = inbound_message_receive(receiver="49123123", sender="905321111111", text="İPTAL")
    inbound_message_receive(receiver="49123123", sender="905321111111", text="STOP now", keyword="")
    inbound_message_receive(receiver="49123123", sender="905321111111", text="stop")

    optout = OptOut.objects.get()
    assert (optout.number, optout.keyword, optout.inbound_message_id) == (
        "+905321111111",
        "İPTAL",
        first.pk,
    )


def test_the_same_text_after_the_dedupe_window_is_stored_again(make_receive_connector, settings):
    make_receive_connector()
    first = inbound_message_receive(receiver="49123123", sender="905321111111", text="Evet")
    InboundMessage.objects.filter(pk=first.pk).update(
        received_at=timezone.now()
        - timedelta(seconds=settings.SMSCONSOLE_INBOUND_DEDUPE_SECONDS + 1)
    )

    inbound_message_receive(receiver="49123123", sender="905321111111", text="Evet")

    assert InboundMessage.objects.count() == 2


def test_a_retry_of_the_copy_after_the_window_is_stored_once(make_receive_connector, settings):
    make_receive_connector()
    first = inbound_message_receive(receiver="49123123", sender="905321111111", text="Evet")
    InboundMessage.objects.filter(pk=first.pk).update(
        received_at=timezone.now()
        - timedelta(seconds=settings.SMSCONSOLE_INBOUND_DEDUPE_SECONDS + 1)
    )
    second = inbound_message_receive(receiver="49123123", sender="905321111111", text="Evet")

    retried = inbound_message_receive(receiver="49123123", sender="905321111111", text="Evet")

    assert retried.pk == second.pk
    assert InboundMessage.objects.count() == 2


def test_the_same_text_from_another_sender_is_not_a_retry(make_receive_connector):
    make_receive_connector()
    inbound_message_receive(receiver="49123123", sender="905321111111", text="Evet")

    inbound_message_receive(receiver="49123123", sender="905322222222", text="Evet")

    assert InboundMessage.objects.count() == 2


# --- Forwarding over real HTTP to a local endpoint (the `endpoint` fixture) ----------------------


def test_forward_posts_json_to_the_url(
    make_receive_connector, endpoint, django_capture_on_commit_callbacks
):
    connector = make_receive_connector(routing=Routing.FORWARD, forward_url=endpoint.url)

    with django_capture_on_commit_callbacks(execute=True):
        message = inbound_message_receive(
            receiver="49123123", sender="905321111111", text="Şube nerede? 📍", keyword="K"
        )

    message.refresh_from_db()
    assert message.forward_state == ForwardState.FORWARDED
    content_type, payload = endpoint.received[0]
    assert content_type == "application/json"
    assert payload == {
        "id": message.pk,
        "receiver": "+49123123",
        "sender": "+905321111111",
        "text": "Şube nerede? 📍",
        "keyword": "K",
        "connector": connector.pk,
        "received_at": message.received_at.isoformat(),
    }


@pytest.mark.parametrize(
    ("status", "says"), [(500, "HTTP 500"), (302, "HTTP 302")], ids=["5xx", "redirect"]
)
def test_failed_forward_is_retried_later_then_given_up(
    make_receive_connector, endpoint, settings, status, says
):
    settings.SMSCONSOLE_FORWARD_MAX_ATTEMPTS = 2
    make_receive_connector(routing=Routing.FORWARD, forward_url=endpoint.url)
    message = inbound_message_receive(receiver="49123123", sender="905321111111", text="hi")
    endpoint.statuses = [status, status]

    first = inbound_message_forward(message_id=message.pk)

    assert (first.forward_state, first.forward_attempts) == (ForwardState.PENDING, 1)
    assert says in first.forward_error
    assert "nope" not in first.forward_error  # the answer's body is never shown
    retry = Schedule.objects.get(func="inbox.tasks.inbound_message_forward_task")
    assert retry.next_run > timezone.now()

    second = inbound_message_forward(message_id=message.pk)

    assert (second.forward_state, second.forward_attempts) == (ForwardState.FAILED, 2)
    assert len(endpoint.received) == 2


def test_forward_to_an_unreachable_url_says_so(make_receive_connector):
    make_receive_connector(routing=Routing.FORWARD, forward_url="http://127.0.0.1:9/hook")
    message = inbound_message_receive(receiver="49123123", sender="905321111111", text="hi")

    result = inbound_message_forward(message_id=message.pk)

    assert result.forward_error.startswith("Could not connect")


CONSOLE_PORT = 8000  # where `make run` serves the console


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/hook",
        "http://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "https://[::1]/hook",
        "https://127.1/hook",
        "https://0.0.0.0/hook",
        f"http://localhost:{CONSOLE_PORT}/admin/",
        f"https://localhost:{CONSOLE_PORT}/admin/",
    ],
)
def test_forward_url_to_a_non_public_place_is_refused(make_receive_connector, settings, url):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = []
    connector = make_receive_connector()

    with pytest.raises(ValidationError) as raised:
        receive_connector_update(connector=connector, routing=Routing.FORWARD, forward_url=url)

    assert "SMSCONSOLE_PROVIDER_HTTP_HOSTS" in raised.value.message_dict["forward_url"][0]


def test_forward_url_to_an_allowlisted_host_is_accepted(make_receive_connector, settings):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = ["10.0.0.1"]
    connector = make_receive_connector()

    receive_connector_update(
        connector=connector, routing=Routing.FORWARD, forward_url="http://10.0.0.1/hook"
    )

    assert connector.forward_url == "http://10.0.0.1/hook"


def test_forward_to_a_name_that_resolves_inside_is_refused_when_connecting(
    make_receive_connector, settings, resolve
):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = []
    resolve("crm.example.com", "10.0.0.5")
    make_receive_connector(routing=Routing.FORWARD, forward_url="https://crm.example.com/hook")
    message = inbound_message_receive(receiver="49123123", sender="905321111111", text="hi")

    result = inbound_message_forward(message_id=message.pk)

    assert (result.forward_state, result.forward_attempts) == (ForwardState.PENDING, 1)
    assert result.forward_error.startswith("Not sent: crm.example.com resolves to 10.0.0.5")


# --- Receive connector rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/x", "http:// or https://"),
        ("example.com/hook", "http:// or https://"),
        ("https://user:pw@example.com/hook", "user name or password"),
        ("https://sms.example.com/anything", "console itself"),
        ("http://testserver/SMSReceiver", "console itself"),
    ],
    ids=["ftp", "no-scheme", "credentials", "public-url", "request-host"],
)
def test_forward_url_is_checked(make_receive_connector, settings, url, says):
    settings.SMSCONSOLE_PUBLIC_URL = "https://sms.example.com"
    connector = make_receive_connector()

    with pytest.raises(ValidationError) as raised:
        receive_connector_update(
            connector=connector,
            routing=Routing.FORWARD,
            forward_url=url,
            console_url="http://testserver/",
        )

    assert says in raised.value.message_dict["forward_url"][0]


def test_a_number_belongs_to_one_connector(make_receive_connector):
    make_receive_connector(name="A", receiver_numbers=["+908501234567"])
    other = make_receive_connector(name="B", receiver_numbers=["4455"])

    with pytest.raises(ValidationError) as raised:
        receive_connector_update(connector=other, receiver_numbers=["4455", "908501234567"])

    assert raised.value.message_dict["receiver_numbers"] == [
        "+908501234567 is already served by receive connector 'A'."
    ]
    assert other.receiver_numbers == ["4455"]


def test_a_national_sender_opts_out_its_e164_number(make_receive_connector):
    make_receive_connector()
    message = inbound_message_receive(receiver="49123123", sender="0532 123 45 67", text="RET")

    assert message.sender == "05321234567"
    assert OptOut.objects.get().number == "+905321234567"
    assert numbers_opted_out(numbers=["+905321234567"]) == {"+905321234567"}


@pytest.mark.django_db(transaction=True)
def test_copies_arriving_at_the_same_moment_are_stored_once(make_receive_connector):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection as main_connection
    from django.db import connections

    from inbox.models import InboundMessage
    from inbox.services import inbound_message_receive

    if main_connection.vendor != "postgresql":
        # SQLite serialises writers; its in-memory test database is not shared between threads.
        pytest.skip("runs on the PostgreSQL CI pass")
    make_receive_connector()
    start = Barrier(8)

    def receive(_):
        start.wait()
        try:
            return inbound_message_receive(
                receiver="49123123", sender="49789789", text="same SMS, retried"
            ).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(receive, range(8)))

    assert len(ids) == 1
    assert InboundMessage.objects.count() == 1
