"""A small SMPP 3.4 server standing in for an SMSC: binds, answers submit_sm, fails on demand."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum

import smpplib.consts as c
import smpplib.smpp

from connectors.providers.smsc import gsm_decode


class SmscMode(StrEnum):
    NORMAL = "normal"
    BIND_REFUSED = "bind_refused"  # every bind answered ESME_RBINDFAIL
    THROTTLED = "throttled"  # every submit_sm answered ESME_RTHROTTLED
    SYSTEM_ERROR = "system_error"  # every submit_sm answered ESME_RSYSERR
    QUEUE_FULL = "queue_full"  # every submit_sm answered ESME_RMSGQFUL
    DROP = "drop"  # the connection is closed when a submit_sm arrives
    SLOW = "slow"  # submit_sm answered after slow_seconds


@dataclass
class SubmittedPart:
    system_id: str
    source_addr: str
    source_ton: int
    destination_addr: str
    data_coding: int
    esm_class: int
    short_message: bytes
    message_id: str


@dataclass
class SmscState:
    """What the simulated SMSC knows: accounts, approved senders, mode, and what it received."""

    accounts: dict[str, str] = field(default_factory=dict)  # system_id -> password
    sender_titles: set[str] = field(default_factory=set)  # empty: any sender is accepted
    mode: SmscMode = SmscMode.NORMAL
    slow_seconds: float = 3.0
    parts: list[SubmittedPart] = field(default_factory=list)
    binds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def texts(self) -> list[str]:
        """The received messages with concatenated parts joined again (by UDH reference)."""
        joined: dict[tuple, list[tuple[int, str]]] = {}
        order: list[tuple] = []
        for index, part in enumerate(self.parts):
            payload, key, number = part.short_message, (index,), 1
            if part.esm_class & c.SMPP_GSMFEAT_UDHI:
                header_length = payload[0] + 1
                key = (part.destination_addr, payload[3])  # 8-bit reference of IE 0x00
                number, payload = payload[5], payload[header_length:]
            if key not in joined:
                order.append(key)
            joined.setdefault(key, []).append((number, _decode(payload, part.data_coding)))
        return ["".join(text for _n, text in sorted(joined[key])) for key in order]


def _decode(payload: bytes, data_coding: int) -> str:
    if data_coding == c.SMPP_ENCODING_ISO10646:
        return payload.decode("utf-16-be")
    if data_coding == c.SMPP_ENCODING_ISO88591:
        return payload.decode("latin-1")
    return gsm_decode(payload)


class _Sequence:
    """smpplib's PDUs ask their client for a sequence number; the server copies the request's."""

    sequence = 0

    def next_sequence(self) -> int:
        return 0


class _SessionHandler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        state, system_id = self.server.state, None
        self.server.connections.add(self.request)
        try:
            while True:
                pdu = self._read_pdu()
                if pdu is None:
                    return
                if pdu.command == "bind_transmitter":
                    status = self._bind_status(pdu)
                    if status == c.SMPP_ESME_ROK:
                        system_id = pdu.system_id.decode("latin-1")
                        with state.lock:
                            state.binds += 1
                    self._reply(
                        pdu,
                        "bind_transmitter_resp",
                        status,
                        system_id="SMSCSIM" if not status else None,
                    )
                elif pdu.command == "submit_sm":
                    if system_id is None:
                        self._reply(pdu, "submit_sm_resp", c.SMPP_ESME_RINVBNDSTS)
                    elif state.mode == SmscMode.DROP:
                        return
                    else:
                        if state.mode == SmscMode.SLOW:
                            time.sleep(state.slow_seconds)
                        status, message_id = self._submit(pdu, system_id)
                        self._reply(pdu, "submit_sm_resp", status, message_id=message_id)
                elif pdu.command == "enquire_link":
                    self._reply(pdu, "enquire_link_resp", c.SMPP_ESME_ROK)
                elif pdu.command == "unbind":
                    self._reply(pdu, "unbind_resp", c.SMPP_ESME_ROK)
                    return
                else:
                    self._reply(pdu, "generic_nack", c.SMPP_ESME_RINVCMDID)
        except OSError:
            return  # the client went away
        finally:
            self.server.connections.discard(self.request)

    def _bind_status(self, pdu) -> int:
        state = self.server.state
        if state.mode == SmscMode.BIND_REFUSED:
            return c.SMPP_ESME_RBINDFAIL
        system_id, password = pdu.system_id.decode("latin-1"), pdu.password.decode("latin-1")
        if system_id not in state.accounts:
            return c.SMPP_ESME_RINVSYSID
        if state.accounts[system_id] != password:
            return c.SMPP_ESME_RINVPASWD
        return c.SMPP_ESME_ROK

    def _submit(self, pdu, system_id: str) -> tuple[int, str | None]:
        state = self.server.state
        failing = {
            SmscMode.THROTTLED: c.SMPP_ESME_RTHROTTLED,
            SmscMode.SYSTEM_ERROR: c.SMPP_ESME_RSYSERR,
            SmscMode.QUEUE_FULL: c.SMPP_ESME_RMSGQFUL,
        }
        if state.mode in failing:
            return failing[state.mode], None
        source, destination = (
            pdu.source_addr.decode("latin-1"),
            pdu.destination_addr.decode("latin-1"),
        )
        if state.sender_titles and source not in state.sender_titles:
            return c.SMPP_ESME_RINVSRCADR, None
        if (
            not destination.isdigit()
            or not 8 <= len(destination) <= 15
            or pdu.dest_addr_ton != c.SMPP_TON_INTL
        ):
            return c.SMPP_ESME_RINVDSTADR, None
        with state.lock:
            message_id = f"{len(state.parts) + 1:08x}"
            state.parts.append(
                SubmittedPart(
                    system_id=system_id,
                    source_addr=source,
                    source_ton=pdu.source_addr_ton,
                    destination_addr=destination,
                    data_coding=pdu.data_coding or 0,
                    esm_class=pdu.esm_class or 0,
                    short_message=pdu.short_message or b"",
                    message_id=message_id,
                )
            )
        return c.SMPP_ESME_ROK, message_id

    def _read_pdu(self):
        header = self._recv(4)
        if header is None:
            return None
        (length,) = struct.unpack(">L", header)
        body = self._recv(length - 4)
        if body is None:
            return None
        return smpplib.smpp.parse_pdu(
            header + body, client=_Sequence(), allow_unknown_opt_params=True
        )

    def _recv(self, size: int) -> bytes | None:
        chunks = b""
        while len(chunks) < size:
            chunk = self.request.recv(size - len(chunks))
            if not chunk:
                return None
            chunks += chunk
        return chunks

    def _reply(self, request, command: str, status: int, **params) -> None:
        reply = smpplib.smpp.make_pdu(
            command,
            client=_Sequence(),
            status=status,
            **{k: v for k, v in params.items() if v is not None},
        )
        reply.sequence = request.sequence
        self.request.sendall(reply.generate())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state: SmscState) -> None:
        super().__init__(address, _SessionHandler)
        self.state = state
        self.connections: set[socket.socket] = set()


class SmscSimulator:
    """An SMPP server on a loopback port, run in a background thread: start(), then stop()."""

    def __init__(self, state: SmscState, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        self._server = _Server((host, port), state)
        self.host, self.port = self._server.server_address[:2]
        # A short poll interval: stop() waits for one, and tests start and stop a server each.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"smsc-simulator-{self.port}",
            daemon=True,
        )

    def start(self) -> SmscSimulator:
        self._thread.start()
        return self

    def drop_connections(self) -> None:
        """Close every open bind, as an SMSC restart would."""
        for connection in list(self._server.connections):
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._server.shutdown()
        self.drop_connections()
        self._server.server_close()
        self._thread.join(timeout=5)
