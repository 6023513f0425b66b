"""Every state change of messages: create (validate, store, enqueue on commit), dispatch, sweep.

The Message row is the source of truth; a django-q2 task is only a kick carrying its id. A
dispatch claims the row with a conditional UPDATE and a lease, talks to providers with no
transaction open, and records each attempt (with the connector's health) in one transaction.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from connectors.models import Connector, HealthState
from connectors.providers import UnknownProvider
from connectors.providers.base import (
    TRANSIENT_CATEGORIES,
    CannotCarry,
    Category,
    OutboundSms,
    Outcome,
    ProviderError,
    SendResult,
)
from connectors.selectors import connectors_for_dispatch, sender_titles_active
from connectors.services import (
    connector_acquire_send_slot,
    connector_claim_probe,
    connector_record_failure,
    connector_record_success,
)
from messaging import text as sms_text
from messaging.models import (
    NO_CONNECTOR,
    Attempt,
    Message,
    MessageKind,
    MessageStatus,
    WorkerHeartbeat,
)
from messaging.phone import normalize_number

logger = logging.getLogger(__name__)

MAX_TEXT_CHARACTERS = 1600
SEND_TASK = "messaging.tasks.message_send_task"


# -- creating -------------------------------------------------------------------------------------


def _pinned_connector(connector: Connector | int | None, errors: dict) -> Connector | None:
    if connector is None or connector == "":
        return None
    if not isinstance(connector, Connector):
        try:
            connector = Connector.objects.get(pk=int(connector))
        except (Connector.DoesNotExist, TypeError, ValueError):
            errors["connector"] = [f"There is no connector with id {connector}."]
            return None
    if not connector.is_active:
        errors["connector"] = [
            f"Connector '{connector.name}' is switched off. Switch it on or leave the connector "
            "empty so the first usable connector carries the message."
        ]
    return connector


def _clean_text(text: str, errors: dict) -> str:
    text = str(text or "")
    if not text.strip():
        errors["text"] = ["Enter the message text (1 to 1,600 characters)."]
    elif len(text) > MAX_TEXT_CHARACTERS:
        errors["text"] = [
            f"The text is {len(text):,} characters long; at most {MAX_TEXT_CHARACTERS:,} fit."
        ]
    return text


def _clean_sender(sender: str, pinned: Connector | None, errors: dict) -> str:
    sender = str(sender or "").strip()
    if not sender:
        return ""
    approved = list(pinned.sender_list or []) if pinned else sender_titles_active()
    if sender not in approved:
        where = f"connector '{pinned.name}'" if pinned else "any active connector"
        listed = ", ".join(approved) or "none"
        errors["sender"] = [
            f"Sender title '{sender}' is not approved on {where}. Approved titles: {listed}. "
            "Leave it empty to use each connector's default title."
        ]
    return sender


def _check_opt_out(number: str, kind: str, errors: dict) -> None:
    from inbox.selectors import number_is_opted_out

    if kind == MessageKind.COMMERCIAL and number_is_opted_out(number=number):
        errors["to"] = [
            f"{number} has opted out of commercial messages, so this message was not queued. "
            "Transactional messages (codes, receipts, alerts) still go to this number."
        ]


def _existing(api_key, idempotency_key: str) -> Message | None:
    if not idempotency_key:
        return None
    return Message.objects.filter(api_key=api_key, idempotency_key=idempotency_key).first()


def message_create(
    *,
    to: str,
    text: str,
    sender: str = "",
    kind: str = MessageKind.TRANSACTIONAL,
    connector: Connector | int | None = None,
    idempotency_key: str = "",
    api_key=None,
) -> Message:
    """Validate and store a message, and enqueue its sending once the transaction commits.

    A repeated idempotency key (per API key) returns the first message and sends nothing.
    """
    idempotency_key = str(idempotency_key or "").strip()
    if len(idempotency_key) > 100:
        raise ValidationError(
            {"idempotency_key": ["The idempotency key may be at most 100 characters."]}
        )
    if existing := _existing(api_key, idempotency_key):
        return existing
    errors: dict[str, list[str]] = {}
    try:
        number = normalize_number(to)
    except ValidationError as error:
        errors["to"] = error.messages
        number = ""
    text = _clean_text(text, errors)
    if kind not in MessageKind.values:
        errors["kind"] = [f"Kind must be one of: {', '.join(MessageKind.values)}."]
    pinned = _pinned_connector(connector, errors)
    sender = _clean_sender(sender, pinned, errors)
    if number and kind in MessageKind.values:
        _check_opt_out(number, kind, errors)
    if errors:
        raise ValidationError(errors)
    measured = sms_text.measure(text)
    now = timezone.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                to=number,
                text=text,
                sender=sender,
                kind=kind,
                encoding=measured.encoding,
                segments=measured.segments,
                connector=pinned,
                pinned=pinned is not None,
                idempotency_key=idempotency_key,
                api_key=api_key,
                due_at=now,
                kicked_at=now,
            )
            _enqueue_on_commit(message.pk)
    except IntegrityError:
        # The same key arrived twice at once; the other request stored it first.
        if existing := _existing(api_key, idempotency_key):
            return existing
        raise
    return message


def _enqueue_on_commit(message_id: int) -> None:
    # Robust: if the broker is unreachable the message stays queued and the sweeper kicks it later.
    transaction.on_commit(lambda: async_task(SEND_TASK, message_id), robust=True)


# -- dispatching ----------------------------------------------------------------------------------


def _lease_until() -> datetime:
    return timezone.now() + timedelta(seconds=settings.SMSCONSOLE_DISPATCH_LEASE_SECONDS)


def _claimable() -> Q:
    now = timezone.now()
    return Q(status=MessageStatus.QUEUED, due_at__lte=now) | Q(
        status=MessageStatus.SENDING, lease_expires_at__lt=now
    )


def _message_claim(message_id: int) -> str:
    """Take the message for this worker (queued → sending with a lease); the lease token or ""."""
    token = uuid.uuid4().hex
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(_claimable())
        .update(status=MessageStatus.SENDING, lease_token=token, lease_expires_at=_lease_until())
    )
    return token if claimed else ""


def _held(message: Message, token: str):
    return Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, lease_token=token)


@dataclass
class _Tried:
    attempt: Attempt
    result: SendResult | None = None


def _outbound(message: Message) -> OutboundSms:
    return OutboundSms(
        id=message.pk,
        to=message.to,
        text=message.text,
        sender=message.sender,
        kind=message.kind,
        encoding=message.encoding,
        segments=message.segments,
    )


def _try_connector(message: Message, connector: Connector) -> _Tried:
    """One provider call, no transaction open; the attempt is returned unsaved."""
    attempt = Attempt(
        message=message,
        connector=connector,
        connector_name=connector.name,
        provider=connector.provider,
        started_at=timezone.now(),
    )
    started = time.monotonic()
    result = None
    try:
        provider = connector.provider_class
        limit = provider.text_limit_for(connector)
        if len(message.text) > limit:
            raise CannotCarry(
                Category.CONTENT,
                f"The text is {len(message.text)} characters long; this connector carries at most "
                f"{limit}.",
            )
        connector_acquire_send_slot(connector=connector)
        result = provider.send(connector=connector, message=_outbound(message))
    except UnknownProvider:
        attempt.outcome, attempt.category = Outcome.SKIPPED, Category.UNKNOWN
        attempt.detail = (
            f"Provider '{connector.provider}' is not configured (SMSCONSOLE_PROVIDERS)."
        )
    except ProviderError as error:
        attempt.outcome, attempt.category = error.outcome, error.category
        attempt.provider_code, attempt.detail = error.code[:40], error.detail
        attempt.http_status = error.http_status
        attempt.exchanges = [exchange.as_dict() for exchange in error.exchanges]
    except Exception as error:
        # An adapter bug must not lose the message: record it and fail over like an unknown answer.
        logger.exception(
            "Provider %s raised unexpectedly for message %s", connector.provider, message.pk
        )
        attempt.outcome, attempt.category = Outcome.FAILED, Category.UNKNOWN
        attempt.detail = f"The {connector.provider} adapter failed: {type(error).__name__}: {error}"
    else:
        attempt.outcome = Outcome.ACCEPTED
        attempt.provider_code, attempt.detail = result.code[:40], result.detail
        attempt.http_status = result.http_status
        attempt.exchanges = [exchange.as_dict() for exchange in result.exchanges]
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    return _Tried(attempt=attempt, result=result)


def _record(message: Message, token: str, tried: _Tried) -> bool:
    """Store the attempt, the connector's health and, when accepted, the sent message, at once.

    Returns whether the message is now sent.
    """
    attempt, connector = tried.attempt, tried.attempt.connector
    with transaction.atomic():
        attempt.save()
        if attempt.outcome == Outcome.ACCEPTED:
            connector_record_success(connector=connector)
            now = timezone.now()
            updated = _held(message, token).update(
                status=MessageStatus.SENT,
                connector=connector,
                sent_at=now,
                provider_message_id=tried.result.provider_message_id[:100],
                error_category="",
                error_code="",
                error_detail="",
                lease_token="",
                lease_expires_at=None,
            )
            if not updated:
                logger.warning("Message %s was accepted after its lease ran out", message.pk)
            return True
        if attempt.outcome == Outcome.FAILED:
            connector_record_failure(
                connector=connector, category=attempt.category, detail=attempt.detail
            )
    return False


def _connectors_for(message: Message) -> list[Connector]:
    candidates = connectors_for_dispatch()
    if message.pinned:
        candidates = [c for c in candidates if c.pk == message.connector_id]
    return candidates


def _nothing_usable_detail(message: Message) -> tuple[bool, str]:
    """(transient, explanation) when no connector could even be tried."""
    active = Connector.objects.filter(is_active=True)
    if message.pinned:
        active = active.filter(pk=message.connector_id)
    if active.filter(health_state=HealthState.TRIPPED).exists():
        return True, "Every usable connector is paused after failures; the message will be retried."
    if message.pinned:
        return (
            False,
            "The pinned connector is switched off, deleted or has its credentials rejected.",
        )
    if active.exists():
        return False, "Every active connector has its credentials rejected; edit the connectors."
    return False, "No active connector: add one or switch one on."


def message_dispatch(*, message_id: int) -> Message | None:
    """Send a message through the first connector that accepts it, failing over down the list.

    Returns None when the message is not this worker's to send (already claimed or finished).
    """
    token = _message_claim(message_id)
    if not token:
        return None
    message = Message.objects.get(pk=message_id)
    tried_any = False
    failures: list[Attempt] = []
    for connector in _connectors_for(message):
        if connector.health_state == HealthState.TRIPPED and not connector_claim_probe(
            connector=connector
        ):
            continue  # another worker is probing it
        if tried_any and not _held(message, token).update(lease_expires_at=_lease_until()):
            logger.warning(
                "Message %s: lease lost during failover; another worker has it", message_id
            )
            return None
        tried_any = True
        tried = _try_connector(message, connector)
        if _record(message, token, tried):
            return Message.objects.get(pk=message_id)
        failures.append(tried.attempt)
    _finish_unsent(message, token, failures)
    return Message.objects.get(pk=message_id)


def _finish_unsent(message: Message, token: str, failures: list[Attempt]) -> None:
    """No connector accepted: retry later when every failure may pass by itself, else fail."""
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
        transient, detail = _nothing_usable_detail(message)
        error = {"error_category": NO_CONNECTOR, "error_code": "", "error_detail": detail}
    now = timezone.now()
    if transient and message.retries < settings.SMSCONSOLE_RETRY_LIMIT:
        delay = settings.SMSCONSOLE_RETRY_BACKOFF_SECONDS * 2**message.retries
        _held(message, token).update(
            status=MessageStatus.QUEUED,
            due_at=now + timedelta(seconds=min(delay, 3600)),
            kicked_at=None,
            retries=message.retries + 1,
            lease_token="",
            lease_expires_at=None,
            **error,
        )
        return
    _held(message, token).update(
        status=MessageStatus.FAILED, failed_at=now, lease_token="", lease_expires_at=None, **error
    )


# -- sweeping -------------------------------------------------------------------------------------


def message_sweep() -> int:
    """Kick queued messages that are due and sending ones whose lease ran out (worker died).

    A message kicked recently is left alone, so a long backlog is not kicked over and over.
    Returns how many messages were kicked.
    """
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name="sweeper", defaults={"beat_at": now})
    stale = now - timedelta(seconds=settings.SMSCONSOLE_REKICK_SECONDS)
    ids = list(
        Message.objects.filter(_claimable())
        .filter(Q(kicked_at__isnull=True) | Q(kicked_at__lt=stale))
        .order_by("id")
        .values_list("id", flat=True)[: settings.SMSCONSOLE_SWEEP_BATCH]
    )
    with transaction.atomic():
        Message.objects.filter(pk__in=ids).update(kicked_at=now)
        for message_id in ids:
            _enqueue_on_commit(message_id)
    return len(ids)
