"""Benchmark: POST /dlr/<connector id>/<token>/ storing receipts vs. a minimal view doing one insert.

Run: .venv/bin/python -m bench.receipts [--receipts 10000] [--postgres]

Per database: 10,000 messages "sent" through an Infobip connector (rows written directly, each
with its Infobip messageId), then one gunicorn server (DEBUG off, bench.settings) takes at
concurrency 32 one pushed Infobip delivery report per message:
  product:  POST /dlr/<id>/<token>/ (token checked in constant time, the body redacted and kept,
            its reading enqueued as a task: the provider's 200 comes before any matching)
  baseline: POST /bench/minimal-dlr/<id>/<token>/ (one ORM insert of the same DeliveryReport row)
The baseline takes a turn before and after the product (bracketing it, so a load passing on a
shared machine weighs alike); the mean of its two rates counts. Then the workers
(`manage.py qcluster`) start and read the stored reports: every one of the 10,000 must match its
message and leave it delivered (the drain time is reported, not part of the ratio).
SQLite file always; PostgreSQL + Redis too when DATABASE_URL/REDIS_URL are set (bench.harness).
"""

import argparse
import json
import os
import time
from pathlib import Path

from bench.harness import (
    free_port,
    manage,
    processes,
    product_env,
    ratio,
    runs_on_backends,
    shell,
    write_result,
)
from bench.load import CONCURRENCY, load, report

TARGET = 0.6
DRAIN_SECONDS = 600

SETUP = """
from django.utils import timezone
from connectors.services import connector_create
from messaging.models import Message
connector = connector_create(name="Infobip bench", provider="infobip", password="bench-api-key",
                             sender_list=["ACME"],
                             options={{"base_url": "https://api.example.com"}})
now = timezone.now()
Message.objects.bulk_create(
    [Message(to=f"+90532{{n:07d}}", text=f"Benchmark {{n}}", connector=connector, status="sent",
             provider_message_id=f"bench-{{n:07d}}", delivery_state="pending", sent_at=now,
             due_at=now) for n in range({count})],
    batch_size=1000,
)
print(connector.pk, connector.receipt_token)
"""
BODY = (
    '{{"results": [{{"messageId": "bench-{{n}}", "to": "90532{{n}}", "sentAt": '
    '"2026-12-05T10:15:29.000+0000", "doneAt": "2026-12-05T10:15:30.000+0000", '
    '"status": {{"groupId": 3, "groupName": "DELIVERED", "id": 5, "name": "DELIVERED_TO_HANDSET", '
    '"description": "Message delivered to handset"}}, "error": {{"groupId": 0, "id": 0, '
    '"name": "NO_ERROR"}}, "smsCount": 1, "callbackData": "{marker}"}}]}}'
)
BASELINE_MARKER = "baseline"
COUNTS = """
import json
from messaging.models import DeliveryReport, Message
reports = DeliveryReport.objects.filter(connector_id={connector_id})
if {drop_baseline}:
    reports.filter(raw__contains='"callbackData": "{marker}"').delete()
print(json.dumps({{
    "reports": reports.count(),
    "unread": reports.filter(processed_at__isnull=True).count(),
    "matched": reports.filter(message__isnull=False).count(),
    "delivered": Message.objects.filter(delivery_state="delivered").count(),
}}))
"""
HEADERS = {"Content-Type": "application/json"}


def _counts(env: dict, connector_id: int, *, drop_baseline: bool = False) -> dict:
    script = COUNTS.format(
        connector_id=connector_id, drop_baseline=drop_baseline, marker=BASELINE_MARKER
    )
    return json.loads(shell(env, script).splitlines()[-1])


def run(label: str, database_url: str, redis_url: str, count: int, workdir: Path) -> dict:
    env = product_env(database_url, redis_url=redis_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    connector_id, token = shell(env, SETUP.format(count=count)).split()[-2:]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers = 2 * (os.cpu_count() or 1) + 1
    common = {"headers": HEADERS, "concurrency": CONCURRENCY, "count": count, "seconds": 3600}
    product_url = f"{base}/dlr/{connector_id}/{token}/"
    baseline_url = f"{base}/bench/minimal-dlr/{connector_id}/{token}/"
    body, baseline_body = BODY.format(marker=""), BODY.format(marker=BASELINE_MARKER)
    with processes(env, workdir / f"receipts-{label[:6]}.log") as running:
        running.gunicorn(port, workers=workers, threads=4, settings="bench.settings")
        load(baseline_url, body=baseline_body, **{**common, "count": 500})  # warm-up
        baselines = [load(baseline_url, body=baseline_body, **common)]
        product = load(product_url, body=body, **common)
        baselines.append(load(baseline_url, body=baseline_body, **common))
        # The baseline's rows are never read (no task): they go before the workers start.
        stored = _counts(env, int(connector_id), drop_baseline=True)
        started = time.monotonic()
        running.qcluster()
        while time.monotonic() - started < DRAIN_SECONDS:
            drained = _counts(env, int(connector_id))
            if drained["unread"] == 0:
                break
            time.sleep(1)
        drain_seconds = time.monotonic() - started
    baseline = {
        **baselines[0],
        "per_second": sum(figures["per_second"] for figures in baselines) / len(baselines),
        "p50_ms": max(figures["p50_ms"] for figures in baselines),
        "p99_ms": max(figures["p99_ms"] for figures in baselines),
    }
    if product["errors"] or any(figures["errors"] for figures in baselines):
        raise RuntimeError(f"{label}: error answers under load: {product}, {baselines}")
    if product["requests"] != count or stored["reports"] != count:
        raise RuntimeError(f"{label}: {product['requests']} answers, {stored} stored")
    if drained["matched"] != count or drained["delivered"] != count:
        raise RuntimeError(f"{label}: not every receipt matched its message: {drained}")
    result = {
        "backend": label,
        "receipts": count,
        "concurrency": CONCURRENCY,
        "gunicorn": {"workers": workers, "threads": 4},
        "baseline": baseline,
        "baseline_rounds": [round(figures["per_second"], 1) for figures in baselines],
        "product": product,
        "after_workers": drained,
        "drain_seconds": round(drain_seconds, 1),
        "drain_per_second": round(count / drain_seconds, 1),
        "ratio": ratio(product["per_second"], baseline["per_second"]),
    }
    print(f"--- {label}")
    report("minimal view (one insert)", baseline)
    report("POST /dlr/<id>/<token>/", product)
    print(
        f"ratio {result['ratio']:.2f} of the minimal view (target {TARGET}); "
        f"{drained['matched']:,} of {count:,} matched and delivered, read by 2 workers in "
        f"{drain_seconds:.1f} s ({result['drain_per_second']:.0f} receipts/s)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=10_000)
    parser.add_argument(
        "--postgres", action="store_true", help="PostgreSQL + Redis only (DATABASE_URL / REDIS_URL)"
    )
    args = parser.parse_args()
    runs = runs_on_backends(
        "receipts",
        lambda label, database, redis, workdir: run(label, database, redis, args.receipts, workdir),
        postgres=args.postgres,
    )
    write_result("receipts", {"target": TARGET, "runs": runs})


if __name__ == "__main__":
    main()
