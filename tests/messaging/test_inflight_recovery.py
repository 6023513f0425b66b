"""A request a dead worker left in flight (one ProviderRequest row for all the messages it
carried): the workers that take its messages over never send twice to a provider that cannot
dedupe, and resend where the provider dedupes our client id."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connectors.simulators.models import ReceivedSms
from messaging.models import Message, MessageStatus, ProviderRequest
from messaging.services import message_create, message_dispatch
from messaging.services.inflight import (
    NO_ANSWER_DETAIL,
    RESENT_DETAIL,
    request_in_flight_record,
)


def left_in_flight(connector, numbers: list[str]) -> tuple[list[int], ProviderRequest]:
    """Messages a dead worker claimed and sent in one request whose answer it never recorded."""
    ids = [message_create(to=number, text="Flash sale", enqueue=False).pk for number in numbers]
    Message.objects.filter(pk__in=ids).update(
        status=MessageStatus.SENDING,
        lease_token="dead-worker",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    request = request_in_flight_record(
        message_ids=ids, connector=connector, started_at=timezone.now()
    )
    return ids, request


def test_a_message_left_in_flight_fails_as_unknown_and_is_not_sent_again(jet_connector):
    connector = jet_connector("jet", 10)
    ids, request = left_in_flight(connector, ["+905321110001", "+905321110002"])

    message_dispatch(message_id=ids[0])

    first = Message.objects.get(pk=ids[0])
    assert (first.status, first.error_category) == (MessageStatus.FAILED, "unknown")
    (attempt,) = first.attempts.all()
    assert (attempt.request_id, attempt.detail) == (request.pk, NO_ANSWER_DETAIL)
    assert ReceivedSms.objects.count() == 0
    request.refresh_from_db()
    assert request.in_flight, "its other message is not taken over yet"


def test_a_request_leaves_flight_once_each_of_its_messages_was_taken_over(jet_connector):
    connector = jet_connector("jet", 10)
    ids, request = left_in_flight(connector, ["+905321110001", "+905321110002"])

    for message_id in ids:
        message_dispatch(message_id=message_id)

    request.refresh_from_db()
    assert not request.in_flight
    assert request.attempts.count() == 2
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.FAILED}
    assert ReceivedSms.objects.count() == 0


def test_a_provider_that_dedupes_our_client_id_gets_the_message_again(josms_connector):
    connector = josms_connector("jo", 10)
    ids, request = left_in_flight(connector, ["+962791200001"])

    sent = message_dispatch(message_id=ids[0])

    assert sent.status == MessageStatus.SENT
    resent, accepted = sent.attempts.order_by("id")
    assert (resent.request_id, resent.detail) == (request.pk, RESENT_DETAIL)
    assert accepted.outcome == "accepted"
    assert ReceivedSms.objects.count() == 1


def test_messages_of_requests_answered_normally_are_not_taken_for_left_in_flight(jet_connector):
    jet_connector("jet", 10)
    message = message_create(to="+905321110001", text="Hello", enqueue=False)

    sent = message_dispatch(message_id=message.pk)

    assert sent.status == MessageStatus.SENT
    (request,) = ProviderRequest.objects.all()
    assert (request.in_flight, request.message_ids, request.message_count) == (
        False,
        [message.pk],
        1,
    )
    assert sent.attempts.get().request == request


def test_due_singles_taken_with_a_kicked_one_are_not_looked_for_among_requests_in_flight(
    jet_connector,
):
    jet_connector("jet", 10)
    ids = [message_create(to=f"+90532111000{n}", text="Hello", enqueue=False).pk for n in range(4)]
    Message.objects.filter(pk__in=ids).update(in_batch=False)  # due singles, their kicks lost

    with CaptureQueriesContext(connection) as queries:
        message_dispatch(message_id=ids[0])

    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    looked_up = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT")
        and '"messaging_providerrequest"."in_flight"' in query["sql"]
    ]
    assert len(looked_up) == 1, "only for the kicked message, which a dead worker may have left"
