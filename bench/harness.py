"""Real server and worker processes for the benchmarks and the crash tests, and result files.

Everything runs the product as it is deployed: `manage.py migrate`, gunicorn, `manage.py qcluster`,
each a separate process on a database of its own (a temporary SQLite file unless a PostgreSQL URL
is given). Processes are stopped with SIGTERM to their main pid only (NOTES: signalling the whole
process group can hang qcluster).
"""

import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
MANAGE = [PYTHON, str(ROOT / "manage.py")]
# Variables of the calling shell that would point the product somewhere else.
FOREIGN_VARIABLES = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"Nothing listened on port {port} within {seconds:g} s.")


def product_env(
    database_url: str, *, redis_url: str = "", production: bool = True, **extra
) -> dict:
    """The environment of a product process on this database (and broker), DEBUG off by default.

    Production mode uses fresh secrets, no TLS redirect (no TLS here) and keeps the simulators
    and plain http to 127.0.0.1 so connectors can reach them.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_VARIABLES)}
    env.update(
        DATABASE_URL=database_url,
        SMSCONSOLE_TASKS_SYNC="false",
        SMSCONSOLE_SIMULATORS="true",
        SMSCONSOLE_PROVIDER_HTTP_HOSTS="127.0.0.1",
        SMSCONSOLE_LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    if production:
        env.update(
            DJANGO_DEBUG="off",
            DJANGO_SECRET_KEY="bench-" + Fernet.generate_key().decode(),
            SMSCONSOLE_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
            DJANGO_SECURE_SSL_REDIRECT="off",
        )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    """Run a management command to completion; its stdout, or RuntimeError with its stderr."""
    done = subprocess.run(
        [*MANAGE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return done.stdout


def shell(env: dict, script: str, timeout: float = 600) -> str:
    """Run Python in `manage.py shell` against the product's database; its stdout."""
    return manage(env, "shell", "--no-imports", "-c", script, timeout=timeout)


def stop(process: subprocess.Popen, seconds: float = 30) -> None:
    """SIGTERM to the main pid only, then SIGKILL if it does not end in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Processes:
    """Long-running product processes started for one run, all stopped at the end."""

    def __init__(self, env: dict, log: Path) -> None:
        self.env = env
        self.log = log.open("a")
        self.started: list[subprocess.Popen] = []

    def _spawn(self, command: list[str], env: dict | None = None) -> subprocess.Popen:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env or self.env, stdout=self.log, stderr=self.log
        )
        self.started.append(process)
        return process

    def gunicorn(
        self,
        port: int,
        *,
        workers: int = 2,
        threads: int = 4,
        settings: str = "",
        options: tuple[str, ...] = (),
        env: dict | None = None,
    ) -> subprocess.Popen:
        """gunicorn serving the product on this port (with another environment: env)."""
        command = [GUNICORN, "smsconsole.wsgi", "--bind", f"127.0.0.1:{port}", *options]
        command += ["--workers", str(workers), "--threads", str(threads)]
        command += ["--worker-class", "gthread", "--preload", "--log-level", "warning"]
        if settings:
            command += ["--env", f"DJANGO_SETTINGS_MODULE={settings}"]
        process = self._spawn(command, env)
        wait_for_port(port)
        return process

    def qcluster(self) -> subprocess.Popen:
        return self._spawn([*MANAGE, "qcluster"])

    def stop_all(self) -> None:
        for process in reversed(self.started):
            stop(process)
        self.log.close()


@contextmanager
def processes(env: dict, log: Path) -> Iterator[Processes]:
    running = Processes(env, log)
    try:
        yield running
    finally:
        running.stop_all()


def children(pid: int) -> list[int]:
    """The direct child process ids of a process (Linux /proc), in pid order."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def descendants(pid: int) -> list[int]:
    """Every process below a process: children, their children, and so on."""
    found = children(pid)
    for child in list(found):
        found += descendants(child)
    return found


def sqlite_rows(database: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql, params).fetchall()


def _version(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def wrk_version() -> str:
    """The installed wrk's version line, or "" when wrk is not installed."""
    if not shutil.which("wrk"):
        return ""
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    return (done.stdout + done.stderr).strip().splitlines()[0]


def machine() -> dict:
    """What the figures were measured on."""
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _version(["psql", "--version"]).removeprefix("psql (PostgreSQL) "),
        "wrk": wrk_version(),
    }


def write_result(name: str, result: dict) -> Path:
    """bench/results/<name>.json with the machine description added."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**result, "machine": machine()}, indent=2) + "\n")
    print(f"written to {path.relative_to(ROOT)}")
    return path


def postgres_configured() -> tuple[str, str]:
    """DATABASE_URL (postgres://…) and REDIS_URL of the calling shell, or ("", "")."""
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")) and redis_url:
        return database_url, redis_url
    return "", ""


@contextmanager
def postgres_database(database_url: str, name: str) -> Iterator[str]:
    """A fresh database `<the URL's database>_<name>` on the same server, dropped afterwards."""
    import psycopg

    parts = urlsplit(database_url)
    database = f"{parts.path.strip('/') or 'smsconsole'}_{name}".replace("-", "_")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {database}")
    try:
        yield urlunsplit(parts._replace(path=f"/{database}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def redis_flush(redis_url: str) -> None:
    """Empty the benchmark's Redis database: no task or cache entry left from an earlier run."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def backends(
    workdir: Path, name: str, *, postgres: bool = False, sqlite_only: bool = False
) -> Iterator[tuple[str, str, str]]:
    """(label, DATABASE_URL, REDIS_URL) of each database to measure on: a SQLite file always;
    PostgreSQL + Redis when DATABASE_URL=postgres://… and REDIS_URL are set (a database of its
    own, created and dropped here; the Redis database is emptied). `postgres`: PostgreSQL only;
    `sqlite_only`: SQLite only.
    """
    if not postgres:
        yield "SQLite", f"sqlite:///{workdir / f'{name}.sqlite3'}", ""
    database_url, redis_url = postgres_configured()
    if sqlite_only:
        return
    if not database_url:
        if postgres:
            raise SystemExit("--postgres needs DATABASE_URL=postgres://… and REDIS_URL.")
        print("PostgreSQL + Redis: skipped (set DATABASE_URL=postgres://… and REDIS_URL)")
        return
    with postgres_database(database_url, f"bench_{name}") as url:
        redis_flush(redis_url)
        yield "PostgreSQL + Redis", url, redis_url
        redis_flush(redis_url)


def runs_on_backends(
    name: str,
    measure: Callable[[str, str, str, Path], dict],
    *,
    postgres: bool = False,
    sqlite_only: bool = False,
) -> list[dict]:
    """measure(label, DATABASE_URL, REDIS_URL, workdir) on each of backends(), in a scratch folder.

    BENCH_KEEP=1 keeps the folder (the processes' logs, the SQLite database) and prints its path.
    """
    keep = os.environ.get("BENCH_KEEP", "") not in ("", "0")
    with (
        contextlib.nullcontext(tempfile.mkdtemp(prefix=f"bench-{name}-"))
        if keep
        else tempfile.TemporaryDirectory(prefix=f"bench-{name}-")
    ) as tmp:
        if keep:
            print(f"Scratch folder kept: {tmp}")
        workdir = Path(tmp)
        return [
            measure(label, database_url, redis_url, workdir)
            for label, database_url, redis_url in backends(
                workdir, name, postgres=postgres, sqlite_only=sqlite_only
            )
        ]


def ratio(product: float, baseline: float) -> float:
    return round(product / baseline, 3) if baseline else 0.0
