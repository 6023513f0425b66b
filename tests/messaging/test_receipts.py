"""The receipt endpoint and the delivery state: token, signature, monotonic updates, duplicates,
out-of-order and unmatched receipts, the delivery wait, opt-outs, and what the console shows."""

import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connectors.models import Connector
from connectors.providers.twilio import twilio_signature
from connectors.selectors import RECEIPT_CONNECTORS
from connectors.services import connector_regenerate_receipt_token
from messaging.models import DeliveryReport, Message, MessageStatus, OptOut
from messaging.services import (
    DeliveryUpdate,
    delivery_reports_process,
    delivery_reports_read,
    delivery_reports_sweep,
    message_delivery_update,
    receipts,
)
from tests.factories import ConnectorFactory
from tests.messaging.crashing_provider import CRASHING

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://sms.example.com"
TWILIO_SID, TWILIO_TOKEN = "AC" + "ab" * 16, "twilio-auth-token-123"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.SMSCONSOLE_PUBLIC_URL = PUBLIC_URL


def sent(connector, *, provider_id: str, to: str = "+905321234567", **fields) -> Message:
    """A message the connector carried, waiting for its receipt."""
    values = {
        "status": MessageStatus.SENT,
        "sent_at": timezone.now(),
        "delivery_state": "pending",
        **fields,
    }
    return Message.objects.create(
        to=to,
        text="Kodunuz 1234",
        connector=connector,
        provider_message_id=provider_id,
        due_at=timezone.now(),
        **values,
    )


@pytest.fixture
def ileti():
    return ConnectorFactory(provider="iletimerkezi", username="key", password="hash-s3cret")


def ileti_body(order_id, status, to="+905321234567") -> bytes:
    report = {"id": 1, "packet_id": order_id, "status": status, "to": to, "body": "Kodunuz"}
    return json.dumps({"report": report}).encode()


def post(client, connector, body: bytes, *, content_type="application/json", token=None, **extra):
    path = f"/dlr/{connector.pk}/{token or connector.receipt_token}/"
    return client.post(path, body, content_type=content_type, **extra)


@pytest.fixture
def push(client, django_capture_on_commit_callbacks):
    """push(connector, body, ...) → the answer; the task reading the receipt runs too."""

    def send(connector, body, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, connector, body, **kwargs)

    return send


def test_a_receipt_is_answered_200_and_applied(ileti, push):
    message = sent(ileti, provider_id="555")

    answer = push(ileti, ileti_body(555, "delivered"))

    assert answer.status_code == 200
    message.refresh_from_db()
    assert message.delivery_state == "delivered"
    assert message.delivery_code == "delivered"
    report = DeliveryReport.objects.get()
    assert (report.message, report.state, report.applied) == (message, "delivered", True)


@pytest.mark.parametrize(
    "token", ["wrong-token", "", "x" * 48], ids=["wrong", "empty-looking", "same length"]
)
def test_a_wrong_token_is_401_and_nothing_is_stored(ileti, client, token):
    answer = client.post(f"/dlr/{ileti.pk}/{token or 'x'}/", ileti_body(1, "delivered"), "json")

    assert answer.status_code == 401
    assert not DeliveryReport.objects.exists()


def test_an_unknown_connector_is_401(client):
    assert client.post("/dlr/999/abc/", b"{}", content_type="application/json").status_code == 401


def test_a_new_token_retires_the_old_url(ileti, client, push):
    old = ileti.receipt_token
    connector_regenerate_receipt_token(connector=ileti)

    assert post(client, ileti, ileti_body(1, "delivered"), token=old).status_code == 401
    assert push(ileti, ileti_body(1, "delivered")).status_code == 200


def test_a_body_over_the_limit_is_413(ileti, client, settings):
    settings.SMSCONSOLE_RECEIPT_MAX_BYTES = 100
    assert post(client, ileti, b"{" + b" " * 200 + b"}").status_code == 413
    assert not DeliveryReport.objects.exists()


def test_a_duplicate_receipt_is_kept_and_changes_nothing(ileti, push):
    message = sent(ileti, provider_id="555")
    push(ileti, ileti_body(555, "delivered"))
    first_update = Message.objects.get().delivery_updated_at

    assert push(ileti, ileti_body(555, "delivered")).status_code == 200

    message.refresh_from_db()
    assert message.delivery_updated_at == first_update
    assert list(DeliveryReport.objects.order_by("id").values_list("applied", flat=True)) == [
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("first", "then", "final"),
    [
        ("delivered", "accepted", "delivered"),
        ("delivered", "undelivered", "delivered"),
        ("undelivered", "delivered", "undelivered"),
        ("accepted", "delivered", "delivered"),
    ],
    ids=["late pending", "late other final", "final never moves", "pending then final"],
)
def test_receipts_out_of_order_never_move_a_final_state(ileti, push, first, then, final):
    message = sent(ileti, provider_id="555")

    push(ileti, ileti_body(555, first))
    push(ileti, ileti_body(555, then))

    message.refresh_from_db()
    assert message.delivery_state == final


