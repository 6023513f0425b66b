"""Benchmark: the dashboard's reads on 1,000,000 messages vs. the same on 1,000.

Run: .venv/bin/python -m bench.dashboard [--messages 1000000]

Each scenario runs in its own process on a fresh temporary SQLite file (migrated, no ANALYZE):
  baseline: 1,000 messages, all in the last 7 days;
  history:  the same 1,000 recent messages after N - 1,000 older ones (8 to 365 days old): the
            dashboard must not get slower because the tables grew (target ratio close to 1);
  busy:     N messages spread over the last 30 days, so the 7-day window alone holds ~N/4: a
            very busy week, which must not be slower either now that the dashboard reads the
            hourly rollup (target ratio close to 1).
Messages have 1 to 3 attempts (failover), like the dispatcher writes them. After the fill the
hourly rollup is rebuilt (`rollup_stats --rebuild`, timed), then a minute of traffic (LIVE
messages) is rolled up by a regular run (timed: the schedule's cost each minute) and another
minute is written and left for the reads' live part, as on a running system. Each dashboard read
(the selectors the page calls) is timed as the median of 9 runs. The query plans of the busy
run are kept, to show each read walks an index range. Prints the ratios and writes
bench/results/dashboard.json.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.harness import PYTHON, ROOT, product_env, ratio, write_result

RECENT = 1_000
LIVE = 100  # messages per minute written after the rollup rebuild
CHUNK = 10_000
RUNS = 9


def _row_writer(model, **constant):
    """(INSERT statement, row function): the row function takes the varying columns as keyword
    arguments; every other column gets the value a new instance would save (so NOT NULL holds)."""
    from django.db import connection

    template = model(**constant)
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname == "id")]
    fields = [model._meta.pk, *fields]
    defaults = {
        f.attname: f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields
    }
    names = [f.attname for f in fields]
    by_name = {f.attname: f for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({placeholders})"

    def row(**varying) -> list:
        values = dict(defaults)
        for name, value in varying.items():
            values[name] = by_name[name].get_db_prep_save(value, connection)
        return [values[name] for name in names]

    return sql, row


def _fill(*, times: list, connectors: list, first_id: int = 1) -> None:
    """Messages at the given (ascending) times, with their attempts, written with executemany:
    the ORM's bulk_create spends ~0.5 ms per row building SQL, too slow for millions of rows."""
    from django.db import connection, transaction

    from messaging.models import Attempt, Message

    first, second, third = connectors
    message_sql, message_row = _row_writer(Message, to="+905321234567", text="Kampanya")
    attempt_sql, attempt_row = _row_writer(Attempt, connector_name="", provider="")
    chance = random.Random(7)
    for start in range(0, len(times), CHUNK):
        messages, attempts = [], []
        for message_id, created in enumerate(times[start : start + CHUNK], start=first_id + start):
            roll = chance.random()
            if roll < 0.85:
                status, path = "sent", [(first, "accepted")]
            elif roll < 0.95:
                status, path = "sent", [(first, "failed"), (second, "accepted")]
            elif roll < 0.97:
                status, path = "sent", [(first, "skipped"), (third, "accepted")]
            else:
                status, path = "failed", [(first, "failed"), (second, "failed"), (third, "failed")]
            messages.append(
                message_row(
                    id=message_id,
                    status=status,
                    connector_id=path[-1][0].pk if status == "sent" else None,
                    due_at=created,
                    created_at=created,
                    sent_at=created if status == "sent" else None,
                )
            )
            attempts.extend(
                attempt_row(
                    id=None,
                    message_id=message_id,
                    connector_id=connector.pk,
                    connector_name=connector.name,
                    provider=connector.provider,
                    outcome=outcome,
                    duration_ms=0 if outcome == "skipped" else chance.randint(80, 900),
                    started_at=created,
                )
                for connector, outcome in path
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(message_sql, messages)
            cursor.executemany(attempt_sql, attempts)


def _spread(count: int, *, newest, oldest) -> list:
    """`count` moments from `oldest` to `newest`, ascending."""
    if count <= 0:
        return []
    step = (newest - oldest) / count
    return [oldest + step * index for index in range(count)]


def _dashboard_reads() -> dict:
    from django.utils import timezone

    from dashboard import selectors

    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=6)
    return {
        "status_counts_today": lambda: selectors.dashboard_status_counts(since=today),
        "status_counts_7_days": lambda: selectors.dashboard_status_counts(since=week),
        "inbound_7_days": lambda: selectors.dashboard_inbound_count(since=week),
        "hourly_24_hours": selectors.dashboard_hourly_counts,
        "connector_stats_today": lambda: selectors.dashboard_connector_stats(since=today),
        "connector_stats_7_days": lambda: selectors.dashboard_connector_stats(since=week),
    }


