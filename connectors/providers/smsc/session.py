"""SMPP sessions: one transmitter bind kept per connector and worker thread, PDUs as exchanges.

Each PDU round trip is appended to the caller's exchange log as it happens, so a send that fails
halfway keeps what was said.
"""

from __future__ import annotations

import logging
import multiprocessing.util
import os
import select
import threading
import time
from dataclasses import dataclass
from hashlib import sha256
from typing import TYPE_CHECKING, Any

import smpplib.client
import smpplib.consts as c
import smpplib.exceptions
import smpplib.smpp
from django.conf import settings

from connectors.providers.smsc.statuses import describe_response, status_error, transport_error
from connectors.providers.types import CannotCarry, Category, Exchange, ProviderError

if TYPE_CHECKING:
    from connectors.models import Connector

# smpplib logs every PDU in hex at DEBUG, the bind PDU with the password: never let that through.
LOGGER_NAME = "smsconsole.smpp"
logging.getLogger(LOGGER_NAME).setLevel(logging.WARNING)

SYSTEM_ID_MAX = 15  # SMPP 3.4 C-Octet String of at most 16 octets with the terminating NUL
PASSWORD_MAX = 8  # at most 9 octets with the NUL
INTERFACE_VERSION = 0x34
TRANSPORT_ERRORS = (
    TimeoutError,
    smpplib.exceptions.ConnectionError,
    smpplib.exceptions.PDUError,
    OSError,
)


@dataclass(frozen=True)
class BindKey:
    """What a kept bind was made with: any change (new password, new host) needs a new bind."""

    connector_id: int
    host: str
    port: int
    system_id: str
    password_digest: str
    system_type: str


class _Binds(threading.local):
    def __init__(self) -> None:
        self.by_connector: dict[int, tuple[BindKey, smpplib.client.Client]] = {}


_binds = _Binds()
# Every thread's kept binds, with the process and thread that keep each, so a process that exits
# unbinds them as SMPP asks instead of dropping the connections. Held strongly: a thread's own
# dict of binds is gone before exit handlers run, and a bind of a thread that ended is unbound
# when the next bind is kept. A forked worker inherits its parent's entries and skips them.
_every_bind: dict[smpplib.client.Client, tuple[int, threading.Thread]] = {}
_every_bind_lock = threading.Lock()
_exit_hook_pid = 0
UNBIND_WAIT_SECONDS = 1.0  # an SMSC not answering an unbind must not hold up an exit or a send


def readable(sock: Any, seconds: float) -> bool:
    """Whether `sock` has something to read within `seconds`.

    poll, not select: select() refuses descriptors numbered 1024 and above, which a busy worker has.
    """
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(max(seconds, 0) * 1000))


def host_allowed_error(host: str) -> str:
    """Why the console may not open SMPP connections to this host, or "" when it may.

    SMPP is plain TCP with no TLS to tell a public SMSC from an internal service, so, like plain
    http, it may only go to hosts an administrator listed.
    """
    allowed = [name.lower() for name in settings.SMSCONSOLE_PROVIDER_SMPP_HOSTS]
    if host.strip().lower() in allowed:
        return ""
    return (
        f"The SMSC host {host!r} is not allowed. An administrator must add it to "
        f"SMSCONSOLE_PROVIDER_SMPP_HOSTS (allowed now: {', '.join(allowed) or 'none'})."
    )


