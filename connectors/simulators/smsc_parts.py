"""The SMSC simulator's message parts: what each submit_sm carried, and a long message's parts
joined into the one ReceivedSms the Simulators page shows."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import smpplib.consts as c

from connectors.simulators.services import simulator_received_text_set, simulator_sms_receive
from core.text import gsm_decode


@dataclass
class SubmittedPart:
    """One submit_sm as it came over the wire, kept in memory for inspection."""

    system_id: str
    source_addr: str
    source_ton: int
    destination_addr: str
    data_coding: int
    esm_class: int
    short_message: bytes
    message_id: str
    validity_period: str = ""


@dataclass
class _Concatenation:
    """The parts of a concatenated message received so far, and the row they are stored in."""

    order_id: int
    total: int
    texts: dict[int, str]


def _decode(payload: bytes, data_coding: int) -> str:
    if data_coding == c.SMPP_ENCODING_ISO10646:
        return payload.decode("utf-16-be")
    if data_coding == c.SMPP_ENCODING_ISO88591:
        return payload.decode("latin-1")
    return gsm_decode(payload)


def part_read(pdu, system_id: str, destination: str) -> tuple[str, tuple | None]:
    """A submit_sm's text, and (concatenation key, part number) when it is a part of a long message.

    Raises UnicodeDecodeError for a part cut through a UTF-16 surrogate pair.
    """
    payload, concatenation = pdu.short_message or b"", None
    if (pdu.esm_class or 0) & c.SMPP_GSMFEAT_UDHI:
        header_length = payload[0] + 1
        # IE 0x00 (8-bit reference): 05 00 03 <reference> <total> <number>
        reference, total, number = payload[3], payload[4], payload[5]
        payload = payload[header_length:]
        concatenation = (system_id, destination, reference, total), number
    return _decode(payload, pdu.data_coding or 0), concatenation


class Concatenations:
    """Messages stored as their parts arrive: the first part stores, later parts extend its text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[tuple, _Concatenation] = {}

    def store(
        self, account, source: str, destination: str, text: str, concatenation, *, validity: str
    ) -> str | None:
        """Store a message, or a part of one; the message id to answer, None without balance.

        The first part charges and stores the message; later parts extend its text, so the
        Simulators page shows whole messages under the id the connector got for the first part.
        """
        if concatenation is None:
            order_id = simulator_sms_receive(
                account=account, sender=source, messages=[(destination, text)], validity=validity
            )
            return None if order_id is None else str(order_id)
        key, number = concatenation
        with self._lock:
            pending = self._pending.get(key)
        if pending is None:
            order_id = simulator_sms_receive(
                account=account, sender=source, messages=[(destination, text)], validity=validity
            )
            if order_id is None:
                return None
            pending = _Concatenation(order_id=order_id, total=key[3], texts={})
        pending.texts[number] = text
        joined = "".join(part for _number, part in sorted(pending.texts.items()))
        simulator_received_text_set(order_id=pending.order_id, text=joined)
        with self._lock:
            if len(pending.texts) >= pending.total:
                self._pending.pop(key, None)
            else:
                self._pending[key] = pending
        return str(pending.order_id) if number == 1 else f"{pending.order_id}-{number}"
