"""The product as real processes on a SQLite file for crash tests, and what they need to send."""

import time
from pathlib import Path

from bench.harness import Processes, children, free_port, product_env, shell, sqlite_rows

PENDING = "SELECT count(*) FROM messaging_message WHERE status IN ('queued', 'sending')"
# A JoSMS connector to the JoSMS simulator: JoSMS gets our message id as its client id, so a send
# retried after a crash is answered "duplicate" instead of delivered twice.
JOSMS_SETUP = """
from connectors.services import connector_create
from connectors.simulators.models import SimulatedProvider
from connectors.simulators.services import simulator_account_ensure
from messaging.services import message_create, message_dispatch

simulator_account_ensure(slug="josms", username="crash", password="Crash-s3cret-1",
                         sender_titles=["ACME"], balance=1_000_000)
connector_create(name="JoSMS", provider="josms", username="crash", password="Crash-s3cret-1",
                 sender_list=["ACME"], options={{"base_url": "{url}/simulators/josms",
                                                "timeout_seconds": 4}})
# Fetch and store the bearer token once, before many workers start at the same moment.
warm_up = message_create(to="+962790000000", text="warm-up")
assert message_dispatch(message_id=warm_up.id).status == "sent"
SimulatedProvider.objects.filter(slug="josms").update(failure_mode="{mode}", slow_seconds=1)
for n in range({count}):
    message_create(to=f"+96279{{n + 1:07d}}", text=f"Crash test {{n}}")
"""


class ProductStack:
    """gunicorn and qcluster processes on one SQLite file, for one test."""

    def __init__(self, database: Path, workdir: Path, **settings) -> None:
        self.database = database
        self.env = product_env(f"sqlite:///{database}", **settings)
        self.log = workdir / "processes.log"
        self.processes = Processes(self.env, self.log)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def serve(self, *, threads: int = 8) -> None:
        self.processes.gunicorn(self.port, workers=2, threads=threads)

    def shell(self, script: str) -> str:
        return shell(self.env, script)

    def seed_josms(self, count: int, *, slow: bool = False) -> None:
        """A JoSMS connector (token stored), then `count` queued messages (sent by nobody yet)."""
        mode = "slow" if slow else "none"
        self.shell(JOSMS_SETUP.format(url=self.url, count=count, mode=mode))

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return sqlite_rows(self.database, sql, params)

    def value(self, sql: str, params: tuple = ()):
        return self.rows(sql, params)[0][0]

    def wait_until(self, sql: str, predicate, seconds: float) -> bool:
        """Poll a one-value query until the predicate holds; whether it did in time."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate(self.value(sql)):
                return True
            time.sleep(0.25)
        return False

    def cluster_workers(self, cluster_pid: int) -> list[int]:
        """Worker pids of a qcluster: the sentinel's first children (monitor and pusher follow)."""
        sentinel = children(cluster_pid)[0]
        workers = int(self.env.get("SMSCONSOLE_WORKERS", 2))
        return children(sentinel)[:workers]

    def log_tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""
