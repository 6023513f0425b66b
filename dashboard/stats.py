"""The dashboard's hourly counters: what is counted per hour, and how the counts stay right.

The dashboard reads HourlyStat rows (one per UTC hour for messages and inbound SMS, one per hour
and connector for attempts) plus a live count of the rows the rollup has not read yet. A
django-q2 schedule runs dashboard.services.stats_rollup every minute; it reads each table by id
(ids grow with time) from the ids stored in StatsWatermark:

- Attempts and inbound SMS never change once written, so each is added once to its hour's row.
  An attempt goes to the hour its *message* was created in: the dashboard counts "the attempts
  for the messages of the period", as it did before the rollup. Whether an accepted attempt was
  a failover is decided from its message's earlier attempts (lower ids, committed before it, as
  one dispatch writes a message's attempts one connector after the other).
- A message's status changes after it is written (queued → sending → sent or failed; sent and
  failed are final, a retry goes back to queued). So the message row of an hour is recounted,
  never incremented: a run recounts the hours of the messages new since the watermark and every
  hour whose row still counts queued or sending messages. An hour with none left is settled and
  not read again. A run costs about the traffic of the hours still moving, not of the period.
- Reads add the rollup rows and a live count of the rows with ids above the watermark (at most
  a couple of minutes of rows). Counts are exact; a status counted in the rollup is at most one
  run (a minute) old. A period starting off a whole UTC hour (a time zone with a half-hour
  offset) reads its first partial hour live too.
- On PostgreSQL an id is handed out before its transaction commits, so a higher id can become
  visible before a lower one. A run therefore rolls up only to the highest ids the previous run
  saw (a minute earlier); newer rows are still read live. To be missed, a transaction would have
  to commit more than a minute after it wrote; dispatch and intake transactions take
  milliseconds to seconds.
- Provider latency is kept as a histogram per hour and connector: one bucket per millisecond
  below 20 ms, then buckets 8% wide (log scale) up to 120 s, and one bucket above. Histograms
  add up across hours; the median and 95th percentile are found in the bucket holding the exact
  rank and reported as the geometric middle of its range, so they are within LATENCY_ERROR of
  the exact value (calls over 120 s are shown as 120 s).
- The send path writes nothing for the dashboard; the rollup reads what it writes anyway.
- Delivery receipts: a message reaches a final delivery state (delivered, undelivered, expired,
  rejected) once and never leaves it, so each final message is added once to its creation hour's
  connector row, read by when its state changed (delivery_updated_at) up to a minute ago (the
  watermark's receipts_through; later ones are read live). Receipt latency (sent to the final
  receipt) has its own histogram: the same 8% buckets, up to 72 hours.
"""

import bisect
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncHour

from connectors.providers.types import FINAL_DELIVERY_STATES, DeliveryState, Outcome
from inbox.models import InboundMessage
from messaging.models import Attempt, Message, MessageStatus

# Message statuses, named like the StatusCounts and HourlyStat fields.
STATUSES = (
    MessageStatus.QUEUED,
    MessageStatus.SENDING,
    MessageStatus.SENT,
    MessageStatus.FAILED,
)

LATENCY_EXACT_BELOW_MS = 20
LATENCY_RATIO = 1.08
LATENCY_TOP_MS = 120_000
RECEIPT_LATENCY_TOP_MS = 72 * 3600 * 1000


def _latency_bounds(top_ms: int = LATENCY_TOP_MS) -> tuple[int, ...]:
    """Exclusive upper bounds of the latency buckets in whole milliseconds, ascending."""
    # One bucket per millisecond below 20 ms (durations are whole milliseconds), then 8% wide.
    bounds = list(range(1, LATENCY_EXACT_BELOW_MS + 1))
    edge = float(LATENCY_EXACT_BELOW_MS)
    while bounds[-1] < top_ms:
        edge *= LATENCY_RATIO
        if round(edge) > bounds[-1]:
            bounds.append(round(edge))
    return tuple(bounds)


