"""message_create: validation, opt-out, idempotency and enqueue-after-commit."""

import pytest
from django.core.exceptions import ValidationError

from core.text import GSM_7_TURKISH, UCS_2
from messaging.models import Message, MessageStatus
from messaging.services import message_create, optout_create
from tests.factories import ConnectorFactory, message_batch_create

pytestmark = pytest.mark.django_db

NUMBER = "+905321234567"


@pytest.fixture(autouse=True)
def _connector(db):
    ConnectorFactory(name="Main", sender_list=["ACME", "ACMEINFO"])


def test_create_stores_e164_encoding_and_segments_without_dispatching_before_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        message = message_create(to="0532 123 45 67", text="Şişli'de ılık bir gün", sender="ACME")

    assert (message.to, message.encoding, message.segments) == (NUMBER, GSM_7_TURKISH, 1)
    assert message.status == MessageStatus.QUEUED
    assert len(callbacks) == 1  # the kick waits for the commit


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        pytest.param({"to": "hello"}, "to", "is not a phone number", id="bad-number"),
        pytest.param({"to": ""}, "to", "Enter the recipient", id="empty-number"),
        pytest.param({"text": ""}, "text", "Enter the message text", id="empty-text"),
        pytest.param({"text": " \n\t "}, "text", "Enter the message text", id="whitespace-text"),
        pytest.param({"text": "a" * 1601}, "text", "1,601 characters", id="text-too-long"),
        pytest.param({"text": "a\x00b"}, "text", "NUL character", id="nul-in-text"),
        pytest.param({"kind": "spam"}, "kind", "transactional, commercial", id="unknown-kind"),
        pytest.param({"sender": "OTHER"}, "sender", "Approved titles: ACME, ACMEINFO", id="sender"),
        pytest.param({"connector": 999_999}, "connector", "no connector with id", id="connector"),
    ],
)
def test_create_refuses_bad_input_and_stores_nothing(fields, field, says):
    with pytest.raises(ValidationError) as caught:
        message_create(**{"to": NUMBER, "text": "Hello", **fields})

    assert says in " ".join(caught.value.message_dict[field])
    assert Message.objects.count() == 0


def test_create_reports_every_bad_field_at_once():
    with pytest.raises(ValidationError) as caught:
        message_create(to="x", text="", kind="spam")

    assert set(caught.value.message_dict) == {"to", "text", "kind"}


def test_create_refuses_a_switched_off_pinned_connector():
    off = ConnectorFactory(name="Off", is_active=False)

    with pytest.raises(ValidationError) as caught:
        message_create(to=NUMBER, text="Hi", connector=off)

    assert "switched off" in caught.value.message_dict["connector"][0]


def test_commercial_message_to_an_opted_out_number_is_refused():
    optout_create(number=NUMBER)

    with pytest.raises(ValidationError) as caught:
        message_create(to=NUMBER, text="Big sale", kind="commercial")

    assert "opted out" in caught.value.message_dict["to"][0]
    assert Message.objects.count() == 0


def test_transactional_message_to_an_opted_out_number_still_goes():
    optout_create(number=NUMBER)

    message = message_create(to=NUMBER, text="Your code is 1234", kind="transactional")

    assert message.pk


def test_same_idempotency_key_returns_the_first_message_and_enqueues_once(
    issued_api_key, django_capture_on_commit_callbacks
):
    api_key = issued_api_key.api_key
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = message_create(to=NUMBER, text="A", idempotency_key="k-1", api_key=api_key)
        again = message_create(to=NUMBER, text="B", idempotency_key="k-1", api_key=api_key)

    assert again.pk == first.pk
    assert again.text == "A"
    assert len(callbacks) == 1


def test_idempotency_keys_are_per_api_key(issued_api_key):
    from core.services import api_key_create

    other = api_key_create(name="other").api_key

    first = message_create(to=NUMBER, text="A", idempotency_key="k", api_key=issued_api_key.api_key)
    second = message_create(to=NUMBER, text="A", idempotency_key="k", api_key=other)

    assert first.pk != second.pk


def test_emoji_text_is_ucs2():
    message = message_create(to=NUMBER, text="Hello 😀")

    assert (message.encoding, message.segments) == (UCS_2, 1)


def test_enqueue_puts_one_task_on_the_configured_broker(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    """ORM broker by default, Redis when REDIS_URL is set (the PostgreSQL CI pass)."""
    from django_q.brokers import get_broker
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()
    broker.purge_queue()
    with django_capture_on_commit_callbacks(execute=True):
        message_create(to=NUMBER, text="queued for a worker")

    assert broker.queue_size() == 1
    broker.purge_queue()


# -- messages_prepare_batch, stored ----------------------------------------------------------------


def test_batch_stores_each_valid_message_and_says_why_the_others_were_not(
    django_capture_on_commit_callbacks,
):
    optout_create(number="+905321234568")
    recipients = [(NUMBER, "Sale ılık"), ("+905321234568", "Sale"), ("hello", "Sale"), (NUMBER, "")]

    with django_capture_on_commit_callbacks() as callbacks:
        made = message_batch_create(recipients=recipients, sender="ACME", kind="commercial")

    stored, opted_out, bad_number, no_text = made
    assert Message.objects.get(pk=stored.pk).encoding == GSM_7_TURKISH
    assert (stored.to, stored.sender, stored.kind, stored.status) == (
        NUMBER,
        "ACME",
        "commercial",
        "queued",
    )
    with pytest.raises(ValidationError) as single:
        message_create(to="+905321234568", text="Sale", kind="commercial")
    assert opted_out.messages == single.value.messages  # the same answer as one message gets
    assert "is not a phone number" in bad_number.messages[0]
    assert "Enter the message text" in no_text.messages[0]
    assert Message.objects.count() == 1
    assert callbacks == []  # the caller dispatches the batch (message_enqueue_batch)


def test_batch_with_an_unapproved_sender_stores_nothing():
    made = message_batch_create(recipients=[(NUMBER, "Hi"), ("+905321234568", "Hi")], sender="NOPE")

    assert all("not approved" in error.messages[0] for error in made)
    assert not Message.objects.exists()


def test_batch_sends_transactional_messages_to_opted_out_numbers():
    optout_create(number=NUMBER)
    (message,) = message_batch_create(recipients=[(NUMBER, "Code 1234")], kind="transactional")
    assert isinstance(message, Message)


@pytest.mark.django_db(transaction=True)
def test_same_idempotency_key_sent_at_the_same_moment_stores_one_message(issued_api_key):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        # SQLite serialises writers; its in-memory test database is not shared between threads.
        pytest.skip("runs on the PostgreSQL CI pass")
    api_key = issued_api_key.api_key
    start = Barrier(8)

    def create(text: str) -> int:
        start.wait()
        try:
            return message_create(
                to=NUMBER, text=text, idempotency_key="k-1", api_key=api_key, enqueue=False
            ).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(create, [f"copy {n}" for n in range(8)]))

    assert len(ids) == 1
    assert Message.objects.filter(idempotency_key="k-1").count() == 1