def test_one_order_id_is_matched_by_number(ileti, push):
    first = sent(ileti, provider_id="555", to="+905321234567")
    second = sent(ileti, provider_id="555", to="+905329876543")

    push(ileti, ileti_body(555, "undelivered", to="+905329876543"))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.delivery_state, second.delivery_state) == ("pending", "undelivered")


def test_an_unmatched_receipt_is_stored_and_shown(ileti, push, console):
    assert push(ileti, ileti_body(999, "delivered")).status_code == 200

    report = DeliveryReport.objects.get()
    assert report.message is None
    assert report.state == "delivered"
    page = console.get("/delivery-reports/").content.decode()
    assert f'id="report-{report.pk}"' in page
    assert "999" in page


def test_an_unreadable_receipt_is_200_and_kept_with_the_reason(ileti, push, console):
    assert push(ileti, b"not json", content_type="text/plain").status_code == 200

    report = DeliveryReport.objects.get()
    assert report.state == ""
    assert report.detail.startswith("Could not be read")
    assert "not json" in console.get("/delivery-reports/").content.decode()


def test_the_stored_receipt_is_redacted(push):
    connector = ConnectorFactory(provider="iletimerkezi", username="key", password="hash-s3cret")
    body = ileti_body(1, "delivered").replace(b'"Kodunuz"', b'"hash-s3cret"')

    push(connector, body)

    assert "hash-s3cret" not in DeliveryReport.objects.get().raw


def test_a_receipt_before_the_sent_state_is_kept_by_our_own_id(push):
    """Infobip can report faster than the dispatcher records "sent": our id matches it."""
    infobip = ConnectorFactory(provider="infobip", options={"base_url": "https://x.example"})
    message = sent(infobip, provider_id="", status=MessageStatus.SENDING, delivery_state="none")
    message.connector = None
    message.save()
    result = {
        "messageId": f"sms-{message.pk}",
        "to": "905321234567",
        "status": {"groupName": "DELIVERED", "name": "DELIVERED_TO_HANDSET"},
        "callbackData": str(message.pk),
    }

    push(infobip, json.dumps({"results": [result]}).encode())

    message.refresh_from_db()
    assert message.delivery_state == "delivered"


def test_the_wait_ends_in_unknown_and_a_late_receipt_still_counts(ileti, push, settings):
    settings.SMSCONSOLE_DELIVERY_WAIT_HOURS = 72
    old = sent(ileti, provider_id="555", sent_at=timezone.now() - timedelta(hours=73))
    recent = sent(ileti, provider_id="556")

    assert delivery_reports_sweep() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.delivery_state, recent.delivery_state) == ("unknown", "pending")
    push(ileti, ileti_body(555, "delivered"))
    old.refresh_from_db()
    assert old.delivery_state == "delivered"


def test_the_update_returns_only_the_messages_that_changed(ileti):
    pending = sent(ileti, provider_id="1")
    final = sent(ileti, provider_id="2", delivery_state="delivered")

    changed = message_delivery_update(
        updates=[
            DeliveryUpdate(pending.pk, "undelivered", "112"),
            DeliveryUpdate(final.pk, "undelivered", "112"),
            DeliveryUpdate(pending.pk, "pending"),
        ]
    )

    assert [m.pk for m in changed] == [pending.pk]
    assert changed[0].delivery_state == "undelivered"


@pytest.fixture
def twilio():
    return ConnectorFactory(provider="twilio", username=TWILIO_SID, password=TWILIO_TOKEN)


def twilio_push(push, connector, fields, *, signature=None):
    url = f"{PUBLIC_URL}/dlr/{connector.pk}/{connector.receipt_token}/"
    signed = twilio_signature(TWILIO_TOKEN, url, fields) if signature is None else signature
    return push(
        connector,
        urlencode(fields).encode(),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signed},
    )


TWILIO_DELIVERED = {"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": TWILIO_SID}


@pytest.mark.parametrize(
    "signature",
    ["", "bm90IHRoZSBzaWduYXR1cmU=", twilio_signature("another-token", "https://x/", {})],
    ids=["missing", "garbage", "another account's"],
)
def test_a_bad_twilio_signature_is_403_and_nothing_is_stored(twilio, push, signature):
    sent(twilio, provider_id="SM1")

    answer = twilio_push(push, twilio, TWILIO_DELIVERED, signature=signature)

    assert answer.status_code == 403
    assert not DeliveryReport.objects.exists()
    assert Message.objects.get().delivery_state == "pending"


