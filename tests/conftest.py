"""Test harness: the network is closed to everything but this machine; tasks run in-process."""

import importlib
import ipaddress
import json
import socket
import threading
import uuid
import weakref
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import redis
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import RoleName
from core.services import api_key_create
from messaging.routing import compliance
from messaging.routing.models import SendWindow
from tests.factories import UserFactory

# Shared harnesses assert on behalf of tests in several folders (routing tests use the providers').
pytest.register_assert_rewrite("tests.connectors.providers.harness")

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _refuse_remote(address) -> None:
    if not isinstance(address, tuple):
        return  # a Unix socket
    host = address[0]
    try:
        local = ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        local = host == "localhost"
    if not local:
        raise ConnectionRefusedError(f"Tests may only reach this machine; {host} was refused.")


def _guarded_connect(self, address):
    _refuse_remote(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _refuse_remote(address)
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


@pytest.fixture(autouse=True)
def _tasks_run_in_process(monkeypatch):
    """django-q2 tasks run synchronously inside the test (crash tests start real workers)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every test signs users in; the deliberately slow production hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started once the test database exists: only then does it share
    the in-memory SQLite connection with its request threads (else each opens its own, and the
    shared-cache database answers "table is locked" when both write)."""
    return live_server


@pytest.fixture(autouse=True)
def _receipts_pushed_by_the_test(settings):
    """Simulators push no receipts from timer threads: one firing seconds later, in another test or
    in the middle of this one, would write to the test database behind its back."""
    settings.SMSCONSOLE_SIMULATOR_RECEIPT_PUSH = False


class _ClosedAfterTheTestPool(redis.ConnectionPool):
    """A Redis connection pool the test closes when it ends.

    Each test's fresh shared cache is a new cache object in every thread, each with its own pool,
    and Django never closes a Redis cache: left to the garbage collector, their sockets pile up
    past select()'s 1,024 descriptors over the suite.
    """

    made: "weakref.WeakSet[_ClosedAfterTheTestPool]" = weakref.WeakSet()
    made_lock = threading.Lock()  # pools are made in the test's threads too

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        with self.made_lock:
            self.made.add(self)

    @classmethod
    def close_all(cls) -> None:
        """Close the connections of every pool made so far."""
        with cls.made_lock:
            pools = list(cls.made)
        for pool in pools:
            pool.disconnect()


@pytest.fixture(autouse=True)
def _fresh_shared_cache(settings):
    """Counters in the shared cache (Redis when REDIS_URL is set) start from zero in every test."""
    shared = {**settings.CACHES["shared"], "KEY_PREFIX": uuid.uuid4().hex}
    if shared["BACKEND"].endswith("RedisCache"):
        shared["OPTIONS"] = {**shared.get("OPTIONS", {}), "pool_class": _ClosedAfterTheTestPool}
    settings.CACHES = {**settings.CACHES, "shared": shared}
    yield
    _ClosedAfterTheTestPool.close_all()


@pytest.fixture
def user(db):
    """A console user with the Admin role (not a superuser: the role must be enough)."""
    return UserFactory(role=RoleName.ADMIN)


@pytest.fixture
def console(client, user):
    """A Django test client signed in to the console as an Admin."""
    client.force_login(user)
    return client


def _signed_in(role: str | None):
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


@pytest.fixture
def marketer_console(db):
    """A test client signed in as a Marketer."""
    return _signed_in(RoleName.MARKETER)


@pytest.fixture
def agent_console(db):
    """A test client signed in as an Agent."""
    return _signed_in(RoleName.AGENT)


@pytest.fixture
def viewer_console(db):
    """A test client signed in as a Viewer."""
    return _signed_in(RoleName.VIEWER)


@pytest.fixture
def no_role_console(db):
    """A test client signed in as a user who has no role yet."""
    return _signed_in(None)


@pytest.fixture
def issued_api_key(db):
    return api_key_create(name="tests")


@pytest.fixture
def api(issued_api_key):
    """A DRF client authenticated with an API key."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued_api_key.key}")
    return client


@pytest.fixture
def simulator_url(live_server):
    """Base URL of a provider simulator served over real HTTP: simulator_url('jetsms')."""
    return lambda slug: f"{live_server.url}/simulators/{slug}"


@pytest.fixture
def resolve(monkeypatch):
    """resolve(host, *addresses): DNS answers this host name with each address in turn.

    The last address keeps being answered; every other name resolves as usual. This stands in
    for the network (a name that points inside, or one that changes between lookups).
    """
    real_getaddrinfo = socket.getaddrinfo
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        queue = answers[host]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port), 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def answer(host: str, *addresses: str) -> None:
        answers[host] = list(addresses)

    return answer


class _Endpoint(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers["Content-Type"], json.loads(body)))
        self.server.requests.append((dict(self.headers), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.end_headers()
        self.wfile.write(b"nope" if status >= 300 else b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    """A local HTTP endpoint recording JSON posts; set .statuses to answer with errors first.

    .received holds (content type, JSON) of each post, .requests (headers, raw body).
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    server.received, server.requests, server.statuses = [], [], []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def migrate(transactional_db):
    """migrate({app: migration}) -> the app registry of that state; unnamed apps go to their latest.

    The test database is left at the latest migrations afterwards.
    """

    def to(apps_before: dict[str, str]):
        executor = MigrationExecutor(connection)
        targets = [
            (app, apps_before.get(app, name)) for app, name in executor.loader.graph.leaf_nodes()
        ]
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield to
    to({})


@pytest.fixture
def seeded_windows(db):
    """The send windows the data migration seeds (a transactional test's flush removes them)."""
    seed = importlib.import_module("messaging.migrations.0006_seed_send_windows")
    for window in seed.WINDOWS:
        SendWindow.objects.get_or_create(country=window["country"], defaults=window)


@pytest.fixture
def compliance_clock(monkeypatch):
    """set(moment) → the send-window rules (quiet hours) read this time instead of the clock."""

    def set_clock(moment):
        monkeypatch.setattr(compliance, "compliance_now", lambda: moment)
        return moment

    return set_clock


@pytest.fixture
def daytime_in_jordan(compliance_clock):
    """Noon in Amman, so Jordan's quiet hours (21:00–07:00) hold no commercial message."""
    return compliance_clock(datetime(2026, 1, 14, 12, 0, tzinfo=ZoneInfo("Asia/Amman")))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL, test sessions commit without waiting for the disk: no test checks what a
    server crash keeps, and every transactional test's flush commits (the suite's slowest part)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
