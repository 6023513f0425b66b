"""Reads of the console's own data."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber, TruncHour
from django.utils import timezone

from connectors.models import Connector
from connectors.providers.base import Outcome
from connectors.selectors import connector_list
from inbox.models import InboundMessage
from messaging.models import Attempt, Message, MessageStatus
from smsconsole.models import ApiKey, AuditEntry
from smsconsole.services import hash_api_key


def api_key_list() -> QuerySet[ApiKey]:
    """Every API key, newest first."""
    return ApiKey.objects.select_related("created_by").order_by("-created_at")


def api_key_get_active(*, key: str) -> ApiKey | None:
    """The active API key matching a presented key, if any."""
    return ApiKey.objects.filter(key_hash=hash_api_key(key), revoked_at__isnull=True).first()


def audit_entry_list(
    *,
    actor: str = "",
    target_type: str = "",
    target_id: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """Audit entries matching the log's filters, newest first (each filter has an index)."""
    entries = AuditEntry.objects.select_related("user").order_by("-id")
    if actor:
        entries = entries.filter(actor=actor)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(created_at__gte=_local_midnight(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=_local_midnight(date_to + timedelta(days=1)))
    if text := text.strip():
        entries = entries.filter(
            Q(target_label__icontains=text)
            | Q(target_id=text)
            | Q(actor__icontains=text)
            | Q(changes__icontains=text)
        )
    return entries


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The values each audit filter offers: the actors, object types and actions seen so far."""

    def distinct(field: str) -> list[str]:
        return list(AuditEntry.objects.order_by(field).values_list(field, flat=True).distinct())

    return {
        "actor": [(actor, actor) for actor in distinct("actor")],
        "target_type": [(label, _model_label(label)) for label in distinct("target_type")],
        "action": [(action, action.replace("_", " ")) for action in distinct("action")],
    }


def _model_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return label


# -- Dashboard ------------------------------------------------------------------------------------
# Message ids grow with creation time, so "messages created since T" are the ids from the first
# one created at T on (one lookup in the created_at index). Every count below then reads an id
# range (of messages, or of attempts through their message index): its cost follows the traffic
# of the period shown, not the size of the tables.


@dataclass(frozen=True)
class StatusCounts:
    """Messages created in a period, by their current status."""

    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.queued + self.sending + self.sent + self.failed

    @property
    def pending(self) -> int:
        return self.queued + self.sending

    @property
    def success_rate(self) -> float | None:
        """Sent out of finished (sent or failed) messages, in percent; None when none finished."""
        finished = self.sent + self.failed
        return 100 * self.sent / finished if finished else None


@dataclass
class ConnectorStats:
    """What one connector did for the messages of a period, and its provider latency."""

    name: str
    connector: Connector | None  # None once the connector has been deleted
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    failover: int = 0
    median_ms: int | None = None
    p95_ms: int | None = None


@dataclass(frozen=True)
class HourCounts:
    """Messages created in one hour, by status."""

    start: datetime
    sent: int = 0
    failed: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.pending


def _first_message_id(since: datetime) -> int | None:
    return (
        Message.objects.filter(created_at__gte=since)
        .order_by("created_at")
        .values_list("id", flat=True)
        .first()
    )


def _status_aggregates() -> dict:
    return {
        status: Count("id", filter=Q(status=status))
        for status in (
            MessageStatus.QUEUED,
            MessageStatus.SENDING,
            MessageStatus.SENT,
            MessageStatus.FAILED,
        )
    }


def dashboard_status_counts(*, since: datetime) -> StatusCounts:
    """Messages created since a moment, by status."""
    first_id = _first_message_id(since)
    if first_id is None:
        return StatusCounts()
    return StatusCounts(
        **Message.objects.filter(id__gte=first_id).aggregate(**_status_aggregates())
    )


def dashboard_hourly_counts(*, hours: int = 24) -> list[HourCounts]:
    """Messages per hour (local time) for the last `hours` hours, the current one included."""
    now = timezone.localtime()
    first_hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    counted: dict[datetime, dict] = {}
    if (first_id := _first_message_id(first_hour)) is not None:
        aggregates = _status_aggregates()
        rows = (
            Message.objects.filter(id__gte=first_id)
            .annotate(hour=TruncHour("created_at", tzinfo=now.tzinfo))
            .values("hour")
            .annotate(**aggregates)
            .order_by()
        )
        counted = {row.pop("hour"): row for row in rows}
    bars = []
    for index in range(hours):
        start = first_hour + timedelta(hours=index)
        row = counted.get(start, {})
        bars.append(
            HourCounts(
                start=start,
                sent=row.get(MessageStatus.SENT, 0),
                failed=row.get(MessageStatus.FAILED, 0),
                pending=row.get(MessageStatus.QUEUED, 0) + row.get(MessageStatus.SENDING, 0),
            )
        )
    return bars


def dashboard_connector_stats(*, since: datetime) -> list[ConnectorStats]:
    """Per connector, for messages created since a moment: what it sent, failed, skipped and took
    over from another connector, and the median and 95th percentile of its provider latency.

    Every connector is listed in dispatch order (idle ones with zeros), then deleted ones that
    still have attempts in the period.
    """
    stats = {(c.pk, c.name): ConnectorStats(name=c.name, connector=c) for c in connector_list()}
    by_id = {key[0]: value for key, value in stats.items()}
    first_id = _first_message_id(since)
    if first_id is None:
        return list(stats.values())
    attempts = Attempt.objects.filter(message_id__gte=first_id)
    earlier_miss_elsewhere = Attempt.objects.filter(
        message_id=OuterRef("message_id"),
        id__lt=OuterRef("id"),
        outcome__in=[Outcome.FAILED, Outcome.SKIPPED],
    ).exclude(connector_id=OuterRef("connector_id"))
    # Grouped by name first: an index on connector_id cannot serve that order, so SQLite (with
    # no statistics) reads the period's range of the message_id index instead of every attempt.
    rows = (
        attempts.values("connector_name", "connector_id")
        .annotate(
            sent=Count("id", filter=Q(outcome=Outcome.ACCEPTED)),
            failed=Count("id", filter=Q(outcome=Outcome.FAILED)),
            skipped=Count("id", filter=Q(outcome=Outcome.SKIPPED)),
            failover=Count(
                "id", filter=Q(outcome=Outcome.ACCEPTED) & Q(Exists(earlier_miss_elsewhere))
            ),
        )
        .order_by()
    )
    for row in rows:
        entry = _stats_entry(stats, by_id, row.pop("connector_id"), row.pop("connector_name"))
        for key, value in row.items():
            setattr(entry, key, getattr(entry, key) + value)
    for share, field in ((50, "median_ms"), (95, "p95_ms")):
        for row in _latency_at_rank(attempts, share=share):
            entry = _stats_entry(stats, by_id, row["connector_id"], row["connector_name"])
            setattr(entry, field, row["duration_ms"])
    return list(stats.values())


def _stats_entry(stats: dict, by_id: dict, connector_id: int | None, name: str) -> ConnectorStats:
    # Attempts keep the name the connector had then; count them under its current name.
    return by_id.get(connector_id) or stats.setdefault(
        (None, name), ConnectorStats(name=name, connector=None)
    )


def _latency_at_rank(attempts: QuerySet[Attempt], *, share: int) -> QuerySet:
    """Per connector, the provider call duration at the `share` percentile (nearest rank), ranked
    by the database in one pass: skipped attempts made no call and are left out."""
    calls = attempts.filter(outcome__in=[Outcome.ACCEPTED, Outcome.FAILED]).annotate(
        # A deleted connector is told apart by the name its attempts kept.
        deleted_name=Case(When(connector__isnull=True, then=F("connector_name")), default=Value(""))
    )
    # The expression first, so no index on connector_id can serve the partitions: SQLite then
    # reads the period's message_id range instead of every attempt.
    per_connector = [F("deleted_name"), F("connector_id")]
    ranked = calls.annotate(
        rank=Window(RowNumber(), partition_by=per_connector, order_by=F("duration_ms").asc()),
        calls=Window(Count("id"), partition_by=per_connector),
    )
    # Nearest rank = ceil(share% of calls), in integer arithmetic.
    return ranked.filter(rank=(F("calls") * share + 99) / 100).values(
        "connector_id", "connector_name", "duration_ms"
    )


def dashboard_inbound_count(*, since: datetime) -> int:
    """SMS received since a moment (received_at is indexed)."""
    return InboundMessage.objects.filter(received_at__gte=since).count()
