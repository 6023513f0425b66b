"""Two real `qcluster` processes and a real simulator server on one SQLite file: every message is
sent exactly once (NOTES: the ORM broker delivers at least once; the conditional claim dedupes),
with many requests in flight per worker (SMSCONSOLE_SEND_CONCURRENCY) to simulators that take
their time: single API messages through Jet SMS and a campaign in bulk requests through JoSMS."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.harness import free_port, sqlite_rows, stop, wait_for_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 500
CAMPAIGN = 600  # JoSMS numbers, in bulk requests of 120
DEADLINE_SECONDS = 150  # only bounds a failure; a healthy run on an idle 2-core machine takes ~30 s

SETUP = """
from connectors.services import connector_create
from connectors.simulators.services import simulator_account_ensure
from messaging.campaigns.services import campaign_create
from messaging.services import message_create, message_dispatch

simulator_account_ensure(slug="jetsms", username="load", password="Load-s3cret-1",
                         sender_titles=["ACME"], balance=100_000)
connector_create(name="Jet SMS", provider="jetsms", username="load", password="Load-s3cret-1",
                 sender_list=["ACME"], options={{"base_url": "{url}", "timeout_seconds": 5,
                                                "max_length": 612}})
simulator_account_ensure(slug="josms", username="load", password="Load-s3cret-1",
                         sender_titles=["ACME"], balance=100_000, max_text_length=800)
connector_create(name="JoSMS", provider="josms", username="load", password="Load-s3cret-1",
                 sender_list=["ACME"], options={{"base_url": "{url_josms}", "timeout_seconds": 5}})
# Fetch and store the JoSMS bearer token once, before many requests start at the same moment.
warm_up = message_create(to="+962780000000", text="warm-up")
assert message_dispatch(message_id=warm_up.id).status == "sent"
for i in range({count}):
    message_create(to=f"+90532{{i:07d}}", text=f"Load test {{i}}")
numbers = "\\n".join(f"+96279{{n:07d}}" for n in range({campaign}))
# Transactional: a commercial campaign to Jordan waits out the quiet hours (21:00-07:00 Amman).
campaign_create(name="Concurrent", text="Campaign in bulk", kind="transactional", pasted=numbers,
                start=True)
"""


def test_two_qcluster_workers_send_every_message_exactly_once(tmp_path):
    db = tmp_path / "workers.sqlite3"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "SMSCONSOLE_TASK_TIMEOUT": "10",
        "SMSCONSOLE_TASK_RETRY": "20",
        "SMSCONSOLE_WORKERS": "2",
        "SMSCONSOLE_TASKS_SYNC": "false",
        "SMSCONSOLE_SIMULATORS": "true",
        "SMSCONSOLE_LOG_LEVEL": "WARNING",
        "SMSCONSOLE_SEND_CONCURRENCY": "16",
        "SMSCONSOLE_SIMULATOR_LATENCY_MS": "50",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 120}
    migrated = subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], **run)
    assert migrated.returncode == 0, migrated.stderr
    logs = tmp_path / "logs.txt"
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "smsconsole.wsgi"]
    gunicorn += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "20"]
    unsent = (
        "SELECT (SELECT count(*) FROM messaging_message WHERE status != 'sent')"
        " + (SELECT count(*) FROM campaigns_campaign WHERE status != 'completed')"
    )
    processes: list[subprocess.Popen] = []
    try:
        with logs.open("w") as log:
            spawn = {"cwd": ROOT, "env": env, "stdout": log, "stderr": log}
            processes.append(subprocess.Popen(gunicorn, **spawn))
            wait_for_port(port, seconds=20)
            script = SETUP.format(
                url=f"http://127.0.0.1:{port}/simulators/jetsms",
                url_josms=f"http://127.0.0.1:{port}/simulators/josms",
                count=MESSAGES,
                campaign=CAMPAIGN,
            )
            seeded = subprocess.run([*manage, "shell", "-c", script], **run)
            assert seeded.returncode == 0, seeded.stderr
            started = time.monotonic()
            processes += [subprocess.Popen([*manage, "qcluster"], **spawn) for _ in range(2)]
            while time.monotonic() - started < DEADLINE_SECONDS and sqlite_rows(db, unsent)[0][0]:
                time.sleep(0.5)
            elapsed = time.monotonic() - started
    finally:
        for process in reversed(processes):
            stop(process, seconds=20)

    statuses = dict(
        sqlite_rows(db, "SELECT status, count(*) FROM messaging_message GROUP BY status")
    )
    total = MESSAGES + CAMPAIGN + 1  # + the warm-up message
    assert statuses == {"sent": total}, logs.read_text()[-3000:]
    received = sqlite_rows(
        db, "SELECT number, count(*) FROM simulators_receivedsms GROUP BY number"
    )
    assert len(received) == total
    assert [number for number, count in received if count != 1] == []
    accepted = sqlite_rows(db, "SELECT count(*) FROM messaging_attempt WHERE outcome = 'accepted'")
    assert accepted[0][0] == total
    bulk = sqlite_rows(
        db, "SELECT count(DISTINCT order_id) FROM simulators_receivedsms WHERE number LIKE '96279%'"
    )
    assert bulk[0][0] < CAMPAIGN / 10  # the campaign went in bulk requests, not one by one
    print(f"\n{total} messages sent by two qcluster processes in {elapsed:.1f} s "
          f"({total / elapsed:.0f}/s)")  # fmt: skip
