"""The dashboard's hourly rollup (its design is in dashboard/stats.py)."""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dashboard.models import HourlyStat, StatsWatermark
from dashboard.stats import (
    STATUSES,
    AttemptCounts,
    ReceiptCounts,
    attempt_counts_by_hour,
    histogram_from_json,
    histogram_to_json,
    inbound_counts_by_hour,
    message_counts_by_hour,
    receipt_counts_by_hour,
)
from inbox.models import InboundMessage
from messaging.models import Attempt, Message

# -- Dashboard rollup -----------------------------------------------------------------------------

# Ids of each table one run (or one step of a rebuild) reads at most: on a big database that was
# never rolled up, the runs catch up in steps of a few seconds each.
ROLLUP_BATCH = 50_000
# Final receipts are rolled up to this long ago; a receipt's transaction commits well within it.
RECEIPT_SETTLE = timedelta(minutes=1)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RollupIds(NamedTuple):
    """Ids up to which each table is (or is to be) rolled up."""

    message: int
    attempt: int
    inbound: int


ROLLED_TABLES = (Message, Attempt, InboundMessage)  # in RollupIds order


def _newest_ids() -> RollupIds:
    def newest(model) -> int:
        return model.objects.order_by("-id").values_list("id", flat=True).first() or 0

    return RollupIds(*map(newest, ROLLED_TABLES))


def _rolled(mark: StatsWatermark) -> RollupIds:
    return RollupIds(mark.message_id, mark.attempt_id, mark.inbound_id)


def _next_step(done: RollupIds, limit: RollupIds) -> RollupIds:
    """Where the next step of at most ROLLUP_BATCH ids ends, per table, without passing `limit`.

    A step is counted from the next id that exists: ids need not start near 0 (a PostgreSQL
    sequence never goes back), and empty ranges must not cost a run each.
    """

    def end(model, rolled: int, most: int) -> int:
        first = model.objects.filter(id__gt=rolled).order_by("id").values_list("id", flat=True)
        start = (first.first() or rolled + 1) - 1
        return max(rolled, min(most, start + ROLLUP_BATCH))

    return RollupIds(*map(end, ROLLED_TABLES, done, limit))


def stats_rollup(*, through: RollupIds | None = None) -> RollupIds:
    """Add the rows written since the last run to the hourly counters; returns the ids reached.

    By default a run reaches the ids the previous run saw (rows newer than that may still be
    uncommitted on PostgreSQL), at most ROLLUP_BATCH further per table. Everything is counted
    before the write transaction (on SQLite it would hold back the send path's writes); if
    another run moved the watermark meanwhile, this one writes nothing.
    """
    mark, _ = StatsWatermark.objects.get_or_create(pk=1)
    rolled = _rolled(mark)
    if through is None:
        seen = RollupIds(mark.message_seen, mark.attempt_seen, mark.inbound_seen)
        through = _next_step(rolled, seen)
    through = RollupIds(*(max(pair) for pair in zip(rolled, through, strict=True)))
    attempts = attempt_counts_by_hour(
        Attempt.objects.filter(id__gt=rolled.attempt, id__lte=through.attempt)
    )
    inbound = inbound_counts_by_hour(
        InboundMessage.objects.filter(id__gt=rolled.inbound, id__lte=through.inbound)
    )
    messages = _recount_messages(after=rolled.message, through=through.message)
    receipts_from = mark.receipts_through
    receipts_through = max(timezone.now() - RECEIPT_SETTLE, receipts_from or EPOCH)
    receipts = receipt_counts_by_hour(
        Message.objects.filter(
            delivery_updated_at__gt=receipts_from or EPOCH,
            delivery_updated_at__lte=receipts_through,
        )
    )
    seen = _newest_ids()
    with transaction.atomic():
        mark = StatsWatermark.objects.select_for_update().get(pk=1)
        if _rolled(mark) != rolled or mark.receipts_through != receipts_from:
            return _rolled(mark)  # another run (or a rebuild) got here first
        _add_attempts(attempts)
        _add_inbound(inbound)
        _set_message_counts(messages)
        _add_receipts(receipts)
        mark.receipts_through = receipts_through
        mark.message_id, mark.attempt_id, mark.inbound_id = through
        mark.message_seen, mark.attempt_seen, mark.inbound_seen = seen
        mark.rolled_at = timezone.now()
        mark.save()
    return through


def stats_rebuild() -> RollupIds:
    """Count everything again from the tables (after a migration, or to check): idempotent.

    Works in steps of ROLLUP_BATCH ids, each its own transaction; the dashboard stays exact
    meanwhile (what is not rolled up yet is read live, only slower).
    """
    StatsWatermark.objects.get_or_create(pk=1)
    with transaction.atomic():
        StatsWatermark.objects.select_for_update().get(pk=1)
        HourlyStat.objects.all().delete()
        StatsWatermark.objects.filter(pk=1).update(
            message_id=0,
            attempt_id=0,
            inbound_id=0,
            message_seen=0,
            attempt_seen=0,
            inbound_seen=0,
            rolled_at=None,
            receipts_through=None,
        )
    target = _newest_ids()
    reached = RollupIds(0, 0, 0)
    while reached != target:
        reached = stats_rollup(through=_next_step(reached, target))
        # A scheduled run in between may have gone further than the ids taken at the start.
        target = RollupIds(*(max(pair) for pair in zip(reached, target, strict=True)))
    return reached