LATENCY_BOUNDS = _latency_bounds()
RECEIPT_LATENCY_BOUNDS = _latency_bounds(RECEIPT_LATENCY_TOP_MS)


def latency_bucket_value(index: int, bounds: tuple[int, ...] = LATENCY_BOUNDS) -> int:
    """The duration a bucket reports: the geometric middle of the whole milliseconds it holds."""
    if index >= len(bounds):
        return bounds[-1]
    low = bounds[index - 1] if index else 0
    high = bounds[index] - 1
    return round(math.sqrt(low * high))


def _largest_relative_error() -> float:
    errors = []
    for index in range(1, len(LATENCY_BOUNDS)):
        low, high = LATENCY_BOUNDS[index - 1], LATENCY_BOUNDS[index] - 1
        value = latency_bucket_value(index)
        errors += [abs(value - low) / low, abs(high - value) / high]
    return max(errors)


# The largest relative difference between a reported percentile and the exact one (< 5%).
LATENCY_ERROR = _largest_relative_error()


def latency_percentile(
    histogram: Counter, share: int, bounds: tuple[int, ...] = LATENCY_BOUNDS
) -> int | None:
    """The duration at the `share` percentile (nearest rank) of the calls in a histogram."""
    calls = sum(histogram.values())
    if not calls:
        return None
    rank = (calls * share + 99) // 100  # ceil(share% of calls), in integer arithmetic
    seen = 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen >= rank:
            return latency_bucket_value(index, bounds)
    raise AssertionError("the rank lies within the calls counted")


def _bucket_sql(column: str, first: int, last: int) -> str:
    """SQL giving the bucket index (first … last) of a duration: a binary search in nested CASEs,
    a few comparisons per row (the bounds are constants, no parameters)."""
    if first == last:
        return str(first)
    middle = (first + last) // 2  # buckets up to `middle` lie below LATENCY_BOUNDS[middle]
    below, above = _bucket_sql(column, first, middle), _bucket_sql(column, middle + 1, last)
    return f"CASE WHEN {column} < {LATENCY_BOUNDS[middle]} THEN {below} ELSE {above} END"


# Built once: composing the same expression from Django's Case/When took ~60 ms per query.
_ATTEMPT_BUCKET = RawSQL(  # noqa: S611 (constant SQL: integer bounds, no input)
    _bucket_sql('"messaging_attempt"."duration_ms"', 0, len(LATENCY_BOUNDS)), (), IntegerField()
)


def message_counts_by_hour(messages: QuerySet[Message]) -> dict[datetime, dict[str, int]]:
    """Messages by the UTC hour they were created in, and by status."""
    rows = (
        messages.annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .values("hour")
        .annotate(**{status: Count("id", filter=Q(status=status)) for status in STATUSES})
        .order_by()
    )
    return {row.pop("hour"): row for row in rows}


def inbound_counts_by_hour(inbound: QuerySet[InboundMessage]) -> dict[datetime, int]:
    """SMS received, by the UTC hour they were received in."""
    rows = (
        inbound.annotate(hour=TruncHour("received_at", tzinfo=UTC))
        .values("hour")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["hour"]: row["count"] for row in rows}


@dataclass
class AttemptCounts:
    """What one connector did in one hour (of message creation): counts and a latency histogram."""

    hour: datetime | None
    connector_id: int | None
    connector_name: str
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    failover: int = 0
    histogram: Counter = field(default_factory=Counter)  # {bucket index: provider calls}
    spend: Decimal = Decimal(0)  # cost of the accepted attempts

    def add(self, other: "AttemptCounts") -> None:
        self.spend += other.spend
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped
        self.failover += other.failover
        self.histogram.update(other.histogram)