def _query_plans(reads: dict) -> dict:
    """SQLite's plan of every query a read runs (SEARCH = an index range, SCAN = every row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plans = {}
    for name, read in reads.items():
        with CaptureQueriesContext(connection) as captured:
            read()
        plans[name] = []
        for query in captured.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plans[name].append([row[-1] for row in cursor.fetchall()])
    return plans


def child(*, history: int, busy: int) -> dict:
    """One scenario on a fresh database; timings (and plans) as a dict."""
    database = Path(tempfile.mkdtemp(prefix="bench-dashboard-")) / "db.sqlite3"
    os.environ.update(product_env(f"sqlite:///{database}"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "smsconsole.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from connectors.models import Connector
    from messaging.models import Message

    call_command("migrate", verbosity=0)
    connectors = [
        Connector.objects.create(name=name, provider=slug, priority=priority, password="x")
        for name, slug, priority in (
            ("İleti Merkezi", "iletimerkezi", 10),
            ("Jet SMS", "jetsms", 20),
            ("JoSMS", "josms", 30),
        )
    ]
    now = timezone.now()
    fill_started = time.perf_counter()
    if busy:
        times = _spread(busy, newest=now - timedelta(minutes=1), oldest=now - timedelta(days=30))
    else:
        times = _spread(history, newest=now - timedelta(days=8), oldest=now - timedelta(days=365))
        times += _spread(RECENT, newest=now - timedelta(minutes=1), oldest=now - timedelta(days=6))
    _fill(times=times, connectors=connectors)
    fill_seconds = time.perf_counter() - fill_started
    from dashboard.models import HourlyStat
    from dashboard.services import stats_rebuild, stats_rollup

    rebuild_started = time.perf_counter()
    stats_rebuild()
    rebuild_seconds = time.perf_counter() - rebuild_started
    # A minute of traffic, rolled up by a regular run (it takes what the previous run saw).
    _fill(
        times=_spread(LIVE, newest=now, oldest=now - timedelta(seconds=60)),
        connectors=connectors,
        first_id=len(times) + 1,
    )
    stats_rollup()  # sees the new minute
    run_started = time.perf_counter()
    rolled = stats_rollup()  # rolls it up
    run_seconds = time.perf_counter() - run_started
    assert rolled.message == len(times) + LIVE, "the regular run rolled up the minute"
    # And a minute the rollup has not read yet: the reads count it live.
    _fill(
        times=_spread(LIVE, newest=now + timedelta(seconds=30), oldest=now),
        connectors=connectors,
        first_id=len(times) + LIVE + 1,
    )
    reads = _dashboard_reads()
    timings = {}
    for name, read in reads.items():
        runs = []
        for _ in range(RUNS):
            started = time.perf_counter()
            read()
            runs.append(time.perf_counter() - started)
        timings[name] = statistics.median(runs)
    result = {
        "messages": Message.objects.count(),
        "fill_seconds": round(fill_seconds, 1),
        "rollup_rebuild_seconds": round(rebuild_seconds, 1),
        "rollup_run_ms": round(run_seconds * 1000, 2),
        "hourly_stat_rows": HourlyStat.objects.count(),
        "database_mb": round(database.stat().st_size / 2**20, 1),
        "reads_ms": {name: round(seconds * 1000, 2) for name, seconds in timings.items()},
        "dashboard_ms": round(sum(timings.values()) * 1000, 2),
    }
    if busy:
        result["query_plans"] = _query_plans(reads)
    database.unlink()
    return result


def run_child(**scenario: int) -> dict:
    arguments = [f"--{key}={value}" for key, value in scenario.items()]
    done = subprocess.run(
        [PYTHON, "-m", "bench.dashboard", "--child", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--history", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--busy", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(history=args.history, busy=args.busy)))
        return

    baseline = run_child(history=0, busy=0)
    print(f"baseline: {baseline['messages']:,} messages, reads {baseline['dashboard_ms']} ms")
    history = run_child(history=args.messages - RECENT, busy=0)
    print(
        f"history:  {history['messages']:,} messages (same last 7 days), "
        f"reads {history['dashboard_ms']} ms, filled in {history['fill_seconds']} s, "
        f"rollup rebuilt in {history['rollup_rebuild_seconds']} s"
    )
    busy = run_child(history=0, busy=args.messages)
    print(
        f"busy:     {busy['messages']:,} messages in 30 days, reads {busy['dashboard_ms']} ms, "
        f"filled in {busy['fill_seconds']} s, rollup rebuilt in {busy['rollup_rebuild_seconds']} s"
    )
    # A second baseline after the big runs: on a shared, loaded machine the faster of the two is
    # the fairer reference (it makes the ratios, if anything, too high).
    baseline_again = run_child(history=0, busy=0)
    reference = min(baseline["dashboard_ms"], baseline_again["dashboard_ms"])
    print(f"baseline again: reads {baseline_again['dashboard_ms']} ms")
    history_ratio = ratio(history["dashboard_ms"], reference)
    busy_ratio = ratio(busy["dashboard_ms"], reference)
    print(f"ratio history/baseline: {history_ratio}  (table size; close to 1 = index ranges only)")
    print(f"ratio busy/baseline:    {busy_ratio}  (traffic in the period; close to 1 = rollup)")
    print(
        "rollup run for a minute of traffic (the schedule's cost): "
        f"baseline {baseline['rollup_run_ms']} ms, history {history['rollup_run_ms']} ms, "
        f"busy {busy['rollup_run_ms']} ms"
    )
    print(f"  {'read':24} {'baseline':>12} {'history':>12} {'busy':>12} {'busy/base':>10}")
    for name in baseline["reads_ms"]:
        base = min(baseline["reads_ms"][name], baseline_again["reads_ms"][name])
        print(
            f"  {name:24} {base:>9} ms  {history['reads_ms'][name]:>9} ms"
            f"  {busy['reads_ms'][name]:>9} ms  {ratio(busy['reads_ms'][name], base):>10}"
        )
    write_result(
        "dashboard",
        {
            "benchmark": "dashboard reads (hourly rollup + live rows), 1,000 vs. 1,000,000 messages "
            "(SQLite file)",
            "baseline": baseline,
            "baseline_again": baseline_again,
            "history": history,
            "busy": busy,
            "ratio_history_to_baseline": history_ratio,
            "ratio_busy_to_baseline": busy_ratio,
        },
    )


if __name__ == "__main__":
    sys.exit(main())