def _message_rows(hours: set[datetime]) -> dict[datetime, HourlyStat]:
    """The message rows (connector_name "") of these hours, new unsaved ones where missing."""
    rows = {row.hour: row for row in HourlyStat.objects.filter(hour__in=hours, connector_name="")}
    return {hour: rows.get(hour) or HourlyStat(hour=hour) for hour in hours}


def _save(rows: list[HourlyStat], fields: list[str]) -> None:
    HourlyStat.objects.bulk_update([row for row in rows if row.pk], fields, batch_size=500)
    HourlyStat.objects.bulk_create([row for row in rows if not row.pk], batch_size=500)


def _add_attempts(counted: list[AttemptCounts]) -> None:
    """Attempts never change: add each once to its hour and connector's row."""
    if not counted:
        return
    existing = {
        (row.hour, row.connector_id, row.connector_name): row
        for row in HourlyStat.objects.filter(hour__in={c.hour for c in counted}).exclude(
            connector_name=""
        )
    }
    rows = []
    for counts in counted:
        key = (counts.hour, counts.connector_id, counts.connector_name)
        row = existing.get(key) or HourlyStat(
            hour=counts.hour, connector_id=counts.connector_id, connector_name=counts.connector_name
        )
        row.sent += counts.sent
        row.failed += counts.failed
        row.skipped += counts.skipped
        row.failover += counts.failover
        row.spend += counts.spend
        histogram = histogram_from_json(row.latency_histogram)
        histogram.update(counts.histogram)
        row.latency_histogram = histogram_to_json(histogram)
        rows.append(row)
    _save(rows, ["sent", "failed", "skipped", "failover", "spend", "latency_histogram"])


def _connector_rows(keys: set[tuple]) -> dict[tuple, HourlyStat]:
    """The connector rows of these (hour, connector id, name) keys, new unsaved ones if missing."""
    existing = {
        (row.hour, row.connector_id, row.connector_name): row
        for row in HourlyStat.objects.filter(hour__in={key[0] for key in keys}).exclude(
            connector_name=""
        )
    }
    return {
        key: existing.get(key)
        or HourlyStat(hour=key[0], connector_id=key[1], connector_name=key[2])
        for key in keys
    }


def _add_receipts(counted: list[ReceiptCounts]) -> None:
    """A final delivery state never changes: add each message once to its connector's row."""
    if not counted:
        return
    rows = _connector_rows({(c.hour, c.connector_id, c.connector_name) for c in counted})
    for counts in counted:
        row = rows[counts.hour, counts.connector_id, counts.connector_name]
        row.delivered += counts.delivered
        row.undelivered += counts.undelivered
        histogram = histogram_from_json(row.receipt_histogram)
        histogram.update(counts.histogram)
        row.receipt_histogram = histogram_to_json(histogram)
    _save(list(rows.values()), ["delivered", "undelivered", "receipt_histogram"])


def _add_inbound(counted: dict[datetime, int]) -> None:
    """Inbound SMS never change: add each once to its hour's message row."""
    if not counted:
        return
    rows = _message_rows(set(counted))
    for hour, count in counted.items():
        rows[hour].inbound += count
    _save(list(rows.values()), ["inbound"])


def _recount_messages(*, after: int, through: int) -> dict[datetime, dict[str, int]]:
    """Messages by status in the hours that got new messages and in those with messages still
    moving (queued or sending), counting only ids up to `through` (newer ones are read live)."""
    new_hours = set(
        Message.objects.filter(id__gt=after, id__lte=through).datetimes(
            "created_at", "hour", tzinfo=UTC
        )
    )
    moving_hours = set(
        HourlyStat.objects.filter(connector_name="")
        .filter(Q(queued__gt=0) | Q(sending__gt=0))
        .values_list("hour", flat=True)
    )
    counted: dict[datetime, dict[str, int]] = {}
    for start, end in _hour_runs(sorted(new_hours | moving_hours)):
        counted |= message_counts_by_hour(
            Message.objects.filter(created_at__gte=start, created_at__lt=end, id__lte=through)
        )
    empty = dict.fromkeys(STATUSES, 0)
    return {hour: counted.get(hour, empty) for hour in new_hours | moving_hours}


def _set_message_counts(counted: dict[datetime, dict[str, int]]) -> None:
    """Replace the status counts of these hours' message rows."""
    if not counted:
        return
    rows = _message_rows(set(counted))
    for hour, row in rows.items():
        for status in STATUSES:
            setattr(row, status, counted[hour][status])
    _save(list(rows.values()), list(STATUSES))


def _hour_runs(hours: list[datetime]) -> list[tuple[datetime, datetime]]:
    """Consecutive hours joined into [start, end) ranges: one query per range."""
    runs: list[tuple[datetime, datetime]] = []
    for hour in hours:
        if runs and runs[-1][1] == hour:
            runs[-1] = (runs[-1][0], hour + timedelta(hours=1))
        else:
            runs.append((hour, hour + timedelta(hours=1)))
    return runs
