"""Status callbacks: each transition of a message with a callback URL is one event, posted to
that URL as JSON, signed, and retried with backoff until it is taken or given up.

Receivers check `X-SmsConsole-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body with the
message's API key's callback secret, and may drop repeats of the same (id, event). As for forward
URLs, each attempt records the answer's status code and our own words, never the answer's body.
"""

import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_q.models import Schedule
from django_q.tasks import schedule

from core.outbound import outbound_post
from core.tasks import task_enqueue
from messaging.models import (
    CallbackAttempt,
    CallbackState,
    Message,
    MessageEvent,
)

logger = logging.getLogger(__name__)

DELIVER_TASK = "messaging.tasks.message_event_deliver_task"
SIGNATURE_HEADER = "X-SmsConsole-Signature"
EVENT_HEADER = "X-SmsConsole-Event"
CALLBACK_URL = gettext_lazy("the callback URL")


def callback_signature(*, body: bytes, secret: str) -> str:
    """The X-SmsConsole-Signature value of a body: sha256= and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _moment(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def event_payload(*, message: Message, event: str, at: datetime) -> dict:
    """The JSON of one event: the message as it is right after the transition."""
    connector = message.connector
    return {
        "event": event,
        "occurred_at": _moment(at),
        "id": message.pk,
        "to": message.to,
        "status": message.status,
        "delivery_state": message.delivery_state,
        "delivered_at": _moment(message.delivered_at),
        "delivery_code": message.delivery_code,
        "connector": {"id": connector.pk, "name": connector.name} if connector else None,
        "provider_message_id": message.provider_message_id,
        "idempotency_key": message.idempotency_key,
        "created_at": _moment(message.created_at),
        "sent_at": _moment(message.sent_at),
        "failed_at": _moment(message.failed_at),
        "expires_at": _moment(message.expires_at),
        "error": message.error if message.error_category else None,
    }


def message_event_emit(*, message: Message, event: str) -> MessageEvent | None:
    """Record that a message went through a transition and post it once the transaction commits.

    Call it after the transition is stored (the payload is read then). Messages without a
    callback URL have no events, and a transition already recorded is not recorded again: both
    return None.
    """
    if not message.callback_url:
        return None
    current = Message.objects.select_related("connector").get(pk=message.pk)
    now = timezone.now()
    try:
        with transaction.atomic():
            recorded = MessageEvent.objects.create(
                message=current,
                event=event,
                payload=event_payload(message=current, event=event, at=now),
                next_attempt_at=now,
            )
    except IntegrityError:
        return None  # recorded before (the unique constraint keeps one per transition)
    task_enqueue(DELIVER_TASK, recorded.pk)
    return recorded


def _retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.SMSCONSOLE_CALLBACK_BACKOFF_SECONDS * 2 ** (attempts - 1))


def _unsendable(message: Message) -> str:
    """Why no attempt can succeed any more (the key that signs it is gone), or ""."""
    if message.api_key is None or not message.api_key.is_active:
        return gettext(
            "Not sent: the API key whose secret signs the callbacks was revoked or deleted."
        )
    return ""


def message_event_deliver(*, event_id: int) -> MessageEvent:
    """POST one event to its message's callback URL, signed; schedule a retry when it fails."""
    event = MessageEvent.objects.select_related("message__api_key").get(pk=event_id)
    now = timezone.now()
    # Take the attempt if it is due and still untaken: a task delivered twice, or kicked by the
    # sweeper as well, finds it taken. Until it is recorded, it is not due (a worker that dies
    # mid-attempt leaves it to the sweeper).
    taken = MessageEvent.objects.filter(
        pk=event.pk,
        state=CallbackState.PENDING,
        attempts=event.attempts,
        next_attempt_at__lte=now,
    ).update(
        attempts=event.attempts + 1,
        next_attempt_at=now + timedelta(seconds=settings.SMSCONSOLE_CALLBACK_TIMEOUT_SECONDS),
    )
    if not taken:
        return event
    event.attempts += 1
    message, started_at = event.message, timezone.now()
    if problem := _unsendable(message):
        status, duration_ms, final = None, 0, True
    else:
        body = json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "SMS Console callbacks",
            EVENT_HEADER: event.event,
            SIGNATURE_HEADER: callback_signature(body=body, secret=message.api_key.callback_secret),
        }
        outcome = outbound_post(
            message.callback_url,
            body=body,
            headers=headers,
            timeout=settings.SMSCONSOLE_CALLBACK_TIMEOUT_SECONDS,
            target=str(CALLBACK_URL),
        )
        status, problem, duration_ms = outcome.status, outcome.problem, outcome.duration_ms
        final = event.attempts >= settings.SMSCONSOLE_CALLBACK_MAX_ATTEMPTS
    _record_attempt(event, started_at, status, problem, duration_ms, final=final)
    logger.info(
        "Callback %s of SMS %s, attempt %s: %s",
        event.event,
        message.pk,
        event.attempts,
        problem or "taken",
    )
    return event


def _record_attempt(
    event: MessageEvent,
    started_at: datetime,
    status: int | None,
    problem: str,
    duration_ms: int,
    *,
    final: bool,
) -> None:
    """Store the attempt and where the event stands now; schedule the next try if there is one."""
    now = timezone.now()
    if not problem:
        event.state, event.finished_at, event.next_attempt_at = CallbackState.DELIVERED, now, None
    elif final:
        event.state, event.finished_at, event.next_attempt_at = CallbackState.FAILED, now, None
    else:
        event.next_attempt_at = now + _retry_delay(event.attempts)
    with transaction.atomic():
        CallbackAttempt.objects.create(
            event=event,
            number=event.attempts,
            started_at=started_at,
            duration_ms=duration_ms,
            status_code=status,
            succeeded=not problem,
            detail=(problem or gettext("Taken (HTTP %(status)s).") % {"status": status})[:300],
        )
        event.save(update_fields=["state", "finished_at", "next_attempt_at"])
        if event.state == CallbackState.PENDING:
            schedule(
                DELIVER_TASK,
                event.pk,
                name=f"message-event-{event.pk}-{event.attempts}",
                schedule_type=Schedule.ONCE,
                repeats=1,
                next_run=event.next_attempt_at,
            )


def message_events_sweep() -> int:
    """Kick pending events whose attempt is overdue (its kick was lost, or its worker died);
    how many. A kicked event is left alone for SMSCONSOLE_REKICK_SECONDS."""
    now = timezone.now()
    overdue = MessageEvent.objects.filter(
        state=CallbackState.PENDING,
        next_attempt_at__lt=now - timedelta(seconds=settings.SMSCONSOLE_REKICK_SECONDS),
    )
    ids = list(
        overdue.order_by("id").values_list("id", flat=True)[: settings.SMSCONSOLE_SWEEP_BATCH]
    )
    with transaction.atomic():
        MessageEvent.objects.filter(pk__in=ids).update(next_attempt_at=now)
        for event_id in ids:
            task_enqueue(DELIVER_TASK, event_id)
    return len(ids)
