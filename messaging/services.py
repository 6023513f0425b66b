"""Every state change of messages: create (validate, store, enqueue on commit), dispatch, sweep.

The Message row is the source of truth; a django-q2 task is only a kick carrying its id (or the
ids of a batch). A dispatch claims the rows with a conditional UPDATE and a lease, talks to
providers with no transaction open, and records the attempts of each provider request (with the
connector's health) in one transaction. One path serves a single message and a batch: a batch
shares bulk requests where a connector's provider declares them (supports_bulk).
"""

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
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

SEND_TASK = "messaging.tasks.message_send_task"
SEND_BATCH_TASK = "messaging.tasks.message_send_batch_task"


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
    if problem := sms_text.text_problem(text):
        errors["text"] = [problem]
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


def _opted_out_error(number: str) -> list[str]:
    return [
        f"{number} has opted out of commercial messages, so this message was not queued. "
        "Transactional messages (codes, receipts, alerts) still go to this number."
    ]


def _check_opt_out(number: str, kind: str, errors: dict) -> None:
    from inbox.selectors import number_is_opted_out

    if kind == MessageKind.COMMERCIAL and number_is_opted_out(number=number):
        errors["to"] = _opted_out_error(number)


def _check_number(to: str, errors: dict) -> str:
    try:
        return normalize_number(to)
    except ValidationError as error:
        errors["to"] = error.messages
        return ""


def _check_kind(kind: str, errors: dict) -> None:
    if kind not in MessageKind.values:
        errors["kind"] = [f"Kind must be one of: {', '.join(MessageKind.values)}."]


