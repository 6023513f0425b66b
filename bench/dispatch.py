"""Benchmark: dispatch throughput through the real path vs. the same HTTP requests in a bare loop.

Run: .venv/bin/python -m bench.dispatch [--messages 2000]

Product: N messages created with message_create, queued (django-q2), claimed by real
`manage.py qcluster` worker processes, sent by the Jet SMS adapter over HTTP to the Jet SMS
simulator served by gunicorn, each attempt recorded. Measured from the first create to the last
message leaving `queued`/`sending`.
Baseline: N POSTs of the same XML to the same simulator endpoint from one requests.Session.
Both run against the same server in the same run. SQLite + ORM broker always; PostgreSQL + Redis
as well when DATABASE_URL (postgres://…) and REDIS_URL are set, on a database of its own
(smsconsole_bench, created and dropped here).
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from bench.harness import free_port, manage, processes, product_env, ratio, shell, write_result

BENCH_DATABASE = "smsconsole_bench"
USERNAME, PASSWORD, SENDER = "bench", "Bench-s3cret-Pa55", "ACME"
DEADLINE_SECONDS = 600

SETUP = """
from connectors.services import connector_create
from connectors.simulators.services import simulator_account_ensure
simulator_account_ensure(slug="jetsms", username="{username}", password="{password}",
                         sender_titles=["{sender}"], balance=10_000_000)
connector_create(name="Jet SMS bench", provider="jetsms", username="{username}",
                 password="{password}", sender_list=["{sender}"],
                 options={{"base_url": "{url}", "timeout_seconds": 10, "max_length": 612}})
"""

# Runs inside `manage.py shell`: a warm-up message (the cluster is up), then the N timed ones.
PRODUCT = """
import json, time
from django.db.models import Count
from messaging.models import Attempt, Message
from messaging.services import message_create
from connectors.simulators.models import ReceivedSms

def wait(first_id, deadline):
    while time.monotonic() < deadline:
        if not Message.objects.filter(id__gte=first_id, status__in=["queued", "sending"]).exists():
            return True
        time.sleep(0.05)
    return False

warm = message_create(to="+905320000000", text="warm-up")
assert wait(warm.id, time.monotonic() + 120), "the cluster did not send the warm-up message"
received_before = ReceivedSms.objects.count()
started = time.monotonic()
first = None
for i in range({count}):
    message = message_create(to=f"+90532{{i:07d}}", text=f"Benchmark message {{i}}")
    first = first or message.id
created = time.monotonic()
finished_in_time = wait(first, started + {deadline})
finished = time.monotonic()
timed = Message.objects.filter(id__gte=first)
print(json.dumps({{
    "seconds": finished - started,
    "create_seconds": created - started,
    "finished_in_time": finished_in_time,
    "statuses": dict(timed.values_list("status").annotate(n=Count("id"))),
    "attempts_accepted": Attempt.objects.filter(message__in=timed, outcome="accepted").count(),
    "simulator_received": ReceivedSms.objects.count() - received_before,
}}))
"""


def _xml(index: int) -> str:
    """What the Jet SMS adapter posts for one message (smmgsd, one number)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<message-context type="smmgsd">'
        f"<username>{USERNAME}</username><password>{PASSWORD}</password>"
        f"<outbox-name>{SENDER}</outbox-name><reference /><start-date /><expire-date />"
        f"<text>Baseline message {index}</text><gsmnos>90533{index:07d}</gsmnos>"
        "</message-context>"
    )


def bare_loop(url: str, count: int) -> dict:
    """N sequential POSTs from one keep-alive session; every answer must be `00 <id>`."""
    session = requests.Session()
    session.trust_env = False
    headers = {"Content-Type": "text/xml; charset=UTF-8"}
    started = time.monotonic()
    for index in range(count):
        answer = session.post(url, data=_xml(index).encode(), headers=headers, timeout=10)
        if not answer.text.startswith("00 "):
            raise RuntimeError(f"The simulator refused the baseline request: {answer.text!r}")
    seconds = time.monotonic() - started
    return {"seconds": seconds, "per_second": count / seconds}


def run(label: str, database_url: str, redis_url: str, count: int, workdir: Path) -> dict:
    env = product_env(database_url, redis_url=redis_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/simulators/jetsms"
    with processes(env, workdir / f"{label}.log") as running:
        running.gunicorn(port, workers=2, threads=4)
        shell(env, SETUP.format(username=USERNAME, password=PASSWORD, sender=SENDER, url=base_url))
        baseline = bare_loop(base_url + "/SMS-Web8/xmlsms", count)
        running.qcluster()
        product = json.loads(
            shell(env, PRODUCT.format(count=count, deadline=DEADLINE_SECONDS)).splitlines()[-1]
        )
    product["per_second"] = count / product["seconds"]
    sent_all = product["statuses"] == {"sent": count}
    if not (sent_all and product["simulator_received"] == count):
        raise RuntimeError(f"{label}: not every message was sent exactly once: {product}")
    result = {
        "backend": label,
        "messages": count,
        "workers": int(env.get("SMSCONSOLE_WORKERS", 2)),
        "baseline": baseline,
        "product": product,
        "ratio": ratio(product["per_second"], baseline["per_second"]),
    }
    print(
        f"{label:>20}: product {product['per_second']:7.1f} msg/s "
        f"(created in {product['create_seconds']:.1f} s, all sent in {product['seconds']:.1f} s)"
        f" | bare loop {baseline['per_second']:7.1f} req/s | ratio {result['ratio']:.2f}"
    )
    return result


def _postgres_bench_url(database_url: str) -> str:
    """The same server with the benchmark's own database, created empty."""
    import psycopg

    parts = urlsplit(database_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def _postgres_drop(bench_url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(bench_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        workdir = Path(tmp)
        sqlite_url = f"sqlite:///{workdir / 'dispatch.sqlite3'}"
        results.append(run("SQLite + ORM broker", sqlite_url, "", args.messages, workdir))
        database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL")
        if database_url.startswith(("postgres://", "postgresql://")) and redis_url:
            bench_url = _postgres_bench_url(database_url)
            try:
                results.append(
                    run("PostgreSQL + Redis", bench_url, redis_url, args.messages, workdir)
                )
            finally:
                _postgres_drop(bench_url)
        else:
            print("PostgreSQL + Redis: skipped (set DATABASE_URL=postgres://… and REDIS_URL)")
    write_result("dispatch", {"runs": results})


if __name__ == "__main__":
    main()