class Session:
    """One bind to an SMSC, appending each PDU round trip to the caller's exchange log."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        timeout: float,
        password: str,
        log: list[Exchange],
        client: smpplib.client.Client | None = None,
    ) -> None:
        self.url = f"smpp://{host}:{port}"
        self.password = password
        self.log = log
        self.client = client or smpplib.client.Client(
            host, port, timeout=timeout, logger_name=LOGGER_NAME, allow_unknown_opt_params=True
        )

    def round_trip(self, pdu, summary: str) -> Any:
        """Send one PDU and read its response, skipping PDUs the SMSC sends meanwhile."""
        exchange = Exchange(method="SMPP", url=self.url, request_body=summary)
        self.log.append(exchange)
        started = time.monotonic()
        try:
            self.client.send_pdu(pdu)
            while True:
                response = self.client.read_pdu()
                if response.sequence == pdu.sequence and response.is_response():
                    break
                self._answer_unsolicited(response)
        except ProviderError as error:
            exchange.error = error.detail
            raise
        except TRANSPORT_ERRORS as exc:
            error = transport_error(exc, self.client.timeout)
            exchange.error = error.detail
            raise error from exc
        finally:
            exchange.duration_ms = round((time.monotonic() - started) * 1000)
        exchange.response_body = describe_response(response)
        return response

    def window(self, pdus: list[tuple[Any, str]], size: int) -> list[Any]:
        """Send PDUs with up to `size` outstanding on this bind, matching each answer to its
        request by sequence number; per PDU its response, or the ProviderError that left it
        unanswered (the bind broke or timed out)."""
        answers: dict[int, Any] = {}
        outstanding: dict[int, tuple[int, Exchange, float]] = {}
        waiting = list(enumerate(pdus))
        try:
            while waiting or outstanding:
                while waiting and len(outstanding) < size:
                    index, (pdu, summary) = waiting.pop(0)
                    exchange = Exchange(method="SMPP", url=self.url, request_body=summary)
                    self.log.append(exchange)
                    outstanding[pdu.sequence] = (index, exchange, time.monotonic())
                    self.client.send_pdu(pdu)
                response = self.client.read_pdu()
                if not response.is_response() or response.sequence not in outstanding:
                    self._answer_unsolicited(response)
                    continue
                index, exchange, started = outstanding.pop(response.sequence)
                exchange.duration_ms = round((time.monotonic() - started) * 1000)
                exchange.response_body = describe_response(response)
                answers[index] = response
        except TRANSPORT_ERRORS as exc:
            error = transport_error(exc, self.client.timeout)
            for index, exchange, started in outstanding.values():
                exchange.error = error.detail
                exchange.duration_ms = round((time.monotonic() - started) * 1000)
                answers[index] = error
            for index, _pdu in waiting:
                answers[index] = error
        return [answers[index] for index in range(len(pdus))]

    def connect_and_bind(self, *, system_id: str, system_type: str) -> None:
        """Open the TCP connection and bind as transmitter; raise ProviderError when refused."""
        exchange = Exchange(method="SMPP", url=self.url, request_body="connect")
        self.log.append(exchange)
        started = time.monotonic()
        try:
            self.client.connect()
        except smpplib.exceptions.ConnectionError as exc:
            error = transport_error(exc, self.client.timeout)
            exchange.error = error.detail
            raise error from exc
        finally:
            exchange.duration_ms = round((time.monotonic() - started) * 1000)
        pdu = smpplib.smpp.make_pdu(
            "bind_transmitter",
            client=self.client,
            system_id=system_id,
            password=self.password,
            system_type=system_type,
            interface_version=INTERFACE_VERSION,
            addr_ton=c.SMPP_TON_UNK,
            addr_npi=c.SMPP_NPI_UNK,
            address_range="",
        )
        response = self.round_trip(
            pdu,
            f"bind_transmitter system_id={system_id} password=*** system_type={system_type} "
            "interface_version=0x34",
        )
        if response.status != c.SMPP_ESME_ROK:
            raise status_error(response.status)
        self.client.state = c.SMPP_CLIENT_STATE_BOUND_TX

    def alive(self) -> bool:
        """Whether the kept bind still works: answer what the SMSC sent meanwhile, notice a drop."""
        sock = self.client._socket
        if sock is None or self.client.state != c.SMPP_CLIENT_STATE_BOUND_TX:
            return False
        try:
            while readable(sock, 0):
                if not self._answer_unsolicited(self.client.read_pdu()):
                    return False
        except TRANSPORT_ERRORS:
            return False
        return True

    def _answer_unsolicited(self, pdu) -> bool:
        """Answer an enquire_link or unbind from the SMSC; False when the SMSC ended the bind."""
        if pdu.command == "enquire_link":
            reply = smpplib.smpp.make_pdu("enquire_link_resp", client=self.client)
            reply.sequence = pdu.sequence
            self.client.send_pdu(reply)
        elif pdu.command == "unbind":
            reply = smpplib.smpp.make_pdu("unbind_resp", client=self.client)
            reply.sequence = pdu.sequence
            self.client.send_pdu(reply)
            self.client.state = c.SMPP_CLIENT_STATE_OPEN
            return False
        return True


def session_new(
    connector: Connector, log: list[Exchange], *, client: smpplib.client.Client | None = None
) -> Session:
    """A session to the connector's SMSC (not connected unless a kept client is given)."""
    options = connector.options or {}
    return Session(
        host=options.get("host", ""),
        port=int(options.get("port") or 2775),
        timeout=float(options.get("timeout_seconds") or 10),
        password=connector.password,
        log=log,
        client=client,
    )


