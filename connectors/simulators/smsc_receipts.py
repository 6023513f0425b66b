"""The simulated SMSC's delivery receipts: deliver_sm PDUs to the account's receiver binds.

A submit_sm with registered_delivery asks for one. After the provider's receipt delay it goes to
a receiver (or transceiver) bind of the same system_id; with none bound it waits for one, as an
SMSC stores receipts. Like several real SMSCs, the receipt text writes the message id in hex
while submit_sm_resp gave it in decimal; the message_state TLV carries the state.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import smpplib.consts as c
import smpplib.smpp
from django.utils import timezone

STATS = {"delivered": ("DELIVRD", 2, "000"), "undelivered": ("UNDELIV", 5, "001")}


@dataclass(frozen=True)
class PendingReceipt:
    """A receipt the simulated SMSC owes a system_id."""

    system_id: str
    message_id: str  # as submit_sm_resp gave it (decimal)
    handset: str  # the recipient, the receipt's source_addr
    sender: str
    state: str  # "delivered" or "undelivered"
    submitted_at: datetime
    text: str


class Receiver:
    """A receiver bind: where deliver_sm PDUs are written (under a lock: the session writes too)."""

    def __init__(self, send: Callable[[bytes], None], lock: threading.Lock) -> None:
        self.send = send
        self.lock = lock


class ReceiptSender:
    """The receiver binds by system_id, and the receipts waiting for one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.receivers: dict[str, list[Receiver]] = defaultdict(list)
        self.waiting: dict[str, list[PendingReceipt]] = defaultdict(list)
        self.sent: list[PendingReceipt] = []
        self._sequence = 0

    def bound(self, system_id: str, receiver: Receiver) -> None:
        """A receiver bound: it gets what waited for it."""
        with self.lock:
            self.receivers[system_id].append(receiver)
            waiting = self.waiting.pop(system_id, [])
        for receipt in waiting:
            self.send(receipt)

    def unbound(self, system_id: str, receiver: Receiver) -> None:
        with self.lock:
            if receiver in self.receivers.get(system_id, []):
                self.receivers[system_id].remove(receiver)

    def schedule(self, receipt: PendingReceipt, delay: float) -> None:
        """Send the receipt after the delay (a timer thread)."""
        timer = threading.Timer(delay, self.send, args=(receipt,))
        timer.daemon = True
        timer.start()

    def send(self, receipt: PendingReceipt) -> None:
        """Write the deliver_sm to a receiver of its system_id, or keep it until one binds."""
        with self.lock:
            receivers = list(self.receivers.get(receipt.system_id, []))
            if not receivers:
                self.waiting[receipt.system_id].append(receipt)
                return
            self._sequence += 1
            sequence = self._sequence
        pdu = deliver_sm(receipt, sequence)
        receiver = receivers[0]
        try:
            with receiver.lock:
                receiver.send(pdu)
        except OSError:  # the bind went away meanwhile: wait for the next one
            self.unbound(receipt.system_id, receiver)
            with self.lock:
                self.waiting[receipt.system_id].append(receipt)
            return
        with self.lock:
            self.sent.append(receipt)


class _Numbers:
    """smpplib asks the PDU's client for a sequence number; the sender sets its own."""

    sequence = 0

    def next_sequence(self) -> int:
        return 0


def deliver_sm(receipt: PendingReceipt, sequence: int) -> bytes:
    """The receipt as a deliver_sm PDU (esm_class 0x04), text in the SMPP 3.4 Appendix B form."""
    stat, message_state, error = STATS[receipt.state]
    stamp = "%y%m%d%H%M"
    done = timezone.now()
    delivered = "001" if receipt.state == "delivered" else "000"
    text = (
        f"id:{int(receipt.message_id):X} sub:001 dlvrd:{delivered} "
        f"submit date:{receipt.submitted_at.strftime(stamp)} done date:{done.strftime(stamp)} "
        f"stat:{stat} err:{error} text:{receipt.text[:20]}"
    )
    pdu = smpplib.smpp.make_pdu(
        "deliver_sm",
        client=_Numbers(),
        source_addr_ton=c.SMPP_TON_INTL,
        source_addr_npi=c.SMPP_NPI_ISDN,
        source_addr=receipt.handset,
        dest_addr_ton=c.SMPP_TON_ALNUM,
        destination_addr=receipt.sender,
        esm_class=0x04,
        short_message=text.encode("latin-1", errors="replace"),
        message_state=message_state,
    )
    pdu.sequence = sequence
    return pdu.generate()