def test_a_signed_twilio_callback_is_applied(twilio, push):
    message = sent(twilio, provider_id="SM1")

    assert twilio_push(push, twilio, TWILIO_DELIVERED).status_code == 200

    message.refresh_from_db()
    assert message.delivery_state == "delivered"
    assert TWILIO_SID not in DeliveryReport.objects.get().raw  # the account SID is redacted


def test_twilio_error_21610_adds_the_number_to_the_opt_outs(twilio, push):
    message = sent(twilio, provider_id="SM1", to="+905321234567")
    fields = {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "21610"}

    twilio_push(push, twilio, fields)

    message.refresh_from_db()
    assert message.delivery_state == "undelivered"
    assert OptOut.objects.filter(number="+905321234567").exists()


def test_the_message_page_shows_the_receipt_timeline(ileti, push, console):
    message = sent(ileti, provider_id="555")
    push(ileti, ileti_body(555, "accepted"))
    push(ileti, ileti_body(555, "delivered"))

    page = console.get(f"/messages/{message.pk}/").content.decode()

    assert "Receipt: Delivered" in page
    assert "Receipt: Pending" in page
    assert "&quot;packet_id&quot;: 555" in page  # the raw receipt
    assert 'id="delivery-state"' in page


def test_a_connector_without_receipts_says_so(console):
    josms = ConnectorFactory(provider="josms", options={"base_url": "https://josms.example"})
    ileti = ConnectorFactory(provider="iletimerkezi")

    josms_page = console.get(f"/connectors/{josms.pk}/edit/").content.decode()
    ileti_page = console.get(f"/connectors/{ileti.pk}/edit/").content.decode()

    assert "This provider sends no delivery reports" in josms_page
    assert ileti.receipt_url in ileti_page
    assert "This provider sends no delivery reports" not in ileti_page


def test_the_console_button_gives_a_new_receipt_url(console, ileti):
    old = ileti.receipt_token

    answer = console.post(f"/connectors/{ileti.pk}/regenerate-receipt-token/")

    ileti.refresh_from_db()
    assert answer.status_code == 302
    assert ileti.receipt_token != old


def test_the_api_shows_the_receipt_url_and_regenerates_it(api, ileti):
    shown = api.get(f"/api/v1/connectors/{ileti.pk}/").json()
    answer = api.post(f"/api/v1/connectors/{ileti.pk}/regenerate-receipt-token/")

    ileti.refresh_from_db()
    assert shown["receipt_url"] != answer.json()["receipt_url"]
    assert answer.json()["receipt_url"] == f"{PUBLIC_URL}/dlr/{ileti.pk}/{ileti.receipt_token}/"
    assert shown["sends_receipts"] is True


def test_the_log_and_the_api_filter_by_delivery_state(ileti, console, api):
    delivered = sent(ileti, provider_id="1", delivery_state="delivered")
    sent(ileti, provider_id="2")

    page = console.get("/messages/", {"delivery_state": "delivered"}).content.decode()
    listed = api.get("/api/v1/messages/", {"delivery_state": "delivered"}).json()["results"]
    detail = api.get(f"/api/v1/messages/{delivered.pk}/").json()

    assert re.findall(r'href="/messages/(\d+)/"', page) == [str(delivered.pk)]
    assert [row["id"] for row in listed] == [delivered.pk]
    assert (detail["delivery_state"], detail["delivery_code"]) == ("delivered", "")
    assert "delivered_at" in detail


def test_the_endpoint_reads_its_connector_once_until_one_changes(ileti, client):
    assert post(client, ileti, ileti_body(1, "delivered")).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert post(client, ileti, ileti_body(2, "delivered")).status_code == 200

    assert not [q for q in queries if "connectors_connector" in q["sql"]]


def test_a_new_token_retires_the_old_url_at_the_next_receipt(ileti, client):
    old = ileti.receipt_token
    assert post(client, ileti, ileti_body(1, "delivered")).status_code == 200

    connector_regenerate_receipt_token(connector=ileti)

    assert post(client, ileti, ileti_body(2, "delivered"), token=old).status_code == 401
    assert post(client, ileti, ileti_body(3, "delivered")).status_code == 200


def test_a_deleted_connector_takes_no_more_receipts(ileti, client):
    path = f"/dlr/{ileti.pk}/{ileti.receipt_token}/"
    assert client.post(path, ileti_body(1, "delivered"), "application/json").status_code == 200

    ileti.delete()

    assert client.post(path, ileti_body(2, "delivered"), "application/json").status_code == 401


def test_a_change_seen_by_another_process_applies_here(ileti, client):
    assert post(client, ileti, ileti_body(1, "delivered")).status_code == 200
    Connector.objects.filter(pk=ileti.pk).update(receipt_token="t" * 48)  # no signal here

    caches["shared"].set(RECEIPT_CONNECTORS.generation_key, "another process changed one")

    assert post(client, ileti, ileti_body(2, "delivered")).status_code == 401


