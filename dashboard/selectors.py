"""Reads of the dashboard: the hourly rollup plus a live count of what it has not read yet."""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from connectors.models import Connector
from connectors.selectors import connector_list
from dashboard.models import HourlyStat, StatsWatermark
from dashboard.stats import (
    RECEIPT_LATENCY_BOUNDS,
    STATUSES,
    AttemptCounts,
    ReceiptCounts,
    attempt_counts_by_hour,
    histogram_from_json,
    latency_percentile,
    message_counts_by_hour,
    receipt_counts_by_hour,
)
from inbox.models import InboundMessage
from messaging.models import Attempt, Message, MessageStatus

T = TypeVar("T")


# -- Dashboard ------------------------------------------------------------------------------------
# Every number is the hourly rollup's rows plus a live count of the rows it has not read yet
# (ids above its watermark: a couple of minutes of rows). How the rollup stays right, and the
# latency histogram's error bound, are explained in dashboard/stats.py.


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
    spend: Decimal = Decimal(0)
    median_ms: int | None = None
    p95_ms: int | None = None
    delivered: int = 0
    undelivered: int = 0  # also expired or rejected
    receipt_median_ms: int | None = None  # sending to the final receipt
    receipt_p95_ms: int | None = None

    @property
    def delivery_rate(self) -> float | None:
        """Delivered out of the messages with a final receipt, in percent; None with none."""
        final = self.delivered + self.undelivered
        return 100 * self.delivered / final if final else None


@dataclass(frozen=True)
class HourCounts:
    """Messages created in one hour, by status."""

    start: datetime  # local time
    sent: int = 0
    failed: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.pending


def _watermark() -> tuple[int, int, int]:
    """Ids up to which messages, attempts and inbound SMS are in the rollup."""
    return (
        StatsWatermark.objects.filter(pk=1)
        .values_list("message_id", "attempt_id", "inbound_id")
        .first()
    ) or (0, 0, 0)


def _with_watermark(read: Callable[[int, int, int], T]) -> T:
    """Run a read of rollup rows plus live rows with no rollup run committing in between (which
    would count the rows it moved twice, or not at all): if the watermark moved, read again."""
    mark = _watermark()
    for _ in range(3):
        result = read(*mark)
        if (now := _watermark()) == mark:
            break
        mark = now
    return result


def _first_whole_hour(since: datetime) -> datetime:
    """The first UTC hour starting at or after a moment: the rollup covers whole hours only."""
    start = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return start if start == since else start + timedelta(hours=1)


def _message_rows(first_hour: datetime) -> QuerySet[HourlyStat]:
    return HourlyStat.objects.filter(hour__gte=first_hour, connector_name="")


def _status_totals(messages: QuerySet[Message]) -> dict[str, int]:
    return messages.aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in STATUSES}
    )


def dashboard_status_counts(*, since: datetime) -> StatusCounts:
    """Messages created since a moment, by status."""
    first_hour = _first_whole_hour(since)

    def read(message_id: int, attempt_id: int, inbound_id: int) -> Counter:
        totals = Counter()
        rolled = _message_rows(first_hour).aggregate(**{s: Sum(s) for s in STATUSES})
        totals.update({status: count for status, count in rolled.items() if count})
        live = Message.objects.filter(id__gt=message_id, created_at__gte=first_hour)
        totals.update(_status_totals(live))
        if since < first_hour:
            totals.update(
                _status_totals(
                    Message.objects.filter(created_at__gte=since, created_at__lt=first_hour)
                )
            )
        return totals

    totals = _with_watermark(read)
    return StatusCounts(**{status: totals[status] for status in STATUSES})


def dashboard_hourly_counts(*, hours: int = 24) -> list[HourCounts]:
    """Messages per hour for the last `hours` hours, the current one included."""
    now = timezone.now().astimezone(UTC)
    first_hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)

    def read(message_id: int, attempt_id: int, inbound_id: int) -> dict[datetime, Counter]:
        counted: dict[datetime, Counter] = defaultdict(Counter)
        for row in _message_rows(first_hour).values("hour", *STATUSES):
            counted[row.pop("hour")].update(row)
        live = Message.objects.filter(id__gt=message_id, created_at__gte=first_hour)
        for hour, row in message_counts_by_hour(live).items():
            counted[hour].update(row)
        return counted

    counted = _with_watermark(read)
    bars = []
    for index in range(hours):
        start = first_hour + timedelta(hours=index)
        row = counted.get(start, Counter())
        bars.append(
            HourCounts(
                start=timezone.localtime(start),
                sent=row[MessageStatus.SENT],
                failed=row[MessageStatus.FAILED],
                pending=row[MessageStatus.QUEUED] + row[MessageStatus.SENDING],
            )
        )
    return bars


