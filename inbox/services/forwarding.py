"""Forwarding: a received SMS is posted as JSON to its receive connector's URL, with retries.

Operators see the answer's status code and our own words, never the answer's body: the URL may
point anywhere the outbound policy allows, and its answers are none of the console's business.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

from core.outbound import outbound_post
from inbox.models import ForwardState, InboundMessage, Routing

logger = logging.getLogger(__name__)

FORWARD_TASK = "inbox.tasks.inbound_message_forward_task"


def inbound_message_enqueue_forward(*, message_id: int) -> None:
    """Queue the forward of a received message (call it once the message is committed)."""
    async_task(FORWARD_TASK, message_id)


def _forward_retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=30 * 2 ** (attempts - 1))


def forward_payload(message: InboundMessage) -> dict:
    """The JSON body posted to a connector's forward URL (same fields as the inbox API)."""
    return {
        "id": message.pk,
        "receiver": message.receiver,
        "sender": message.sender,
        "text": message.text,
        "keyword": message.keyword,
        "connector": message.connector_id,
        "received_at": message.received_at.isoformat(),
    }


def _post_forward(url: str, payload: dict) -> str:
    """POST the payload; "" when the receiving side answered 2xx, else why not (no answer body)."""
    return outbound_post(
        url,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "SMS Console inbox forwarder"},
        timeout=settings.SMSCONSOLE_FORWARD_TIMEOUT_SECONDS,
        target="the forward URL",
    ).problem


def inbound_message_forward(*, message_id: int) -> InboundMessage:
    """POST one received message to its connector's forward URL; schedule a retry when it fails."""
    message = InboundMessage.objects.select_related("connector").get(pk=message_id)
    connector = message.connector
    if message.forward_state != ForwardState.PENDING:
        return message
    if connector is None or connector.routing != Routing.FORWARD or not connector.forward_url:
        message.forward_state = ForwardState.FAILED
        message.forward_error = "The receive connector no longer forwards to a URL."
        message.save(update_fields=["forward_state", "forward_error"])
        return message

    error = _post_forward(connector.forward_url, forward_payload(message))
    message.forward_attempts += 1
    message.forward_error = error
    if not error:
        message.forward_state = ForwardState.FORWARDED
        message.forwarded_at = timezone.now()
    elif message.forward_attempts >= settings.SMSCONSOLE_FORWARD_MAX_ATTEMPTS:
        message.forward_state = ForwardState.FAILED
    message.save(
        update_fields=["forward_state", "forward_attempts", "forward_error", "forwarded_at"]
    )
    if message.forward_state == ForwardState.PENDING:
        _schedule_forward_retry(message)
    logger.info(
        "Inbound SMS %s forward attempt %s: %s",
        message.pk,
        message.forward_attempts,
        error or "delivered",
    )
    return message


def _schedule_forward_retry(message: InboundMessage) -> None:
    schedule(
        FORWARD_TASK,
        message.pk,
        name=f"inbox-forward-{message.pk}-{message.forward_attempts}",
        schedule_type=Schedule.ONCE,
        repeats=1,
        next_run=timezone.now() + _forward_retry_delay(message.forward_attempts),
    )