def attempt_counts_by_hour(attempts: QuerySet[Attempt]) -> list[AttemptCounts]:
    """Attempts by the UTC hour their message was created in, connector and connector name.

    A failover is an accepted attempt after the same message failed or was skipped on another
    connector (a retry on the same connector is not one). Skipped attempts made no provider
    call, so only accepted and failed ones enter the latency histogram.
    """
    earlier_miss_elsewhere = Attempt.objects.filter(
        message_id=OuterRef("message_id"),
        id__lt=OuterRef("id"),
        outcome__in=[Outcome.FAILED, Outcome.SKIPPED],
    ).exclude(connector_id=OuterRef("connector_id"))
    accepted = Q(outcome=Outcome.ACCEPTED)
    rows = (
        attempts.annotate(hour=TruncHour("message__created_at", tzinfo=UTC), bucket=_ATTEMPT_BUCKET)
        .values("hour", "connector_id", "connector_name", "bucket")
        .annotate(
            sent=Count("id", filter=accepted),
            failed=Count("id", filter=Q(outcome=Outcome.FAILED)),
            skipped=Count("id", filter=Q(outcome=Outcome.SKIPPED)),
            failover=Count("id", filter=accepted & Q(Exists(earlier_miss_elsewhere))),
            calls=Count("id", filter=Q(outcome__in=[Outcome.ACCEPTED, Outcome.FAILED])),
            spend=Sum("cost", filter=accepted),
        )
        .order_by()
    )
    counted: dict[tuple, AttemptCounts] = {}
    for row in rows:
        key = (row["hour"], row["connector_id"], row["connector_name"])
        counts = counted.setdefault(key, AttemptCounts(*key))
        counts.add(
            AttemptCounts(
                *key,
                sent=row["sent"],
                failed=row["failed"],
                skipped=row["skipped"],
                failover=row["failover"],
                spend=row["spend"] or Decimal(0),
                histogram=Counter({row["bucket"]: row["calls"]} if row["calls"] else {}),
            )
        )
    return list(counted.values())


def histogram_from_json(stored: dict) -> Counter:
    """A stored histogram (JSON object keys are strings) as {bucket index: calls}."""
    return Counter({int(index): calls for index, calls in stored.items()})


def histogram_to_json(histogram: Counter) -> dict:
    return {str(index): calls for index, calls in sorted(histogram.items()) if calls}


@dataclass
class ReceiptCounts:
    """Final receipts of one connector's messages created in one hour, and how long they took."""

    hour: datetime | None
    connector_id: int | None
    connector_name: str
    delivered: int = 0
    undelivered: int = 0  # also expired or rejected
    histogram: Counter = field(default_factory=Counter)  # {bucket index: receipts}

    def add(self, other: "ReceiptCounts") -> None:
        self.delivered += other.delivered
        self.undelivered += other.undelivered
        self.histogram.update(other.histogram)


def receipt_counts_by_hour(messages: QuerySet[Message]) -> list[ReceiptCounts]:
    """Messages in a final delivery state by the UTC hour they were created in and connector,
    with a histogram of the time from sending to the final receipt."""
    rows = (
        messages.filter(
            delivery_state__in=FINAL_DELIVERY_STATES,
            connector__isnull=False,
            sent_at__isnull=False,
            delivery_updated_at__isnull=False,
        )
        .values_list(
            "created_at", "connector_id", "connector__name", "delivery_state", "sent_at",
            "delivery_updated_at",
        )
        .order_by()
    )  # fmt: skip
    counted: dict[tuple, ReceiptCounts] = {}
    for created_at, connector_id, name, state, sent_at, final_at in rows.iterator(chunk_size=5000):
        hour = created_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        counts = counted.setdefault(
            (hour, connector_id, name), ReceiptCounts(hour, connector_id, name)
        )
        if state == DeliveryState.DELIVERED:
            counts.delivered += 1
        else:
            counts.undelivered += 1
        waited_ms = max(0, round((final_at - sent_at).total_seconds() * 1000))
        counts.histogram[bisect.bisect_right(RECEIPT_LATENCY_BOUNDS, waited_ms)] += 1
    return list(counted.values())