def session_bind(session: Session, connector: Connector) -> None:
    """Connect and bind as the connector's system_id, to an SMSC host still allowed."""
    host = (connector.options or {}).get("host", "")
    if problem := host_allowed_error(host):  # the allowlist may have shrunk since saving
        raise CannotCarry(Category.NETWORK, problem)
    if len(connector.username) > SYSTEM_ID_MAX or len(connector.password) > PASSWORD_MAX:
        raise ProviderError(
            Category.CREDENTIALS,
            f"SMPP 3.4 allows a system_id of at most {SYSTEM_ID_MAX} and a password of at most "
            f"{PASSWORD_MAX} characters; edit the connector's credentials.",
        )
    session.connect_and_bind(
        system_id=connector.username,
        system_type=(connector.options or {}).get("system_type", ""),
    )


def session_kept(connector: Connector, log: list[Exchange]) -> Session:
    """This thread's bind for the connector, bound afresh when missing, changed or dropped."""
    key = _bind_key(connector)
    kept = _binds.by_connector.get(connector.pk)
    if kept is not None:
        kept_key, client = kept
        session = session_new(connector, log, client=client)
        if kept_key == key and session.alive():
            return session
        session_forget(connector)
    session = session_new(connector, log)
    try:
        session_bind(session, connector)
    except ProviderError:
        session.client.disconnect()
        raise
    _binds.by_connector[connector.pk] = (key, session.client)
    _unbind_at_exit(session.client)
    return session


def _unbind_at_exit(client: smpplib.client.Client) -> None:
    """Have this process unbind the client when it exits, or when its thread has ended.

    A multiprocessing finalizer, not atexit: a forked worker (django-q's) ends with os._exit after
    running its finalizers, never atexit's handlers, and drops the finalizers its parent registered.
    """
    global _exit_hook_pid
    with _every_bind_lock:
        _every_bind[client] = (os.getpid(), threading.current_thread())
        if _exit_hook_pid != os.getpid():
            _exit_hook_pid = os.getpid()
            multiprocessing.util.Finalize(None, close_every_bind, exitpriority=10)
    for ended in _binds_of_this_process(ended_threads_only=True):
        _unbind_briefly(ended)


def _binds_of_this_process(*, ended_threads_only: bool) -> list[smpplib.client.Client]:
    with _every_bind_lock:
        return [
            client
            for client, (pid, thread) in _every_bind.items()
            if pid == os.getpid() and not (ended_threads_only and thread.is_alive())
        ]


def session_forget(connector: Connector) -> None:
    """Drop this thread's kept bind for the connector (broken or refused binds are not kept)."""
    kept = _binds.by_connector.pop(connector.pk, None)
    if kept is not None:
        _close(kept[1], unbind=False)


def close_binds() -> None:
    """Unbind and close every bind this thread keeps (close_every_bind does all threads')."""
    for _key, client in list(_binds.by_connector.values()):
        _close(client, unbind=True)
    _binds.by_connector.clear()


def close_every_bind() -> None:
    """Unbind every bind this process's threads keep: as it exits, its send threads idle."""
    for client in _binds_of_this_process(ended_threads_only=False):
        _unbind_briefly(client)


def _unbind_briefly(client: smpplib.client.Client) -> None:
    if client._socket:
        client._socket.settimeout(UNBIND_WAIT_SECONDS)
    _close(client, unbind=True)


def _close(client: smpplib.client.Client, *, unbind: bool) -> None:
    with _every_bind_lock:
        _every_bind.pop(client, None)
    if (
        unbind
        and client.state in (c.SMPP_CLIENT_STATE_BOUND_TX, c.SMPP_CLIENT_STATE_OPEN)
        and client._socket
    ):
        try:
            client.send_pdu(smpplib.smpp.make_pdu("unbind", client=client))
            client.read_pdu()
        except (OSError, smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError):
            pass  # the peer is gone already; closing is all that is left
    # The bind is over (unbound, or given up): smpplib would warn of closing a bound client.
    client.state = c.SMPP_CLIENT_STATE_OPEN
    client.disconnect()


def _bind_key(connector: Connector) -> BindKey:
    options = connector.options or {}
    return BindKey(
        connector_id=connector.pk,
        host=options.get("host", ""),
        port=int(options.get("port") or 2775),
        system_id=connector.username,
        password_digest=sha256(connector.password.encode()).hexdigest(),
        system_type=options.get("system_type", ""),
    )
