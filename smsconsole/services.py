"""State changes of the console itself: API keys, and the dashboard's hourly rollup (its design
is in smsconsole/stats.py)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inbox.models import InboundMessage
from messaging.models import Attempt, Message
from smsconsole.audit import audit_record
from smsconsole.models import ApiKey, HourlyStat, StatsWatermark
from smsconsole.stats import (
    STATUSES,
    AttemptCounts,
    attempt_counts_by_hour,
    histogram_from_json,
    histogram_to_json,
    inbound_counts_by_hour,
    message_counts_by_hour,
)

KEY_PREFIX = "smsc_"


def hash_api_key(key: str) -> str:
    """SHA-256 of a key: keys are 256-bit random, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    key: str


@transaction.atomic
def api_key_create(*, name: str, created_by=None) -> IssuedApiKey:
    """Create an API key; the plaintext key is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValueError("Give the API key a name, e.g. the integration that will use it.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name[:100],
        prefix=key[: len(KEY_PREFIX) + 6],
        key_hash=hash_api_key(key),
        created_by=created_by,
    )
    audit_record(action="create", target=api_key, changes={"name": [None, api_key.name]})
    return IssuedApiKey(api_key=api_key, key=key)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key: requests with it are refused from now on."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        changes = {"revoked_at": [None, api_key.revoked_at]}
        audit_record(action="revoke", target=api_key, changes=changes)
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use, at most once a minute per key so the API path stays write-light."""
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)


# -- Dashboard rollup -----------------------------------------------------------------------------

# Ids of each table one run (or one step of a rebuild) reads at most: on a big database that was
# never rolled up, the runs catch up in steps of a few seconds each.
ROLLUP_BATCH = 50_000


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
    seen = _newest_ids()
    with transaction.atomic():
        mark = StatsWatermark.objects.select_for_update().get(pk=1)
        if _rolled(mark) != rolled:
            return _rolled(mark)  # another run (or a rebuild) got here first
        _add_attempts(attempts)
        _add_inbound(inbound)
        _set_message_counts(messages)
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
        histogram = histogram_from_json(row.latency_histogram)
        histogram.update(counts.histogram)
        row.latency_histogram = histogram_to_json(histogram)
        rows.append(row)
    _save(rows, ["sent", "failed", "skipped", "failover", "latency_histogram"])


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
