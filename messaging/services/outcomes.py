"""What a provider request came to, recorded: the attempts of its messages, the sent messages and
the connector's health in one transaction; a message no connector accepted is retried later or
failed."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connectors.gateway import connector_record_outcome
from connectors.models import Connector
from connectors.providers.types import (
    TRANSIENT_CATEGORIES,
    DeliveryState,
    MessageResult,
    Outcome,
)
from connectors.routing import cost_of
from connectors.selectors import connectors_unusable_reason
from core.rows import objects_insert, objects_update
from messaging.models import (
    NO_CONNECTOR,
    Attempt,
    EventType,
    Message,
    MessageStatus,
    ProviderRequest,
)
from messaging.services.callbacks import message_event_emit
from messaging.services.leases import messages_held
from messaging.services.validity import messages_expire, retry_due_at

logger = logging.getLogger(__name__)


def attempt_of(
    *,
    message: Message,
    connector: Connector,
    result: MessageResult,
    started_at: datetime,
    duration_ms: int,
) -> Attempt:
    """The unsaved attempt of one message in one provider request; an accepted one costs its
    segments at the connector's price for the country."""
    accepted = result.outcome == Outcome.ACCEPTED
    return Attempt(
        message=message,
        connector=connector,
        connector_name=connector.name,
        provider=connector.provider,
        started_at=started_at,
        duration_ms=duration_ms,
        outcome=result.outcome,
        category=result.category,
        provider_code=result.code[:40],
        detail=result.detail,
        http_status=result.http_status,
        cost=cost_of(connector, message.to, message.segments) if accepted else None,
    )


def request_outcome_record(
    *,
    token: str,
    connector: Connector,
    attempts: list[Attempt],
    results: list[MessageResult],
    request: ProviderRequest | None,
) -> None:
    """Complete the request in flight with its exchanges (stored once), store the attempts of its
    messages, the sent messages and the connector's health, at once: a few statements whatever
    the request's size. request is None when none went out (every message skipped)."""
    accepted = {
        attempt.message_id: (attempt.message, result)
        for attempt, result in zip(attempts, results, strict=True)
        if attempt.outcome == Outcome.ACCEPTED
    }
    with transaction.atomic():
        if request is not None:  # the results of its messages share its exchanges
            carried = set(request.message_ids)
            exchanges = next((result.exchanges for result in results if result.exchanges), [])
            request.in_flight, request.exchanges = False, [e.as_dict() for e in exchanges]
            objects_update(objects=[request], field_names=["in_flight", "exchanges"])
            for attempt in attempts:
                if attempt.message_id in carried:
                    attempt.request = request
        objects_insert(objects=attempts)
        # Locked (in id order, as receipts lock them), so no other worker takes them between this
        # read and the update below.
        held = dict(
            messages_held(message_ids=list(accepted), token=token)
            .select_for_update()
            .order_by("id")
            .values_list("pk", "delivery_state")
        )
        now, sent = timezone.now(), []
        for message_id, (message, result) in accepted.items():
            if message_id not in held:
                logger.warning("Message %s was accepted after its lease ran out", message_id)
                continue
            message.status, message.connector, message.sent_at = MessageStatus.SENT, connector, now
            message.provider_message_id = result.provider_message_id[:100]
            # It waits for its receipt, unless a fast receipt got there first.
            known = held[message_id]
            message.delivery_state = known if known != DeliveryState.NONE else DeliveryState.PENDING
            message.error_category = message.error_code = message.error_detail = ""
            message.lease_token, message.lease_expires_at = "", None
            sent.append(message)
        objects_update(objects=sent, field_names=_SENT_FIELDS)
        for message in sent:
            message_event_emit(message=message, event=EventType.SENT)
        connector_record_outcome(connector=connector, results=results)


_SENT_FIELDS = [
    "status",
    "connector",
    "sent_at",
    "provider_message_id",
    "delivery_state",
    "error_category",
    "error_code",
    "error_detail",
    "lease_token",
    "lease_expires_at",
]


def message_finish_unsent(*, message: Message, token: str, failures: list[Attempt]) -> None:
    """No connector accepted: retry later when every failure may pass by itself, else fail."""
    if messages_expire(messages=[message], token=token):  # validity ran out during the failover
        return
    failed = [a for a in failures if a.outcome == Outcome.FAILED]
    if failures:
        last = failed[-1] if failed else failures[-1]
        error = {
            "error_category": last.category,
            "error_code": last.provider_code,
            "error_detail": last.detail,
        }
        transient = bool(failed) and all(a.category in TRANSIENT_CATEGORIES for a in failed)
    else:
        transient, detail = connectors_unusable_reason(
            number=message.to, pinned=message.pinned, connector_id=message.connector_id
        )
        error = {"error_category": NO_CONNECTOR, "error_code": "", "error_detail": detail}
    now = timezone.now()
    held = messages_held(message_ids=[message.pk], token=token)
    if transient and message.retries < settings.SMSCONSOLE_RETRY_LIMIT:
        delay = settings.SMSCONSOLE_RETRY_BACKOFF_SECONDS * 2**message.retries
        held.update(
            status=MessageStatus.QUEUED,
            due_at=retry_due_at(message=message, due_at=now + timedelta(seconds=min(delay, 3600))),
            kicked_at=None,
            retries=message.retries + 1,
            lease_token="",
            lease_expires_at=None,
            **error,
        )
        return
    with transaction.atomic():
        if held.update(
            status=MessageStatus.FAILED,
            failed_at=now,
            lease_token="",
            lease_expires_at=None,
            **error,
        ):
            message_event_emit(message=message, event=EventType.FAILED)