def test_a_burst_of_receipts_needs_one_reading_task_which_reads_them_all(
    ileti, client, broker, django_capture_on_commit_callbacks
):
    numbers = [f"+90532123450{n}" for n in range(5)]
    messages = [sent(ileti, provider_id=f"70{n}", to=number) for n, number in enumerate(numbers)]
    for n, number in enumerate(numbers):
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                post(client, ileti, ileti_body(f"70{n}", "delivered", to=number)).status_code == 200
            )
    assert broker.queue_size() == 1  # the first receipt's; the others found it pending

    first = DeliveryReport.objects.order_by("id").first()
    assert delivery_reports_read(report_id=first.pk) == 5  # the task as a worker runs it

    assert {Message.objects.get(pk=m.pk).delivery_state for m in messages} == {"delivered"}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, ileti, ileti_body("709", "delivered"))
    assert broker.queue_size() == 2  # that task started: the next receipt enqueues again


def test_a_reading_task_out_of_time_leaves_the_next_one_the_rest(
    ileti, client, broker, django_capture_on_commit_callbacks, monkeypatch
):
    for n in range(3):
        sent(ileti, provider_id=f"80{n}", to=f"+90532123460{n}")
        with django_capture_on_commit_callbacks(execute=True):
            post(client, ileti, ileti_body(f"80{n}", "delivered", to=f"+90532123460{n}"))
    monkeypatch.setattr(receipts, "READ_SECONDS", 0)

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_reports_read(report_id=DeliveryReport.objects.order_by("id")[0].pk) == 1

    assert broker.queue_size() == 2  # the burst's task and the one to go on


def test_one_reading_task_reads_the_pushes_of_two_connectors_and_an_unreadable_one(
    ileti, client, broker, django_capture_on_commit_callbacks
):
    other = ConnectorFactory(provider="iletimerkezi", username="key2", password="hash-2")
    ours = sent(ileti, provider_id="901", to="+905321234501")
    theirs = sent(other, provider_id="901", to="+905321234501")  # the same id at another provider
    for connector, body in [
        (ileti, ileti_body("901", "delivered", to="+905321234501")),
        (other, b"not json"),
        (other, ileti_body("901", "undelivered", to="+905321234501")),
    ]:
        with django_capture_on_commit_callbacks(execute=True):
            post(client, connector, body, content_type="application/json")

    first = DeliveryReport.objects.order_by("id").first()
    assert delivery_reports_read(report_id=first.pk) == 3

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.delivery_state, theirs.delivery_state) == ("delivered", "undelivered")
    reports = list(DeliveryReport.objects.order_by("id"))
    assert [(r.connector, r.message, r.applied) for r in reports] == [
        (ileti, ours, True),
        (other, None, False),
        (other, theirs, True),
    ]
    assert reports[1].detail.startswith("Could not be read")


def test_a_reader_that_crashes_on_one_push_leaves_the_others_of_its_batch_read(ileti, settings):
    settings.SMSCONSOLE_PROVIDERS = [*settings.SMSCONSOLE_PROVIDERS, CRASHING]
    crashing = ConnectorFactory(provider="crashing")
    message = sent(ileti, provider_id="902")
    pushes = [
        DeliveryReport.objects.create(connector=connector, source="push", raw=raw)
        for connector, raw in [
            (crashing, "status=1"),
            (ileti, ileti_body("902", "delivered").decode()),
        ]
    ]

    assert delivery_reports_process(report_ids=[push.pk for push in pushes]) == 2

    crashed, read = DeliveryReport.objects.order_by("id")
    assert crashed.detail == "Could not be read: the provider's reader failed."
    assert (read.message, read.applied) == (message, True)


def test_pushes_a_reading_task_holds_are_left_alone_and_read_once_its_lease_ran_out(ileti):
    message = sent(ileti, provider_id="903")
    push = DeliveryReport.objects.create(
        connector=ileti, source="push", raw=ileti_body("903", "delivered").decode()
    )
    held = timezone.now() + timedelta(seconds=30)
    DeliveryReport.objects.filter(pk=push.pk).update(reading_until=held)  # another task reads it

    assert delivery_reports_process(report_ids=[push.pk]) == 0

    # That task died before it recorded anything: once its lease runs out, the push is read.
    DeliveryReport.objects.filter(pk=push.pk).update(reading_until=timezone.now())
    assert delivery_reports_process(report_ids=[push.pk]) == 1
    push.refresh_from_db()
    assert (push.message, push.applied, push.processed_at is not None) == (message, True, True)
    assert delivery_reports_process(report_ids=[push.pk]) == 0  # read once
