"""Benchmark: the message log with 1,000,000 messages vs. the same pages with 1,000.

Run: .venv/bin/python -m bench.message_log [--messages 1000000]

Two temporary SQLite files (WAL, the product's settings): one with 1,000 messages, a copy of it
with the rest bulk-inserted. Pages are rendered in-process through the Django test client by a
signed-in user, exactly as the console serves them (templates, filters, keyset pages), DEBUG off
so queries are not recorded, alternating between the two files so both see the same machine load:
  first page     /messages/
  number filter  /messages/?number=<a number with many messages>
  page 500       /messages/?before=<id> (keyset); with 1,000 messages there are only 20 pages,
                 so the deep page there is the last one.
Each figure is the median of 7 renders after one warm-up render.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

SMALL = 1_000
PAGE = 50
DEEP_PAGE = 500
REPEATS = 7
NUMBERS = 997  # distinct recipients: a number filter matches ~1 in 1,000 rows
BATCH = 50_000


def _setup_django(database: Path) -> None:
    os.environ.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="smsconsole.settings",
        SMSCONSOLE_LOG_LEVEL="WARNING",
    )
    for name in ("REDIS_URL", "DJANGO_DEBUG"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query recording; static files stay served from the finders
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _number(index: int) -> str:
    return f"+90532{index % NUMBERS:07d}"


def _insert(start: int, stop: int, connector_id: int) -> None:
    """Rows start..stop-1 with raw executemany (what bulk_create does, minus the objects)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from messaging.models import Message

    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join("%s" for _ in fields)
    sql = f"INSERT INTO {Message._meta.db_table} ({columns}) VALUES ({placeholders})"
    epoch = timezone.now() - timedelta(days=90)
    statuses = ["sent"] * 45 + ["failed"] * 4 + ["queued"]
    defaults = {f.name: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    for first in range(start, stop, BATCH):
        rows = []
        for index in range(first, min(first + BATCH, stop)):
            status = statuses[index % len(statuses)]
            at = epoch + timedelta(seconds=index * 7)
            values = {
                "to": _number(index),
                "text": f"Siparişiniz {index} yola çıktı. Takip: https://kargo.example/t/{index}",
                "status": status,
                "encoding": "GSM-7 Turkish",
                "segments": 1,
                "connector": connector_id if status != "queued" else None,
                "provider_message_id": str(100_000 + index) if status == "sent" else "",
                "error_category": "balance" if status == "failed" else "",
                "due_at": at,
                "created_at": at,
                "sent_at": at if status == "sent" else None,
                "failed_at": at if status == "failed" else None,
            }
            rows.append(
                [
                    f.get_db_prep_save(values[f.name], connection)
                    if f.name in values
                    else defaults[f.name]
                    for f in fields
                ]
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _use(database: Path) -> None:
    """Point the default connection at another file, connected before any timing starts."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = str(database)
    connection.ensure_connection()


def _render_times(client, databases: dict[str, Path]) -> dict[str, dict[str, float]]:
    """Median milliseconds per page and database, alternating databases; every page must be 200."""
    paths = {}
    for name, database in databases.items():
        _use(database)
        paths[name] = _paths()
    times: dict[str, dict[str, list[float]]] = {name: {} for name in databases}
    for _ in range(REPEATS + 1):
        for name, database in databases.items():
            _use(database)
            for page, path in paths[name].items():
                started = time.perf_counter()
                answer = client.get(path)
                times[name].setdefault(page, []).append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path} answered {answer.status_code}")
    return {
        name: {page: round(statistics.median(ms[1:]), 2) for page, ms in pages.items()}
        for name, pages in times.items()
    }


def _paths() -> dict[str, str]:
    from messaging.models import Message

    ids = Message.objects.order_by("-id").values_list("id", flat=True)
    total = ids.count()
    deep = min(DEEP_PAGE, (total + PAGE - 1) // PAGE)
    before = ids[(deep - 1) * PAGE - 1] if deep > 1 else None
    return {
        "first_page": "/messages/",
        "number_filter": f"/messages/?number={_number(5).replace('+90', '0')}",
        "page_500": f"/messages/?before={before}" if before else "/messages/",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-message-log-") as tmp:
        small_db, large_db = Path(tmp) / "small.sqlite3", Path(tmp) / "large.sqlite3"
        _setup_django(small_db)
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from bench.harness import ratio, write_result
        from connectors.services import connector_create

        call_command("migrate", verbosity=0)
        connector = connector_create(
            name="Jet SMS", provider="jetsms", username="u", password="p", sender_list=["ACME"]
        )
        from django.contrib.auth.models import User

        client = Client()
        client.force_login(User.objects.create_user("bench", password="unused-bench-password"))
        _insert(0, SMALL, connector.pk)
        connection.close()
        shutil.copyfile(small_db, large_db)
        _use(large_db)
        started = time.monotonic()
        _insert(SMALL, args.messages, connector.pk)
        insert_seconds = time.monotonic() - started
        figures = _render_times(client, {"small": small_db, "large": large_db})
        small, large = figures["small"], figures["large"]
    result = {
        "messages": {"small": SMALL, "large": args.messages},
        "insert_seconds": round(insert_seconds, 1),
        "small_ms": small,
        "large_ms": large,
        "ratios": {name: ratio(large[name], small[name]) for name in small},
    }
    print(f"{args.messages - SMALL:,} rows inserted in {insert_seconds:.1f} s")
    print(f"{'page':>14} {SMALL:>12,} msgs {args.messages:>12,} msgs   ratio")
    for name in small:
        print(
            f"{name:>14} {small[name]:12.1f} ms {large[name]:12.1f} ms   "
            f"{result['ratios'][name]:.2f}"
        )
    write_result("message_log", result)


if __name__ == "__main__":
    sys.exit(main())
