"""A small SMPP 3.4 server standing in for an SMSC: binds, answers submit_sm, fails on demand.

Accounts (system_id = user name), approved senders, balance and failure mode are the simulator
state in the database under the slug "smsc", the same state the HTTP simulators and the Simulators
page use. An accepted message is stored once as a ReceivedSms, its concatenated parts joined.
"""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import struct
import threading
import time

import smpplib.consts as c
import smpplib.smpp
from django.db import connections

from connectors.providers.smsc import command_status_parse
from connectors.simulators.models import SMPP_SLUG, FailureMode, ReceivedSms, SimulatedProvider
from connectors.simulators.selectors import (
    simulated_latency_seconds,
    simulated_provider_get,
    simulator_account_authenticate,
    simulator_account_named,
)
from connectors.simulators.setup import SmppSetup
from connectors.simulators.smsc_parts import Concatenations, SubmittedPart, part_read
from connectors.simulators.smsc_receipts import PendingReceipt, ReceiptSender, Receiver

MODE_STATUSES = {
    FailureMode.NO_BALANCE: c.SMPP_ESME_RSUBMITFAIL,  # SMPP has no balance status of its own
    FailureMode.HTTP_500: c.SMPP_ESME_RSYSERR,
}
DESTINATION_RE = re.compile(r"^[1-9]\d{7,14}$")
# SMPP 3.4 time (7.1.1): YYMMDDhhmmss, tenths, quarter hours from UTC, then +/- (absolute) or R
# (relative, whose quarter hours are 00).
SMPP_TIME_RE = re.compile(r"^\d{12}\d(?:\d\d[+-]|00R)$")
BINDS = {
    "bind_transmitter": "bind_transmitter_resp",
    "bind_receiver": "bind_receiver_resp",
    "bind_transceiver": "bind_transceiver_resp",
}


SETUP = SmppSetup(
    provider=SMPP_SLUG,
    username="acme-smpp",
    sender_titles=("ACME", "ACMEINFO"),
    options={"data_coding": "gsm", "source_ton": "auto", "source_npi": "auto"},
    max_text_length=1530,
    password_length=8,  # SMPP 3.4 passwords have at most 8 characters
)
urlpatterns = []  # SMPP is served over TCP, not by the web site


class _Sequence:
    """smpplib's PDUs ask their client for a sequence number; the server copies the request's."""

    sequence = 0

    def next_sequence(self) -> int:
        return 0


