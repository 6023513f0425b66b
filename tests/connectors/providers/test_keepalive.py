"""Keep-alive connections to a provider: reused while fresh, never once the server may close them."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.providers import http
from connectors.providers.http import ProviderClient


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a provider's API

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """A local keep-alive server counting the connections it was given."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.connections = 0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _get(server) -> str:
    client = ProviderClient(
        base_url=f"http://127.0.0.1:{server.server_address[1]}",
        timeout=5,
        secrets=[],
        redacted_names=[],
        log=[],
    )
    return client.request("GET", "/status").text


def _in_a_new_thread(function) -> None:
    """Each test thread starts with no session of its own (sessions are per thread)."""
    thread = threading.Thread(target=function)
    thread.start()
    thread.join()


def test_requests_close_together_share_one_connection(server):
    _in_a_new_thread(lambda: [_get(server), _get(server)])

    assert server.connections == 1


def test_a_connection_idle_longer_than_the_bound_is_not_reused(server, monkeypatch):
    monkeypatch.setattr(http, "IDLE_CONNECTION_SECONDS", 0.05)
    answers = []

    def two_requests_apart() -> None:
        answers.append(_get(server))
        time.sleep(0.1)
        answers.append(_get(server))

    _in_a_new_thread(two_requests_apart)

    assert answers == ["OK", "OK"]
    assert server.connections == 2
