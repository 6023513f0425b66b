"""Delivery reports: kept as they come, matched to their message, applied monotonically.

A pushed receipt is stored first (redacted) and read by a task; report queries (pull) and SMPP
deliver_sm PDUs hand in receipts already read. Every receipt gets a DeliveryReport row, matched to
a message or not. message_delivery_update is the one way a message's delivery state moves: a
final state (delivered, undelivered, expired, rejected) never moves again, a later "pending"
never overwrites one, and "unknown" (the wait ran out) gives way to a real receipt.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from connectors.models import Connector
from connectors.providers import UnknownProvider, get_provider
from connectors.providers.http import Redactor
from connectors.providers.types import (
    FINAL_DELIVERY_STATES,
    DeliveryState,
    Receipt,
    ReceiptRequest,
)
from core.phone import number_for_opt_out
from core.rows import objects_update
from core.tasks import task_enqueue_unless_pending, task_pending_clear
from messaging.models import DeliveryReport, EventType, Message, MessageStatus, ReceiptSource
from messaging.services.callbacks import message_event_emit
from messaging.services.optouts import optout_create

logger = logging.getLogger(__name__)

PROCESS_TASK = "messaging.tasks.delivery_report_process_task"
READ_PENDING_MARK = "messaging:receipt-read-pending"  # core.tasks.task_enqueue_unless_pending
READ_SECONDS = 10  # a reading task takes no more pushes then: well inside the task timeout
READ_BATCH = 100
READ_LEASE_SECONDS = 60  # how long a reading task holds the pushes it took (a dead one's then go)
MAX_RAW_CHARACTERS = 20_000
# From which delivery states a receipt may move a message to each state.
_MOVES_FROM: dict[str, frozenset[str]] = {
    DeliveryState.PENDING: frozenset({DeliveryState.NONE}),
    **{
        state: frozenset({DeliveryState.NONE, DeliveryState.PENDING, DeliveryState.UNKNOWN})
        for state in FINAL_DELIVERY_STATES
    },
}
# The status callback each final delivery state posts (a refusal after acceptance is undelivered).
_EVENTS = {
    DeliveryState.DELIVERED: EventType.DELIVERED,
    DeliveryState.UNDELIVERED: EventType.UNDELIVERED,
    DeliveryState.REJECTED: EventType.UNDELIVERED,
    DeliveryState.EXPIRED: EventType.EXPIRED,
}


@dataclass(frozen=True)
class DeliveryUpdate:
    """What one receipt says of one message."""

    message_id: int
    state: str  # a DeliveryState
    code: str = ""
    occurred_at: datetime | None = None


def message_delivery_update(*, updates: Iterable[DeliveryUpdate]) -> list[Message]:
    """Apply delivery states to messages monotonically; the messages whose state changed.

    Each update is one conditional UPDATE, so two receipts read at once cannot both win; an
    update that would move a final state (or put "pending" over anything) changes nothing.
    """
    now = timezone.now()
    changed: list[int] = []
    with transaction.atomic():
        # In id order: two transactions applying receipts of the same messages (a push and a
        # report query, or two queries in flight) lock their rows in one order, so neither waits
        # on the other in a deadlock. The sort is stable: one message's updates keep their order.
        for update in sorted(updates, key=lambda update: update.message_id):
            allowed = _MOVES_FROM.get(update.state)
            if not allowed:
                continue
            fields = {
                "delivery_state": update.state,
                "delivery_code": update.code[:40],
                "delivery_updated_at": now,
            }
            if update.state == DeliveryState.DELIVERED:
                fields["delivered_at"] = update.occurred_at or now
            if Message.objects.filter(pk=update.message_id, delivery_state__in=allowed).update(
                **fields
            ):
                changed.append(update.message_id)
        moved = list(Message.objects.filter(pk__in=changed).order_by("id"))
        for message in moved:
            if message.delivery_state in _EVENTS:
                message_event_emit(message=message, event=_EVENTS[message.delivery_state])
    return moved


def delivery_report_store(
    *, connector: Connector, body: bytes, content_type: str
) -> DeliveryReport:
    """Keep a pushed receipt as it came (redacted) and see that a task reads it after the commit
    (one task reads a burst: delivery_reports_read)."""
    text = body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    try:
        text = get_provider(connector.provider).redact(connector, text)
    except UnknownProvider:  # kept all the same, without the connector's own secrets
        text = Redactor((connector.username, connector.password), ()).text(text)
    fields = {
        "connector": connector,
        "source": ReceiptSource.PUSH,
        "raw": text[:MAX_RAW_CHARACTERS],
        "content_type": content_type[:100],
    }
    report = DeliveryReport.objects.create(**fields)
    task_enqueue_unless_pending(PROCESS_TASK, report.pk, mark=READ_PENDING_MARK)
    return report


def delivery_reports_read(*, report_id: int) -> int:
    """Read a stored push, then every other push not read yet, oldest first, in batches for up to
    READ_SECONDS (pushes stored meanwhile found this task pending); how many this task read.

    Pushes another task took first mean that task is ahead in the same list: this one stops and
    leaves the rest to it rather than trail it. Out of time with pushes left, it enqueues the
    next reading task.
    """
    task_pending_clear(READ_PENDING_MARK)  # before reading: a push stored from now on kicks again
    read = delivery_reports_process(report_ids=[report_id])
    stop_at, after = time.monotonic() + READ_SECONDS, 0
    while time.monotonic() < stop_at:
        unread = list(
            _unread()
            .filter(source=ReceiptSource.PUSH, pk__gt=after)
            .order_by("id")
            .values_list("id", flat=True)[:READ_BATCH]
        )
        if not unread:
            return read
        taken = delivery_reports_process(report_ids=unread)
        if not taken:
            return read
        read, after = read + taken, unread[-1]
    task_enqueue_unless_pending(PROCESS_TASK, after, mark=READ_PENDING_MARK)
    return read


def delivery_reports_process(*, report_ids: list[int]) -> int:
    """Read these stored pushes, those no other task holds or read: their receipts, each matched
    and applied, one transaction per connector. How many this call read.

    The pushes are held for READ_LEASE_SECONDS, and marked read with their receipts' record: a
    task that dies in between leaves them unread, for the next task or the sweep.
    """
    with transaction.atomic():
        # Taken in one transaction: on PostgreSQL rows another reader is taking are skipped, and
        # on SQLite the write lock is held from its start, so every push is taken once.
        taken = list(
            _unread()
            .select_for_update(skip_locked=True)
            .filter(pk__in=report_ids)
            .values_list("id", flat=True)
        )
        DeliveryReport.objects.filter(pk__in=taken).update(
            reading_until=timezone.now() + timedelta(seconds=READ_LEASE_SECONDS)
        )
    reports = DeliveryReport.objects.select_related("connector").filter(pk__in=taken)
    by_connector: dict[int, list[tuple[DeliveryReport, list[Receipt]]]] = defaultdict(list)
    for report in reports.order_by("id"):
        if receipts := _receipts_of(report):
            by_connector[report.connector_id].append((report, receipts))
    for batches in by_connector.values():
        _receipts_store(batches[0][0].connector, batches, ReceiptSource.PUSH)
    return len(taken)


def _unread() -> QuerySet[DeliveryReport]:
    """Stored receipts not read yet that no reading task holds (or whose task died)."""
    return DeliveryReport.objects.filter(processed_at__isnull=True).filter(
        Q(reading_until__isnull=True) | Q(reading_until__lt=timezone.now())
    )


def _unreadable(report: DeliveryReport, detail: str) -> None:
    """Kept read, with the reason it carried nothing to apply."""
    report.detail, report.processed_at = detail[:1000], timezone.now()
    report.save(update_fields=["detail", "processed_at"])


def _receipts_of(report: DeliveryReport) -> list[Receipt]:
    """The receipts a stored push carries; none, with the reason kept, when it cannot be read."""
    connector = report.connector
    try:
        if connector is None:
            raise ValueError(gettext("its connector was deleted"))
        receipts = get_provider(connector.provider).receipt_parse(connector, _request_of(report))
    except (ValueError, UnknownProvider) as error:
        _unreadable(report, gettext("Could not be read: %(error)s") % {"error": error})
        return []
    except Exception:  # a fault in one provider's reader must not lose the batch's other pushes
        logger.exception("Receipt %s: the provider's reader failed", report.pk)
        _unreadable(report, gettext("Could not be read: the provider's reader failed."))
        return []
    if not receipts:
        _unreadable(report, gettext("It carried no receipt."))
    return receipts


def _request_of(report: DeliveryReport) -> ReceiptRequest:
    """The stored push as a provider reads it (form bodies also as fields)."""
    body = report.raw.encode()
    fields: dict[str, str] = {}
    if report.content_type.startswith("application/x-www-form-urlencoded"):
        fields = dict(parse_qsl(report.raw, keep_blank_values=True))
    return ReceiptRequest(
        url="", content_type=report.content_type, body=body, fields=fields, headers={}
    )


def receipts_record(
    *,
    connector: Connector,
    receipts: list[Receipt],
    source: str,
) -> list[Message]:
    """Keep a row per receipt, match each to its message and apply it; opted-out recipients
    join the opt-out list. The messages that changed."""
    return _receipts_store(connector, [(None, receipts)], source)


# What reading a stored push fills in (_receipts_store).
_READ_FIELDS = [
    "connector",
    "message",
    "provider_message_id",
    "number",
    "state",
    "code",
    "detail",
    "occurred_at",
    "processed_at",
    "raw",
    "applied",
]


def _receipts_store(
    connector: Connector,
    batches: list[tuple[DeliveryReport | None, list[Receipt]]],
    source: str,
) -> list[Message]:
    """receipts_record for receipts that came in several batches, each maybe a stored push whose
    row its first receipt fills; one transaction for them all."""
    now = timezone.now()
    receipts = [receipt for _, batch in batches for receipt in batch]
    matches = _match(connector, receipts)
    rows: list[DeliveryReport] = []
    for report, batch in batches:
        for index, receipt in enumerate(batch):
            row = report if index == 0 and report is not None else DeliveryReport(source=source)
            row.provider_message_id = receipt.provider_message_id[:100]
            row.number = receipt.number[:40]
            row.state = receipt.state
            row.code = receipt.code[:40]
            row.detail = receipt.detail[:1000]
            row.occurred_at = receipt.occurred_at
            row.processed_at = row.processed_at or now
            if receipt.raw and (row.pk is None or len(batch) > 1):
                row.raw = receipt.raw[:MAX_RAW_CHARACTERS]
            rows.append(row)
    for row, message in zip(rows, matches, strict=True):
        row.connector, row.message = connector, message
    updates = [
        DeliveryUpdate(message.pk, receipt.state, receipt.code, receipt.occurred_at)
        for receipt, message in zip(receipts, matches, strict=True)
        if message is not None
    ]
    with transaction.atomic():
        changed = message_delivery_update(updates=updates)
        moved = {message.pk: message for message in changed}
        for row in rows:
            row.applied = row.message_id in moved and moved[row.message_id].delivery_state == (
                row.state
            )
            moved.pop(row.message_id, None)  # a second receipt of the message in one batch
        objects_update(
            objects=[row for row in rows if row.pk is not None], field_names=_READ_FIELDS
        )
        DeliveryReport.objects.bulk_create([row for row in rows if row.pk is None])
        for receipt, message in zip(receipts, matches, strict=True):
            if receipt.opted_out and (message or receipt.number):
                number = message.to if message else number_for_opt_out(receipt.number)
                optout_create(number=number, keyword=f"receipt {receipt.code}".strip())
    return changed


def _match(connector: Connector, receipts: list[Receipt]) -> list[Message | None]:
    """The message of each receipt carried by this connector, or None.

    Our own id where the provider echoes it (a message still being recorded as sent has no
    connector yet); else the provider's id, and the number where one id covers a whole order.
    """
    own_ids = {r.message_id for r in receipts if r.message_id is not None}
    provider_ids = {
        candidate
        for r in receipts
        if r.message_id is None
        for candidate in (r.provider_message_id, *r.alternative_ids)
        if candidate
    }
    by_id = {
        m.pk: m
        for m in Message.objects.filter(pk__in=own_ids).filter(
            Q(connector=connector) | Q(connector__isnull=True, status=MessageStatus.SENDING)
        )
    }
    # Indexed by id and by (id, number): one id may cover a whole bulk order of 1,000 numbers.
    by_provider_id: dict[str, dict[int, Message]] = {}
    by_id_and_number: dict[tuple[str, str], dict[int, Message]] = {}
    for message in Message.objects.filter(
        connector=connector, provider_message_id__in=provider_ids
    ):
        by_provider_id.setdefault(message.provider_message_id, {})[message.pk] = message
        key = (message.provider_message_id, message.to)
        by_id_and_number.setdefault(key, {})[message.pk] = message
    return [
        by_id.get(r.message_id)
        if r.message_id is not None
        else _by_provider_id(r, by_provider_id, by_id_and_number)
        for r in receipts
    ]


def _by_provider_id(
    receipt: Receipt,
    found: dict[str, dict[int, Message]],
    found_with_number: dict[tuple[str, str], dict[int, Message]],
) -> Message | None:
    """The message of the receipt's id as written, else of the id written otherwise (hex or
    decimal); the number decides where one id covers several messages (an order)."""
    for ids in ([receipt.provider_message_id], receipt.alternative_ids):
        # A message has one provider id, so the messages of different ids never overlap.
        count = sum(len(found.get(i, {})) for i in ids)
        if not count:
            continue
        index = (
            [found_with_number.get((i, receipt.number), {}) for i in ids]
            if count > 1 or receipt.number
            else [found.get(i, {}) for i in ids]
        )
        candidates = [message for messages in index for message in messages.values()]
        if candidates:
            return candidates[0] if len(candidates) == 1 else None
    return None


def delivery_reports_sweep() -> int:
    """Read pushes whose task was lost; end the wait of messages still pending after it.

    Returns how many messages became "unknown".
    """
    now = timezone.now()
    stale = (
        _unread().filter(received_at__lt=now - timedelta(minutes=1)).values_list("id", flat=True)
    )
    delivery_reports_process(report_ids=list(stale[:1000]))
    return Message.objects.filter(
        delivery_state=DeliveryState.PENDING, sent_at__lt=delivery_wait_start(now)
    ).update(delivery_state=DeliveryState.UNKNOWN, delivery_updated_at=now)


def delivery_wait_start(now: datetime | None = None) -> datetime:
    """Messages sent before this are no longer waited for (SMSCONSOLE_DELIVERY_WAIT_HOURS)."""
    return (now or timezone.now()) - timedelta(hours=settings.SMSCONSOLE_DELIVERY_WAIT_HOURS)
