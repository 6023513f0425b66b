"""Each provider's real receipt path, end to end over HTTP: a message goes out through its
simulator, the simulator reports it the way the provider does (a push to the connector's receipt
URL, or an answer to a report query), and the message ends delivered or undelivered."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.brokers import get_broker

from connectors.providers.jetsms import JetSmsProvider
from connectors.simulators.models import ReceivedSms
from connectors.simulators.receipts import simulator_receipts_push
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import (
    simulated_provider_set_receipts,
    simulator_account_set_receipt_url,
)
from messaging.models import DeliveryReport, Message, MessageStatus, ReceiptSource
from messaging.services import delivery_reports_poll, message_create, message_dispatch_batch
from tests.connectors.providers.harness import harness_setup

pytestmark = pytest.mark.django_db(transaction=True)

# (provider, how its receipt comes): every provider whose simulator gives receipts.
PATHS = [
    pytest.param("iletimerkezi", "webhook", id="İleti Merkezi: webhook push"),
    pytest.param("iletimerkezi", "poll", id="İleti Merkezi: get-report"),
    pytest.param("infobip", "callback", id="Infobip: push to notifyUrl"),
    pytest.param("infobip", "poll", id="Infobip: /sms/1/reports"),
    pytest.param("twilio", "callback", id="Twilio: signed StatusCallback"),
    pytest.param("jetsms", "poll", id="Jet SMS: ReportSMS"),
    pytest.param("mobildev", "poll", id="Mobildev: report (Action 3)"),
    pytest.param("http", "webhook", id="Generic HTTP: webhook read by the connector's rules"),
    pytest.param("figensoft", "webhook", id="FigenSoft: webhook read by the connector's rules"),
]


@pytest.fixture(autouse=True)
def _receipt_settings(settings, live_server):
    settings.SMSCONSOLE_PUBLIC_URL = live_server.url


def _sent_message(slug: str, how: str, live_server, settings, *, delivered: bool) -> Message:
    setup = harness_setup(slug)
    account = setup.account()
    connector = setup.connector(live_server.url)
    simulated_provider_set_receipts(
        provider=simulated_provider_get(slug=setup.shared.simulator_slug),
        delivered_percent=100 if delivered else 0,
        receipt_delay_seconds=0,
    )
    if how == "webhook":  # set in the provider's panel
        simulator_account_set_receipt_url(account=account, url=connector.receipt_url)
    if how == "poll":
        settings.SMSCONSOLE_PUBLIC_URL = ""  # no callback URL in the request: nothing is pushed
    message = message_create(to=setup.shared.to, text=setup.shared.text, connector=connector.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT, message.error_detail
    assert message.delivery_state == "pending"
    return message


def _receipts_come(how: str) -> None:
    if how == "poll":
        delivery_reports_poll()
    else:
        assert simulator_receipts_push(now=timezone.now() + timedelta(seconds=1)) == 1


@pytest.mark.parametrize(("slug", "how"), PATHS)
@pytest.mark.parametrize("delivered", [True, False], ids=["delivered", "undelivered"])
def test_a_message_ends_as_its_providers_receipt_says(slug, how, delivered, live_server, settings):
    message = _sent_message(slug, how, live_server, settings, delivered=delivered)

    _receipts_come(how)

    message.refresh_from_db()
    assert message.delivery_state == ("delivered" if delivered else "undelivered")
    assert (message.delivered_at is not None) is delivered
    report = DeliveryReport.objects.get(message=message)
    assert report.applied
    assert report.source == (ReceiptSource.PULL if how == "poll" else ReceiptSource.PUSH)
    assert report.raw
    if how != "poll":
        assert ReceivedSms.objects.get().receipt_answer == "HTTP 200"


@pytest.mark.parametrize(("slug", "how"), [p for p in PATHS if p.values[1] == "poll"])
def test_a_report_query_before_the_receipt_is_due_changes_nothing(slug, how, live_server, settings):
    message = _sent_message(slug, how, live_server, settings, delivered=True)
    ReceivedSms.objects.update(receipt_due_at=timezone.now() + timedelta(hours=1))

    delivery_reports_poll()

    message.refresh_from_db()
    assert message.delivery_state == "pending"
    assert not DeliveryReport.objects.exists()


def test_polling_stops_once_the_message_is_final(live_server, settings):
    message = _sent_message("jetsms", "poll", live_server, settings, delivered=True)
    delivery_reports_poll()
    ReceivedSms.objects.update(receipt_state="undelivered")  # the provider changes its mind

    delivery_reports_poll()

    message.refresh_from_db()
    assert message.delivery_state == "delivered"
    assert DeliveryReport.objects.count() == 1


def _pending_jet_messages(live_server, settings, count: int) -> list[Message]:
    """Messages sent one by one through Jet SMS (a report query each), receipts not due yet."""
    first = _sent_message("jetsms", "poll", live_server, settings, delivered=True)
    shared = harness_setup("jetsms").shared
    messages = [first] + [
        message_create(to=shared.to, text=shared.text, connector=first.connector_id)
        for _ in range(count - 1)
    ]
    ReceivedSms.objects.update(receipt_due_at=timezone.now() + timedelta(hours=1))
    assert ReceivedSms.objects.count() == count
    return messages


def _asked(messages: list[Message]) -> list[bool]:
    return [Message.objects.get(pk=message.pk).report_polled_at is not None for message in messages]


def test_a_run_asks_first_about_the_messages_never_asked(live_server, settings):
    first, second = _pending_jet_messages(live_server, settings, 2)
    settings.SMSCONSOLE_REPORT_POLL_MAX = 1

    delivery_reports_poll()
    assert _asked([first, second]) == [True, False]

    delivery_reports_poll()
    assert _asked([first, second]) == [True, True]


def test_a_message_asked_about_is_not_asked_again_within_the_interval(live_server, settings):
    (message,) = _pending_jet_messages(live_server, settings, 1)
    delivery_reports_poll()
    asked_at = Message.objects.get(pk=message.pk).report_polled_at

    delivery_reports_poll()
    assert Message.objects.get(pk=message.pk).report_polled_at == asked_at

    settings.SMSCONSOLE_REPORT_POLL_INTERVAL_SECONDS = 0
    delivery_reports_poll()
    assert Message.objects.get(pk=message.pk).report_polled_at > asked_at


def test_a_run_past_its_time_asks_no_more(live_server, settings):
    (message,) = _pending_jet_messages(live_server, settings, 1)
    settings.SMSCONSOLE_REPORT_POLL_SECONDS = 0

    delivery_reports_poll()

    assert _asked([message]) == [False]


@pytest.fixture
def task_waiting():
    """A task in the broker that no worker has taken (the tests run tasks at once otherwise)."""
    broker = get_broker()
    broker.enqueue("a task waiting for a worker")
    yield
    broker.purge_queue()


def test_a_run_gives_way_to_a_task_waiting_for_a_worker(live_server, settings, task_waiting):
    first, second = _pending_jet_messages(live_server, settings, 2)
    settings.SMSCONSOLE_REPORT_POLL_YIELD_SECONDS = 0

    delivery_reports_poll()

    assert _asked([first, second]) == [False, False]


def test_a_run_asks_for_its_first_seconds_even_with_a_task_waiting(
    live_server, settings, task_waiting
):
    messages = _pending_jet_messages(live_server, settings, 2)
    settings.SMSCONSOLE_REPORT_POLL_YIELD_SECONDS = 60  # however slow this machine is

    delivery_reports_poll()

    assert _asked(messages) == [True, True]


def test_a_bulk_request_is_asked_once_and_each_receipt_stored_once(
    live_server, settings, monkeypatch
):
    # Jet SMS answers a report query for every number of the request: were its pending messages
    # asked in batches, each batch in flight would record the whole request's receipts again.
    monkeypatch.setattr(JetSmsProvider, "report_batch", 2)
    single = _sent_message("jetsms", "poll", live_server, settings, delivered=True)
    ids = [
        message_create(
            to=f"+9053212{n:05d}", text="Sale today", connector=single.connector_id, enqueue=False
        ).pk
        for n in range(5)
    ]
    message_dispatch_batch(message_ids=ids)
    bulk = Message.objects.filter(pk__in=ids)
    assert len({message.provider_message_id for message in bulk}) == 1  # one bulk request

    delivery_reports_poll()

    assert DeliveryReport.objects.count() == 6
    assert set(Message.objects.values_list("delivery_state", flat=True)) == {"delivered"}
