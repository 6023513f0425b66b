"""Fault-test fixtures: a raw-socket fault server, and the product as real processes on a file
database (gunicorn serving the simulators, `manage.py qcluster` workers), via bench.harness."""

import shutil
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.harness import free_port, manage, product_env
from tests.faults.stack import ProductStack


class FaultServer:
    """Answers every HTTP request in one broken way: http_500, garbage, reset, or stall."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.released = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.released.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _read_request(self, connection: socket.socket) -> None:
        # Read the whole request first: closing on unread data would turn every fault into a reset.
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return
            body += chunk

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            self._read_request(connection)
            self.requests += 1
            if self.behaviour == "http_500":
                connection.sendall(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n"
                    b"Content-Length: 21\r\nConnection: close\r\n\r\nInternal Server Error"
                )
            elif self.behaviour == "garbage":
                body = b"\x00\xff\xfe<<<%%% not an answer \x1b[31m}{"
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\nConnection: close\r\n\r\n"
                    + body
                )
            elif self.behaviour == "reset":
                # Promise 100 bytes, send 5, then abort the connection (RST, not FIN).
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n00 12")
                connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
            elif self.behaviour == "stall":
                self.released.wait(20)

    def close(self) -> None:
        self.released.set()
        self.listener.close()


@pytest.fixture
def fault_server():
    """fault_server(behaviour) → a FaultServer, closed after the test."""
    servers: list[FaultServer] = []

    def start(behaviour: str) -> FaultServer:
        servers.append(FaultServer(behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def refused_url() -> str:
    """A local URL where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"


# -- the product as real processes ----------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """A migrated SQLite file, made once per run and copied by each test that needs one."""
    database = tmp_path_factory.mktemp("template") / "template.sqlite3"
    manage(product_env(f"sqlite:///{database}"), "migrate", "--noinput", "-v", "0")
    return database


@pytest.fixture
def product_stack(migrated_database, tmp_path) -> Callable[..., ProductStack]:
    """product_stack(**env) → a ProductStack on a fresh database; every process stopped after."""
    stacks: list[ProductStack] = []

    def make(**settings) -> ProductStack:
        database = tmp_path / f"product{len(stacks)}.sqlite3"
        shutil.copyfile(migrated_database, database)
        stacks.append(ProductStack(database, tmp_path, **settings))
        return stacks[-1]

    yield make
    for stack in stacks:
        stack.processes.stop_all()