def _new_message(
    *, number: str, text: str, sender: str, kind: str, pinned: Connector | None = None, **fields
) -> Message:
    """An unsaved message, measured and due now."""
    measured = sms_text.measure(text)
    now = timezone.now()
    return Message(
        to=number,
        text=text,
        sender=sender,
        kind=kind,
        encoding=measured.encoding,
        segments=measured.segments,
        connector=pinned,
        pinned=pinned is not None,
        due_at=now,
        kicked_at=now,
        **fields,
    )


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
    enqueue: bool = True,
) -> Message:
    """Validate and store a message, and enqueue its sending once the transaction commits.

    A repeated idempotency key (per API key) returns the first message and sends nothing.
    With enqueue=False the caller dispatches it (message_enqueue_batch); if that kick is lost,
    the sweeper kicks the message like any other.
    """
    idempotency_key = str(idempotency_key or "").strip()
    if len(idempotency_key) > 100:
        raise ValidationError(
            {"idempotency_key": ["The idempotency key may be at most 100 characters."]}
        )
    if existing := _existing(api_key, idempotency_key):
        return existing
    errors: dict[str, list[str]] = {}
    number = _check_number(to, errors)
    text = _clean_text(text, errors)
    _check_kind(kind, errors)
    pinned = _pinned_connector(connector, errors)
    sender = _clean_sender(sender, pinned, errors)
    if number and kind in MessageKind.values:
        _check_opt_out(number, kind, errors)
    if errors:
        raise ValidationError(errors)
    message = _new_message(
        number=number,
        text=text,
        sender=sender,
        kind=kind,
        pinned=pinned,
        idempotency_key=idempotency_key,
        api_key=api_key,
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
            if enqueue:
                _enqueue_on_commit(message.pk)
    except IntegrityError:
        # The same key arrived twice at once; the other request stored it first.
        if existing := _existing(api_key, idempotency_key):
            return existing
        raise
    return message


def message_create_batch(
    *, recipients: list[tuple[str, str]], sender: str = "", kind: str = MessageKind.TRANSACTIONAL
) -> list[Message | ValidationError]:
    """Validate and store messages sharing a sender and kind, as message_create does one.

    The sender and kind are checked once, opt-outs in one query per 900 numbers, and the
    messages inserted together, not enqueued (see message_enqueue_batch). Returns, per
    (number, text) given, its message or the ValidationError that kept it out.
    """
    from messaging.selectors import numbers_opted_out

    shared: dict[str, list[str]] = {}
    _check_kind(kind, shared)
    sender = _clean_sender(sender, None, shared)
    if shared:
        return [ValidationError(shared) for _ in recipients]
    checked = []
    for to, text in recipients:
        errors: dict[str, list[str]] = {}
        number = _check_number(to, errors)
        checked.append((number, _clean_text(text, errors), errors))
    opted_out = (
        numbers_opted_out(numbers=[number for number, _, _ in checked if number])
        if kind == MessageKind.COMMERCIAL
        else set()
    )
    results: list[Message | ValidationError] = []
    for number, text, errors in checked:
        if number in opted_out:
            errors["to"] = _opted_out_error(number)
        results.append(
            ValidationError(errors)
            if errors
            else _new_message(number=number, text=text, sender=sender, kind=kind)
        )
    Message.objects.bulk_create([r for r in results if isinstance(r, Message)])
    return results


def _enqueue_on_commit(message_id: int) -> None:
    # Robust: if the broker is unreachable the message stays queued and the sweeper kicks it later.
    transaction.on_commit(lambda: async_task(SEND_TASK, message_id), robust=True)


def message_enqueue_batch(*, message_ids: list[int]) -> None:
    """Once the transaction commits, have one worker dispatch these messages together (bulk)."""
    if message_ids:
        ids = list(message_ids)
        transaction.on_commit(lambda: async_task(SEND_BATCH_TASK, ids), robust=True)


# -- dispatching ----------------------------------------------------------------------------------


def _lease_until() -> datetime:
    return timezone.now() + timedelta(seconds=settings.SMSCONSOLE_DISPATCH_LEASE_SECONDS)


def _claimable() -> Q:
    now = timezone.now()
    return Q(status=MessageStatus.QUEUED, due_at__lte=now) | Q(
        status=MessageStatus.SENDING, lease_expires_at__lt=now
    )


def _claim(message_ids: list[int]) -> tuple[str, list[Message]]:
    """Take the messages for this worker (queued → sending, one lease); the token and those taken.

    Messages already claimed by another worker or finished are left out.
    """
    token = uuid.uuid4().hex
    claimed = (
        Message.objects.filter(pk__in=message_ids)
        .filter(_claimable())
        .update(status=MessageStatus.SENDING, lease_token=token, lease_expires_at=_lease_until())
    )
    if not claimed:
        return token, []
    return token, list(Message.objects.filter(pk__in=message_ids, lease_token=token).order_by("id"))


def _held(message_ids: list[int], token: str):
    return Message.objects.filter(
        pk__in=message_ids, status=MessageStatus.SENDING, lease_token=token
    )


def _renew(messages: list[Message], token: str) -> list[Message]:
    """Extend these messages' leases; the ones still ours (a lost one went to another worker)."""
    ids = [message.pk for message in messages]
    if _held(ids, token).update(lease_expires_at=_lease_until()) == len(ids):
        return messages
    still_ours = set(_held(ids, token).values_list("pk", flat=True))
    for message in messages:
        if message.pk not in still_ours:
            logger.warning(
                "Message %s: lease lost during failover; another worker has it", message.pk
            )
    return [message for message in messages if message.pk in still_ours]


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


def _provider_call(messages: list[Message], connector: Connector) -> list[SendResult | Exception]:
    """One provider request: a send for one message, a bulk send for several sharing a text.

    Either way it takes one send slot of the connector's max_per_second (a provider limits
    requests, and a bulk request is one request). Returns each message's result or error.
    """
    try:
        provider = connector.provider_class
        limit = provider.text_limit_for(connector)
        if len(messages[0].text) > limit:
            raise CannotCarry(
                Category.CONTENT,
                f"The text is {len(messages[0].text)} characters long; this connector carries at "
                f"most {limit}.",
            )
        connector_acquire_send_slot(connector=connector)
        if len(messages) == 1:
            return [provider.send(connector=connector, message=_outbound(messages[0]))]
        items = provider.send_bulk(
            connector=connector, messages=[_outbound(message) for message in messages]
        )
        return [item.error or item.result for item in items]
    except Exception as error:  # every error is recorded on the attempts
        return [error] * len(messages)


def _fill(attempt: Attempt, outcome: SendResult | Exception) -> None:
    """The attempt's outcome, category, code and redacted exchanges from a result or an error."""
    if isinstance(outcome, SendResult):
        attempt.outcome = Outcome.ACCEPTED
        attempt.provider_code, attempt.detail = outcome.code[:40], outcome.detail
        attempt.http_status = outcome.http_status
        attempt.exchanges = [exchange.as_dict() for exchange in outcome.exchanges]
    elif isinstance(outcome, UnknownProvider):
        attempt.outcome, attempt.category = Outcome.SKIPPED, Category.UNKNOWN
        attempt.detail = f"Provider '{attempt.provider}' is not configured (SMSCONSOLE_PROVIDERS)."
    elif isinstance(outcome, ProviderError):
        attempt.outcome, attempt.category = outcome.outcome, outcome.category
        attempt.provider_code, attempt.detail = outcome.code[:40], outcome.detail
        attempt.http_status = outcome.http_status
        attempt.exchanges = [exchange.as_dict() for exchange in outcome.exchanges]
    else:
        # An adapter bug must not lose the message: record it and fail over like an unknown answer.
        logger.error(
            "Provider %s raised unexpectedly for message %s",
            attempt.provider,
            attempt.message_id,
            exc_info=outcome,
        )
        attempt.outcome, attempt.category = Outcome.FAILED, Category.UNKNOWN
        attempt.detail = (
            f"The {attempt.provider} adapter failed: {type(outcome).__name__}: {outcome}"
        )


def _try_connector(messages: list[Message], connector: Connector) -> list[_Tried]:
    """One provider request with no transaction open; one unsaved attempt per message."""
    started_at, started = timezone.now(), time.monotonic()
    outcomes = _provider_call(messages, connector)
    duration_ms = round((time.monotonic() - started) * 1000)
    tried = []
    for message, outcome in zip(messages, outcomes, strict=True):
        attempt = Attempt(
            message=message,
            connector=connector,
            connector_name=connector.name,
            provider=connector.provider,
            started_at=started_at,
            duration_ms=duration_ms,
        )
        _fill(attempt, outcome)
        tried.append(_Tried(attempt, outcome if isinstance(outcome, SendResult) else None))
    return tried


def _record(token: str, connector: Connector, tried: list[_Tried]) -> set[int]:
    """Store the attempts of one request, the connector's health and the sent messages, at once.

    The request counts once for the connector's health, however many messages it carried.
    Returns the ids of the messages now sent.
    """
    sent: set[int] = set()
    with transaction.atomic():
        Attempt.objects.bulk_create([item.attempt for item in tried])
        now = timezone.now()
        for item in tried:
            if item.attempt.outcome != Outcome.ACCEPTED:
                continue
            message_id = item.attempt.message_id
            sent.add(message_id)
            if not _held([message_id], token).update(
                status=MessageStatus.SENT,
                connector=connector,
                sent_at=now,
                provider_message_id=item.result.provider_message_id[:100],
                error_category="",
                error_code="",
                error_detail="",
                lease_token="",
                lease_expires_at=None,
            ):
                logger.warning("Message %s was accepted after its lease ran out", message_id)
        failed = [item.attempt for item in tried if item.attempt.outcome == Outcome.FAILED]
        if sent:
            connector_record_success(connector=connector)
        elif failed:
            connector_record_failure(
                connector=connector, category=failed[-1].category, detail=failed[-1].detail
            )
    return sent


def _requests(messages: list[Message], connector: Connector) -> Iterator[list[Message]]:
    """The messages cut into provider requests, decided by the provider's declarations only.

    With supports_bulk: up to max_recipients_per_request messages sharing text, sender and kind
    per request; otherwise one message per request.
    """
    try:
        provider = connector.provider_class
        size = provider.max_recipients_per_request if provider.supports_bulk else 1
    except UnknownProvider:
        size = 1  # each message records the skip
    if size <= 1:
        yield from ([message] for message in messages)
        return
    groups: dict[tuple[str, str, str], list[Message]] = defaultdict(list)
    for message in messages:
        groups[(message.text, message.sender, message.kind)].append(message)
    for group in groups.values():
        for start in range(0, len(group), size):
            yield group[start : start + size]


def _still_usable(connector: Connector) -> bool:
    """After a failed request: whether the connector is still healthy (not tripped or rejected)."""
    connector.refresh_from_db(fields=["health_state", "tripped_until"])
    return connector.health_state == HealthState.OK


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


def _dispatch(messages: list[Message], token: str) -> set[int]:
    """Walk the connectors by priority; each takes the claimed messages not sent yet.

    A connector that failed and is no longer healthy is left for the rest of the messages;
    messages no connector accepted are retried later or failed. Returns the ids this worker
    finished (the others' leases were lost to another worker).
    """
    unsent = {message.pk: message for message in messages}
    lost: set[int] = set()
    failures: dict[int, list[Attempt]] = defaultdict(list)
    first_request = True
    for connector in connectors_for_dispatch():
        candidates = [m for m in unsent.values() if not m.pinned or m.connector_id == connector.pk]
        if not candidates:
            continue
        if connector.health_state == HealthState.TRIPPED and not connector_claim_probe(
            connector=connector
        ):
            continue  # another worker is probing it
        for request in _requests(candidates, connector):
            if not first_request:
                kept = _renew(request, token)
                for message_id in {m.pk for m in request} - {m.pk for m in kept}:
                    lost.add(message_id)
                    del unsent[message_id]
                request = kept
                if not request:
                    continue
            first_request = False
            tried = _try_connector(request, connector)
            sent = _record(token, connector, tried)
            for item in tried:
                if item.attempt.message_id in sent:
                    del unsent[item.attempt.message_id]
                else:
                    failures[item.attempt.message_id].append(item.attempt)
            failed = any(item.attempt.outcome == Outcome.FAILED for item in tried)
            if failed and not sent and not _still_usable(connector):
                break
    for message in unsent.values():
        _finish_unsent(message, token, failures[message.pk])
    return {message.pk for message in messages} - lost


def message_dispatch(*, message_id: int) -> Message | None:
    """Send a message through the first connector that accepts it, failing over down the list.

    Returns None when the message is not this worker's to send (already claimed or finished).
    """
    token, claimed = _claim([message_id])
    if not claimed or message_id not in _dispatch(claimed, token):
        return None
    return Message.objects.get(pk=message_id)


def message_dispatch_batch(*, message_ids: list[int]) -> int:
    """Send several messages like message_dispatch, sharing bulk requests where a provider has them.

    Messages with the same text, sender and kind go together in bulk requests (supports_bulk).

    Messages a bulk request did not get accepted fail over one by one down the list. Returns
    how many of the messages this worker finished (claimed ones that it sent, retried or failed).
    """
    token, claimed = _claim(list(message_ids))
    return len(_dispatch(claimed, token)) if claimed else 0


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
        _held([message.pk], token).update(
            status=MessageStatus.QUEUED,
            due_at=now + timedelta(seconds=min(delay, 3600)),
            kicked_at=None,
            retries=message.retries + 1,
            lease_token="",
            lease_expires_at=None,
            **error,
        )
        return
    _held([message.pk], token).update(
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