class _SessionHandler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        system_id: str | None = None
        self.send_lock = threading.Lock()
        receiver: Receiver | None = None
        self.server.connections.add(self.request)
        try:
            while True:
                pdu = self._read_pdu()
                if pdu is None:
                    return
                # Read on every PDU: a mode flipped on the Simulators page applies at once.
                provider = simulated_provider_get(slug=SMPP_SLUG)
                if provider.failure_mode == FailureMode.DROP:
                    return
                if provider.failure_mode == FailureMode.SLOW and pdu.command != "enquire_link":
                    time.sleep(provider.slow_seconds)
                if pdu.command in BINDS:
                    status = self._bind_status(provider, pdu)
                    if status == c.SMPP_ESME_ROK:
                        system_id = pdu.system_id.decode("latin-1")
                        with self.server.lock:
                            self.server.binds += 1
                    self._reply(
                        pdu,
                        BINDS[pdu.command],
                        status,
                        system_id="SMSCSIM" if not status else None,
                    )
                    if status == c.SMPP_ESME_ROK and pdu.command != "bind_transmitter":
                        receiver = Receiver(self.request.sendall, self.send_lock)
                        self.server.receipts.bound(system_id, receiver)
                elif pdu.command == "submit_sm":
                    if system_id is None:
                        status, message_id = c.SMPP_ESME_RINVBNDSTS, None
                    else:
                        status, message_id = self._submit(provider, pdu, system_id)
                    self._answer_later(provider, pdu, status, message_id)
                elif pdu.command == "enquire_link":
                    self._reply(pdu, "enquire_link_resp", c.SMPP_ESME_ROK)
                elif pdu.command == "deliver_sm_resp":
                    pass  # a receiver took a receipt
                elif pdu.command == "unbind":
                    with self.server.lock:
                        self.server.unbinds += 1
                    self._reply(pdu, "unbind_resp", c.SMPP_ESME_ROK)
                    return
                else:
                    self._reply(pdu, "generic_nack", c.SMPP_ESME_RINVCMDID)
        except OSError:
            return  # the client went away
        finally:
            if receiver is not None and system_id is not None:
                self.server.receipts.unbound(system_id, receiver)
            self.server.connections.discard(self.request)
            connections.close_all()  # this thread's database connection ends with the session

    def _answer_later(
        self, provider: SimulatedProvider, pdu, status: int, message_id: str | None
    ) -> None:
        """Answer after the latency, reading on meanwhile: a window is answered concurrently."""
        self.server.outstanding_changed(+1)

        def answer() -> None:
            with contextlib.suppress(OSError):  # the client went away meanwhile
                self._reply(pdu, "submit_sm_resp", status, message_id=message_id)
            self.server.outstanding_changed(-1)

        if (delay := simulated_latency_seconds(provider=provider)) <= 0:
            return answer()
        threading.Thread(target=lambda: (time.sleep(delay), answer()), daemon=True).start()

    def _bind_status(self, provider: SimulatedProvider, pdu) -> int:
        if provider.failure_mode == FailureMode.WRONG_CREDENTIALS:
            return c.SMPP_ESME_RBINDFAIL
        system_id, password = pdu.system_id.decode("latin-1"), pdu.password.decode("latin-1")
        if provider.pk is None or not simulator_account_named(
            provider=provider, username=system_id
        ):
            return c.SMPP_ESME_RINVSYSID
        if simulator_account_authenticate(provider=provider, username=system_id, password=password):
            return c.SMPP_ESME_ROK
        return c.SMPP_ESME_RINVPASWD

    def _submit(self, provider: SimulatedProvider, pdu, system_id: str) -> tuple[int, str | None]:
        if provider.failure_mode in MODE_STATUSES:
            return MODE_STATUSES[provider.failure_mode], None
        if provider.failure_mode == FailureMode.FIXED_ANSWER:
            fixed = command_status_parse(provider.fixed_body)
            return (c.SMPP_ESME_RSYSERR if fixed is None else fixed), None
        account = simulator_account_named(provider=provider, username=system_id)
        if account is None:  # the account was deleted while bound
            return c.SMPP_ESME_RINVSYSID, None
        source = pdu.source_addr.decode("latin-1")
        destination = pdu.destination_addr.decode("latin-1")
        if source not in account.sender_titles:
            return c.SMPP_ESME_RINVSRCADR, None
        if not DESTINATION_RE.match(destination) or pdu.dest_addr_ton != c.SMPP_TON_INTL:
            return c.SMPP_ESME_RINVDSTADR, None
        validity = (pdu.validity_period or b"").decode("latin-1")
        if validity and not SMPP_TIME_RE.match(validity):
            return c.SMPP_ESME_RINVEXPIRY, None
        esm_class, data_coding = pdu.esm_class or 0, pdu.data_coding or 0
        try:
            text, concatenation = part_read(pdu, system_id, destination)
        except UnicodeDecodeError:
            return c.SMPP_ESME_RINVMSGLEN, None  # a part cut through a UTF-16 surrogate pair
        message_id = self.server.concatenations.store(
            account, source, destination, text, concatenation, validity=validity
        )
        if message_id is None:
            return c.SMPP_ESME_RSUBMITFAIL, None
        with self.server.lock:
            self.server.parts.append(
                SubmittedPart(
                    system_id=system_id,
                    source_addr=source,
                    source_ton=pdu.source_addr_ton,
                    destination_addr=destination,
                    data_coding=data_coding,
                    esm_class=esm_class,
                    short_message=pdu.short_message or b"",
                    message_id=message_id,
                    validity_period=validity,
                )
            )
        if (pdu.registered_delivery or 0) & 1 and "-" not in message_id:
            self._owe_receipt(provider, system_id, message_id, destination, source)
        return c.SMPP_ESME_ROK, message_id

    def _owe_receipt(
        self,
        provider: SimulatedProvider,
        system_id: str,
        message_id: str,
        handset: str,
        sender: str,
    ) -> None:
        """Send the receipt of an accepted message after the provider's receipt delay."""
        received = ReceivedSms.objects.filter(order_id=int(message_id)).first()
        if received is None or not received.receipt_state:
            return
        receipt = PendingReceipt(
            system_id=system_id,
            message_id=message_id,
            handset=handset,
            sender=sender,
            state=received.receipt_state,
            submitted_at=received.received_at,
            text=received.text,
        )
        self.server.receipts.schedule(receipt, provider.receipt_delay_seconds)

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
        with self.send_lock:  # a receipt may be written to this connection meanwhile
            self.request.sendall(reply.generate())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address) -> None:
        super().__init__(address, _SessionHandler)
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.binds = 0
        self.unbinds = 0
        self.parts: list[SubmittedPart] = []
        self.receipts = ReceiptSender()
        self.concatenations = Concatenations()
        self.outstanding = 0  # submit_sm received and not answered yet
        self.outstanding_peak = 0

    def outstanding_changed(self, change: int) -> None:
        with self.lock:
            self.outstanding += change
            self.outstanding_peak = max(self.outstanding_peak, self.outstanding)


class SmscSimulator:
    """An SMPP server run in a background thread: start(), then stop()."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port))
        self.host, self.port = self._server.server_address[:2]
        # A short poll interval: stop() waits for one, and tests start and stop a server each.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"smsc-simulator-{self.port}",
            daemon=True,
        )

    @property
    def binds(self) -> int:
        """Successful binds since the start."""
        return self._server.binds

    @property
    def unbinds(self) -> int:
        """Unbinds asked for by clients since the start."""
        return self._server.unbinds

    @property
    def parts(self) -> list[SubmittedPart]:
        """Every accepted submit_sm, in order."""
        return self._server.parts

    @property
    def outstanding_peak(self) -> int:
        """The most submit_sm received and not yet answered at one moment (a client's window)."""
        return self._server.outstanding_peak

    @property
    def receipts(self) -> ReceiptSender:
        """The receipts it owes and has sent."""
        return self._server.receipts

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