def dashboard_connector_stats(*, since: datetime) -> list[ConnectorStats]:
    """Per connector, for messages created since a moment: what it sent, failed, skipped and took
    over from another connector, and the median and 95th percentile of its provider latency
    (from a histogram: within LATENCY_ERROR of the exact value).

    Every connector is listed in dispatch order (idle ones with zeros), then deleted ones that
    still have attempts in the period.
    """
    first_hour = _first_whole_hour(since)

    def read(message_id: int, attempt_id: int, inbound_id: int) -> list[AttemptCounts]:
        counted = _rolled_attempt_counts(first_hour)
        live = Attempt.objects.filter(id__gt=attempt_id, message__created_at__gte=first_hour)
        counted += attempt_counts_by_hour(live)
        if since < first_hour:
            counted += attempt_counts_by_hour(
                Attempt.objects.filter(
                    message__created_at__gte=since, message__created_at__lt=first_hour
                )
            )
        return counted

    stats = {(c.pk, c.name): ConnectorStats(name=c.name, connector=c) for c in connector_list()}
    by_id = {key[0]: value for key, value in stats.items()}
    totals: dict[int, AttemptCounts] = {}  # by id() of the ConnectorStats entry
    for counts in _with_watermark(read):
        entry = _stats_entry(stats, by_id, counts.connector_id, counts.connector_name)
        totals.setdefault(id(entry), AttemptCounts(None, None, entry.name)).add(counts)
    for entry in stats.values():
        if total := totals.get(id(entry)):
            entry.sent, entry.failed = total.sent, total.failed
            entry.skipped, entry.failover = total.skipped, total.failover
            entry.spend = total.spend
            entry.median_ms = latency_percentile(total.histogram, 50)
            entry.p95_ms = latency_percentile(total.histogram, 95)
    receipts: dict[int, ReceiptCounts] = {}
    for counts in _receipt_counts(since, first_hour):
        entry = _stats_entry(stats, by_id, counts.connector_id, counts.connector_name)
        receipts.setdefault(id(entry), ReceiptCounts(None, None, entry.name)).add(counts)
    for entry in stats.values():
        if total := receipts.get(id(entry)):
            entry.delivered, entry.undelivered = total.delivered, total.undelivered
            entry.receipt_median_ms = latency_percentile(
                total.histogram, 50, RECEIPT_LATENCY_BOUNDS
            )
            entry.receipt_p95_ms = latency_percentile(total.histogram, 95, RECEIPT_LATENCY_BOUNDS)
    return list(stats.values())


def _receipts_through() -> datetime | None:
    return StatsWatermark.objects.filter(pk=1).values_list("receipts_through", flat=True).first()


def _receipt_counts(since: datetime, first_hour: datetime) -> list[ReceiptCounts]:
    """Final receipts of the messages created since a moment: the rollup's rows, those it has
    not read yet, and the partial first hour; read again if a rollup run moved on meanwhile."""
    for _ in range(3):
        through = _receipts_through()
        rows = (
            HourlyStat.objects.filter(hour__gte=first_hour)
            .exclude(connector_name="")
            .filter(Q(delivered__gt=0) | Q(undelivered__gt=0))
            .values_list(
                "connector_id", "connector_name", "delivered", "undelivered", "receipt_histogram"
            )
        )
        counted = [
            ReceiptCounts(None, connector_id, name, delivered, undelivered, histogram_from_json(h))
            for connector_id, name, delivered, undelivered, h in rows
        ]
        live = Message.objects.filter(created_at__gte=first_hour)
        if through is not None:
            live = live.filter(delivery_updated_at__gt=through)
        counted += receipt_counts_by_hour(live)
        if since < first_hour:
            counted += receipt_counts_by_hour(
                Message.objects.filter(created_at__gte=since, created_at__lt=first_hour)
            )
        if _receipts_through() == through:
            break
    return counted


def _rolled_attempt_counts(first_hour: datetime) -> list[AttemptCounts]:
    """The rollup's attempt counts and latency histograms from an hour on, per connector."""
    rows = (
        HourlyStat.objects.filter(hour__gte=first_hour)
        .exclude(connector_name="")
        .values_list(
            "connector_id",
            "connector_name",
            "sent",
            "failed",
            "skipped",
            "failover",
            "spend",
            "latency_histogram",
        )
    )
    totals: dict[tuple, AttemptCounts] = {}
    histograms: dict[tuple, dict[str, int]] = defaultdict(dict)
    # Plain dict sums over the stored (string) keys: this loop is most of the read's time.
    for connector_id, name, sent, failed, skipped, failover, spend, histogram in rows:
        counts = totals.setdefault((connector_id, name), AttemptCounts(None, connector_id, name))
        counts.sent += sent
        counts.failed += failed
        counts.skipped += skipped
        counts.failover += failover
        counts.spend += spend
        summed = histograms[connector_id, name]
        for index, calls in histogram.items():
            summed[index] = summed.get(index, 0) + calls
    for key, counts in totals.items():
        counts.histogram = histogram_from_json(histograms[key])
    return list(totals.values())


def _stats_entry(stats: dict, by_id: dict, connector_id: int | None, name: str) -> ConnectorStats:
    # Attempts keep the name the connector had then; count them under its current name.
    return by_id.get(connector_id) or stats.setdefault(
        (None, name), ConnectorStats(name=name, connector=None)
    )


def dashboard_inbound_count(*, since: datetime) -> int:
    """SMS received since a moment."""
    first_hour = _first_whole_hour(since)

    def read(message_id: int, attempt_id: int, inbound_id: int) -> int:
        rolled = _message_rows(first_hour).aggregate(inbound=Sum("inbound"))["inbound"] or 0
        live = InboundMessage.objects.filter(id__gt=inbound_id, received_at__gte=first_hour)
        edge = InboundMessage.objects.filter(received_at__gte=since, received_at__lt=first_hour)
        return rolled + live.count() + (edge.count() if since < first_hour else 0)

    return _with_watermark(read)
