"""Test harness: the network is closed to everything but this machine; tasks run in-process."""

import ipaddress
import socket

import pytest
from rest_framework.test import APIClient

from smsconsole.services import api_key_create
from tests.factories import UserFactory

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


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def console(client, user):
    """A Django test client signed in to the console."""
    client.force_login(user)
    return client


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
