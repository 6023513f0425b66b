"""SMSC: an SMPP 3.4 connector bound as transmitter, one bind kept per worker thread."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import smpplib.consts as c
import smpplib.smpp
from django import forms
from django.core.exceptions import ValidationError

from connectors.providers.base import Provider, text_fits
from connectors.providers.smsc.session import (
    Session,
    host_allowed_error,
    session_bind,
    session_forget,
    session_kept,
    session_new,
)
from connectors.providers.smsc.statuses import status_code, status_error
from connectors.providers.types import (
    BulkItem,
    Call,
    Category,
    CheckResult,
    Exchange,
    OutboundSms,
    ProviderError,
    SendResult,
)
from core.text import GSM_7, UCS_2, encoding_for, gsm_decode, gsm_encode, split_parts

if TYPE_CHECKING:
    from connectors.models import Connector

CODING_NAMES = {
    c.SMPP_ENCODING_DEFAULT: "GSM-7",
    c.SMPP_ENCODING_ISO88591: "Latin-1",
    c.SMPP_ENCODING_ISO10646: "UCS-2",
}
MAX_PARTS = 255  # the concatenation header counts parts in one octet
LATIN1_SINGLE, LATIN1_PART = 140, 134  # octets; a part gives 6 to the concatenation header
WINDOW = 10  # submit_sm outstanding on one bind at once (a common SMSC window)
CONCATENATED = 0x40  # esm_class UDHI: short_message starts with a user data header

TON_CHOICES = [
    ("auto", "Automatic (alphanumeric 5, numeric 1)"),
    ("0", "0 Unknown"),
    ("1", "1 International"),
    ("2", "2 National"),
    ("3", "3 Network specific"),
    ("5", "5 Alphanumeric"),
    ("6", "6 Abbreviated"),
]
NPI_CHOICES = [
    ("auto", "Automatic (alphanumeric 0, numeric 1)"),
    ("0", "0 Unknown"),
    ("1", "1 ISDN (E.164)"),
    ("8", "8 National"),
    ("9", "9 Private"),
]


class SmscProvider(Provider):
    slug = "smsc"
    name = "SMSC (SMPP)"
    default_priority = 50
    default_base_url = ""
    description = (
        "A direct SMPP 3.4 connection to an operator's or aggregator's SMS centre (SMSC). The "
        "SMSC operator gives you the host, port, system ID and password."
    )
    username_label = "System ID"
    password_label = "Password"
    username_help = "The login (system_id) the SMSC operator gave you; at most 15 characters."
    password_help = "The password the SMSC operator gave you; SMPP allows at most 8 characters."
    max_text_length = 1530  # ten concatenated GSM-7 parts
    number_format = "international digits (TON 1, NPI 1)"
    max_sender_length = 11
    sender_code = status_code(c.SMPP_ESME_RINVSRCADR)
    too_long_code = status_code(c.SMPP_ESME_RINVMSGLEN)
    validity_parameter = "validity_period"
    # A "bulk request" is a window of outstanding submit_sm on one bind (one per part).
    supports_bulk = True
    max_recipients_per_request = WINDOW
    extra_option_fields = {
        "host": forms.CharField(
            label="SMSC host",
            max_length=253,
            help_text=(
                "Host name or IP address from the SMSC operator. An administrator must have "
                "allowed it (SMSCONSOLE_PROVIDER_SMPP_HOSTS)."
            ),
        ),
        "port": forms.IntegerField(
            label="SMSC port",
            min_value=1,
            max_value=65535,
            initial=2775,
            help_text="From the SMSC operator; 2775 is the usual SMPP port.",
        ),
        "system_type": forms.CharField(
            label="System type (optional)",
            max_length=12,
            required=False,
            help_text="Only if the SMSC operator asked for one; usually empty.",
        ),
        "source_ton": forms.ChoiceField(
            label="Sender type (TON)",
            choices=TON_CHOICES,
            initial="auto",
            help_text="Keep Automatic unless the SMSC operator gives other values.",
        ),
        "source_npi": forms.ChoiceField(
            label="Sender numbering plan (NPI)",
            choices=NPI_CHOICES,
            initial="auto",
            help_text="Keep Automatic unless the SMSC operator gives other values.",
        ),
        "data_coding": forms.ChoiceField(
            label="Character encoding",
            choices=[
                ("gsm", "Automatic: GSM-7, or UCS-2 when the text needs it (recommended)"),
                ("latin1", "Latin-1, or UCS-2 when the text needs it"),
                ("ucs2", "Always UCS-2"),
            ],
            initial="gsm",
            help_text=(
                "GSM-7 fits 160 characters in one SMS. Turkish ç ğ ı ş, Arabic and emoji need "
                "UCS-2: 70 characters per SMS."
            ),
        ),
    }

    def option_fields(self) -> dict[str, forms.Field]:
        """The base fields without base_url, and the SMSC's host, port and codings."""
        fields = super().option_fields()
        del fields["base_url"]  # SMPP has a host and a port, not a URL
        return fields

    def clean_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """The base checks, and a host the administrator allowed (SSRF guard)."""
        cleaned = super().clean_options(options)
        if problem := host_allowed_error(cleaned["host"]):
            raise ValidationError({"options.host": [problem]})
        return cleaned

    # -- behaviour ------------------------------------------------------------------------------

    def send(self, *, connector: Connector, message: OutboundSms, call: Call) -> SendResult:
        """One submit_sm per part over the kept bind, in a window; the first part's id is the
        message's."""
        (item,) = self.send_bulk(connector=connector, messages=[message], call=call)
        if item.error is not None:
            raise item.error
        return item.result

    def send_bulk(
        self, *, connector: Connector, messages: list[OutboundSms], call: Call
    ) -> list[BulkItem]:
        """Every part of every message as a submit_sm on the kept bind, up to WINDOW outstanding
        (answers matched by sequence number): nobody waits for each answer in turn."""
        session = session_kept(connector, call.log)
        pdus: list[tuple[Any, str]] = []
        owners: list[int] = []  # the index of the message each PDU is a part of
        codings: list[tuple[int, int]] = []  # (coding, parts) per message
        for index, message in enumerate(messages):
            parts, coding, esm_class = self._parts(connector, message.text)
            codings.append((coding, len(parts)))
            for number, part in enumerate(parts, start=1):
                pdu = self._submit_pdu(
                    connector, session, message, (part, number, esm_class, coding)
                )
                pdus.append((pdu, self._describe_submit(pdu, number, len(parts), part, coding)))
                owners.append(index)
        answers = session.window(pdus, WINDOW)
        if any(
            isinstance(a, ProviderError)
            and a.category in (Category.TIMEOUT, Category.NETWORK, Category.CREDENTIALS)
            for a in answers
        ):
            session_forget(connector)  # a broken or refused bind is not kept
        return [
            self._item(
                message,
                [a for a, o in zip(answers, owners, strict=True) if o == index],
                *codings[index],
            )
            for index, message in enumerate(messages)
        ]

    def _submit_pdu(
        self,
        connector: Connector,
        session: Session,
        message: OutboundSms,
        part_of: tuple[bytes, int, int, int],
    ) -> Any:
        """The submit_sm of one part: (short_message, part number, esm_class, data_coding)."""
        part, number, esm_class, coding = part_of
        ton, npi = self._source_ton_npi(connector, message.sender)
        seconds = message.seconds_left()
        validity = {} if seconds is None else {"validity_period": relative_time(seconds)}
        return smpplib.smpp.make_pdu(
            "submit_sm",
            client=session.client,
            source_addr_ton=ton,
            source_addr_npi=npi,
            source_addr=message.sender,
            dest_addr_ton=c.SMPP_TON_INTL,
            dest_addr_npi=c.SMPP_NPI_ISDN,
            destination_addr=message.number.lstrip("+"),
            esm_class=esm_class,
            data_coding=coding,
            short_message=part,
            # A receipt for the message (its first part): run_smpp_receipts reads it.
            registered_delivery=1 if number == 1 else 0,
            **validity,
        )

    @staticmethod
    def _item(message: OutboundSms, answers: list[Any], coding: int, parts: int) -> BulkItem:
        """One message's outcome from the answers to its parts (in order)."""
        ids: list[str] = []
        for answer in answers:
            if isinstance(answer, ProviderError):
                return BulkItem(message, error=answer)
            if answer.status != c.SMPP_ESME_ROK:
                accepted = f"part(s) already accepted: {', '.join(ids)}" if ids else ""
                return BulkItem(message, error=status_error(answer.status, detail=accepted))
            ids.append((answer.message_id or b"").decode("latin-1"))
        detail = (
            f"{parts} parts ({CODING_NAMES[coding]}): {', '.join(ids)}"
            if parts > 1
            else CODING_NAMES[coding]
        )
        result = SendResult(
            provider_message_id=ids[0], code=status_code(c.SMPP_ESME_ROK), detail=detail
        )
        return BulkItem(message, result=result)

    def sends_receipts(self, connector: Connector) -> bool:
        """Receipts come as deliver_sm PDUs on a receiver bind (smsc/receipts.py)."""
        return True

    def check(self, *, connector: Connector, log: list[Exchange]) -> CheckResult:
        """Bind afresh (the kept bind could hide a changed password), enquire_link, unbind."""
        session: Session = session_new(connector, log)
        try:
            session_bind(session, connector)
            session.round_trip(
                smpplib.smpp.make_pdu("enquire_link", client=session.client), "enquire_link"
            )
            session.round_trip(smpplib.smpp.make_pdu("unbind", client=session.client), "unbind")
        except ProviderError as error:
            return CheckResult(ok=False, detail=error.detail)
        finally:
            session.client.disconnect()
        return CheckResult(ok=True, detail=f"Bound as transmitter to {session.url[7:]}.")

    # -- helpers --------------------------------------------------------------------------------

    def _parts(self, connector: Connector, text: str) -> tuple[list[bytes], int, int]:
        """(short_message of each part, data_coding, esm_class) for the text.

        Parts are cut by core.text.split_parts, so an escape pair ({ € ...) or an emoji's
        surrogate pair never straddles two parts. GSM-7 goes without the Turkish shift table
        (SMSCs rarely support it), so ç ğ ı ş go as UCS-2.
        """
        chosen = (connector.options or {}).get("data_coding") or "gsm"
        if chosen == "gsm" and encoding_for(text) == GSM_7:
            coding, chunks, encode = c.SMPP_ENCODING_DEFAULT, split_parts(text, GSM_7), gsm_encode
        elif chosen == "latin1" and text_fits(text, "latin-1"):
            coding, encode = c.SMPP_ENCODING_ISO88591, _encode_latin1
            size = LATIN1_SINGLE if len(text) <= LATIN1_SINGLE else LATIN1_PART
            chunks = [text[start : start + size] for start in range(0, len(text), size)]
        else:
            coding, chunks = c.SMPP_ENCODING_ISO10646, split_parts(text, UCS_2)
            encode = _encode_ucs2
        if len(chunks) > MAX_PARTS:
            raise ProviderError(
                Category.CONTENT, f"The text needs more than {MAX_PARTS} SMPP parts."
            )
        if len(chunks) <= 1:
            return [encode(text)], coding, 0
        # Concatenation IE 0x00: 8-bit reference shared by the parts, part count, part number.
        reference = random.randint(0, 255)
        return (
            [
                bytes((0x05, 0x00, 0x03, reference, len(chunks), number)) + encode(chunk)
                for number, chunk in enumerate(chunks, start=1)
            ],
            coding,
            CONCATENATED,
        )

    def _source_ton_npi(self, connector: Connector, sender: str) -> tuple[int, int]:
        options = connector.options or {}
        numeric = sender.lstrip("+").isdigit()
        ton, npi = options.get("source_ton", "auto"), options.get("source_npi", "auto")
        return (
            int(ton) if ton != "auto" else (c.SMPP_TON_INTL if numeric else c.SMPP_TON_ALNUM),
            int(npi) if npi != "auto" else (c.SMPP_NPI_ISDN if numeric else c.SMPP_NPI_UNK),
        )

    @staticmethod
    def _describe_submit(pdu, number: int, total: int, part: bytes, coding: int) -> str:
        udh = part[0] + 1 if pdu.esm_class & CONCATENATED else 0
        if coding == c.SMPP_ENCODING_ISO10646:
            text = part[udh:].decode("utf-16-be", errors="replace")
        elif coding == c.SMPP_ENCODING_ISO88591:
            text = part[udh:].decode("latin-1")
        else:
            text = gsm_decode(part[udh:])
        return (
            f"submit_sm part {number}/{total} source_addr={pdu.source_addr} "
            f"(TON {pdu.source_addr_ton}, NPI {pdu.source_addr_npi}) "
            f"destination_addr={pdu.destination_addr} esm_class=0x{pdu.esm_class:02X} "
            f"data_coding=0x{coding:02X} sm_length={len(part)} text={text!r}"
        )


def relative_time(seconds: int) -> str:
    """An SMPP 3.4 relative time (section 7.1.1), YYMMDDhhmmss then "000R", of at least 1 s."""
    days, rest = divmod(max(seconds, 1), 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"0000{days:02d}{hours:02d}{minutes:02d}{seconds:02d}000R"


def _encode_latin1(text: str) -> bytes:
    return text.encode("latin-1")


def _encode_ucs2(text: str) -> bytes:
    return text.encode("utf-16-be")  # UCS-2 as SMSCs take it: astral characters as surrogates
