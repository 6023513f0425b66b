"""Two real `qcluster` processes and a real simulator server on one SQLite file: every message is
sent exactly once (NOTES: the ORM broker delivers at least once; the conditional claim dedupes)."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 500
DEADLINE_SECONDS = 150  # only bounds a failure; a healthy run on an idle 2-core machine takes ~30 s

SETUP = """
from connectors.services import connector_create
from connectors.simulators.services import simulator_account_ensure
from messaging.services import message_create

simulator_account_ensure(slug="jetsms", username="load", password="Load-s3cret-1",
                         sender_titles=["ACME"], balance=100_000)
connector_create(name="Jet SMS", provider="jetsms", username="load", password="Load-s3cret-1",
                 sender_list=["ACME"], options={{"base_url": "{url}", "timeout_seconds": 5,
                                                "max_length": 612}})
for i in range({count}):
    message_create(to=f"+90532{{i:07d}}", text=f"Load test {{i}}")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"The simulator server did not listen on port {port}.")


def _query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=20) as connection:
        return connection.execute(sql).fetchall()


def _stop(process: subprocess.Popen) -> None:
    # SIGTERM to the main pid only: signalling the whole group can hang qcluster (NOTES).
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_qcluster_workers_send_every_message_exactly_once(tmp_path):
    db = tmp_path / "workers.sqlite3"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "SMSCONSOLE_TASK_TIMEOUT": "10",
        "SMSCONSOLE_TASK_RETRY": "20",
        "SMSCONSOLE_WORKERS": "2",
        "SMSCONSOLE_TASKS_SYNC": "false",
        "SMSCONSOLE_SIMULATORS": "true",
        "SMSCONSOLE_LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 120}
    migrated = subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], **run)
    assert migrated.returncode == 0, migrated.stderr
    logs = tmp_path / "logs.txt"
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "smsconsole.wsgi"]
    gunicorn += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"]
    unsent = "SELECT count(*) FROM messaging_message WHERE status != 'sent'"
    processes: list[subprocess.Popen] = []
    try:
        with logs.open("w") as log:
            spawn = {"cwd": ROOT, "env": env, "stdout": log, "stderr": log}
            processes.append(subprocess.Popen(gunicorn, **spawn))
            _wait_for_port(port)
            script = SETUP.format(url=f"http://127.0.0.1:{port}/simulators/jetsms", count=MESSAGES)
            seeded = subprocess.run([*manage, "shell", "-c", script], **run)
            assert seeded.returncode == 0, seeded.stderr
            started = time.monotonic()
            processes += [subprocess.Popen([*manage, "qcluster"], **spawn) for _ in range(2)]
            while time.monotonic() - started < DEADLINE_SECONDS and _query(db, unsent)[0][0]:
                time.sleep(0.5)
            elapsed = time.monotonic() - started
    finally:
        for process in reversed(processes):
            _stop(process)

    statuses = dict(_query(db, "SELECT status, count(*) FROM messaging_message GROUP BY status"))
    assert statuses == {"sent": MESSAGES}, logs.read_text()[-3000:]
    received = _query(db, "SELECT text, count(*) FROM simulators_receivedsms GROUP BY text")
    assert len(received) == MESSAGES
    assert all(count == 1 for _, count in received)
    accepted = _query(db, "SELECT count(*) FROM messaging_attempt WHERE outcome = 'accepted'")
    assert accepted[0][0] == MESSAGES
    print(f"\n{MESSAGES} messages sent by two qcluster processes in {elapsed:.1f} s "
          f"({MESSAGES / elapsed:.0f}/s)")  # fmt: skip
