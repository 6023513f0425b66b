"""SMSC: an SMPP 3.4 connector bound as transmitter, one bind kept per worker thread."""

from __future__ import annotations

import logging
import random
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
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from connectors.providers.base import (
    Answer,
    CannotCarry,
    Category,
    CheckResult,
    Exchange,
    OutboundSms,
    Outcome,
    Provider,
    ProviderError,
    SendResult,
    answer_error,
)
from messaging.text import GSM_7, UCS_2, encoding_for, split_parts

if TYPE_CHECKING:
    from connectors.models import Connector

# smpplib logs every PDU in hex at DEBUG, the bind PDU with the password: never let that through.
LOGGER_NAME = "smsconsole.smpp"
logging.getLogger(LOGGER_NAME).setLevel(logging.WARNING)

SYSTEM_ID_MAX = 15  # SMPP 3.4 C-Octet String of at most 16 octets with the terminating NUL
PASSWORD_MAX = 8  # at most 9 octets with the NUL
INTERFACE_VERSION = 0x34

# submit_sm_resp / bind_transmitter_resp command_status -> category and meaning.
_STATUS_ROWS = [
    ("ESME_RINVPASWD", Category.CREDENTIALS, "The SMSC rejected the password"),
    ("ESME_RINVSYSID", Category.CREDENTIALS, "The SMSC does not know this system_id"),
    ("ESME_RBINDFAIL", Category.CREDENTIALS, "The SMSC refused the bind"),
    ("ESME_RINVSYSTYP", Category.CREDENTIALS, "The SMSC rejected the system_type"),
    ("ESME_RALYBND", Category.PROVIDER_ERROR, "The SMSC says this ESME is already bound"),
    ("ESME_RINVBNDSTS", Category.PROVIDER_ERROR, "The SMSC says the bind cannot submit now"),
    ("ESME_RTHROTTLED", Category.RATE_LIMIT, "The SMSC is throttling this account"),
    ("ESME_RMSGQFUL", Category.PROVIDER_ERROR, "The SMSC's message queue is full"),
    ("ESME_RSYSERR", Category.PROVIDER_ERROR, "The SMSC had a system error"),
    ("ESME_RSUBMITFAIL", Category.PROVIDER_ERROR, "The SMSC could not submit the message"),
    ("ESME_RX_T_APPN", Category.PROVIDER_ERROR, "The SMSC reported a temporary error"),
    ("ESME_RINVDSTADR", Category.RECIPIENT, "The SMSC rejected the destination number"),
    ("ESME_RINVDSTTON", Category.RECIPIENT, "The SMSC rejected the destination TON"),
    ("ESME_RINVDSTNPI", Category.RECIPIENT, "The SMSC rejected the destination NPI"),
    ("ESME_RINVSRCADR", Category.SENDER, "The SMSC rejected the sender (source address)"),
    ("ESME_RINVSRCTON", Category.SENDER, "The SMSC rejected the source address TON"),
    ("ESME_RINVSRCNPI", Category.SENDER, "The SMSC rejected the source address NPI"),
    ("ESME_RINVMSGLEN", Category.CONTENT, "The SMSC rejected the message length"),
    ("ESME_RINVESMCLASS", Category.CONTENT, "The SMSC rejected the esm_class (UDH)"),
    ("ESME_RX_P_APPN", Category.CONTENT, "The SMSC reported a permanent error"),
    ("ESME_RX_R_APPN", Category.CONTENT, "The SMSC rejected the message"),
]
COMMAND_STATUSES: dict[int, Answer] = {
    getattr(c, f"SMPP_{name}"): Answer(Outcome.FAILED, category, message, name)
    for name, category, message in _STATUS_ROWS
}
UNKNOWN_STATUS = Answer(
    Outcome.FAILED, Category.UNKNOWN, "The SMSC answered with an undocumented command status"
)

CODING_NAMES = {
    c.SMPP_ENCODING_DEFAULT: "GSM-7",
    c.SMPP_ENCODING_ISO88591: "Latin-1",
    c.SMPP_ENCODING_ISO10646: "UCS-2",
}
MAX_PARTS = 255  # the concatenation header counts parts in one octet
LATIN1_SINGLE, LATIN1_PART = 140, 134  # octets; a part gives 6 to the concatenation header
CONCATENATED = 0x40  # esm_class UDHI: short_message starts with a user data header

# GSM 03.38 default alphabet in code order (0x1B is the escape), and the extension table. Written
# out because smpplib's table has a backtick where § belongs and lacks the form feed.
GSM_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
GSM_EXTENSION_DECODE = {code: char for char, code in GSM_EXTENSION.items()}

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


def close_binds() -> None:
    """Unbind and close every bind this thread keeps (worker shutdown, tests)."""
    for _key, client in list(_binds.by_connector.values()):
        _close(client, unbind=True)
    _binds.by_connector.clear()


def _close(client: smpplib.client.Client, *, unbind: bool) -> None:
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
    client.disconnect()


class Session:
    """One bind to an SMSC, recording each PDU round trip as an Exchange."""

    def __init__(self, *, host: str, port: int, timeout: float, password: str) -> None:
        self.url = f"smpp://{host}:{port}"
        self.password = password
        self.exchanges: list[Exchange] = []
        self.client = smpplib.client.Client(
            host, port, timeout=timeout, logger_name=LOGGER_NAME, allow_unknown_opt_params=True
        )

    def round_trip(self, pdu, summary: str) -> Any:
        """Send one PDU and read its response, skipping PDUs the SMSC sends meanwhile."""
        exchange = Exchange(method="SMPP", url=self.url, request_body=summary)
        self.exchanges.append(exchange)
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
        except (
            TimeoutError,
            smpplib.exceptions.ConnectionError,
            smpplib.exceptions.PDUError,
            OSError,
        ) as exc:
            error = transport_error(exc, self.client.timeout)
            exchange.error = error.detail
            raise error from exc
        finally:
            exchange.duration_ms = round((time.monotonic() - started) * 1000)
        exchange.response_body = describe_response(response)
        return response

    def connect_and_bind(self, *, system_id: str, system_type: str) -> None:
        """Open the TCP connection and bind as transmitter; raise ProviderError when refused."""
        exchange = Exchange(method="SMPP", url=self.url, request_body="connect")
        self.exchanges.append(exchange)
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
            while select.select([sock], [], [], 0)[0]:
                if not self._answer_unsolicited(self.client.read_pdu()):
                    return False
        except (
            TimeoutError,
            smpplib.exceptions.ConnectionError,
            smpplib.exceptions.PDUError,
            OSError,
        ):
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


def transport_error(exc: BaseException, timeout: float) -> ProviderError:
    """A timeout or a connection fault, told apart by the socket error underneath smpplib's."""
    inner: BaseException | None = exc
    while inner is not None:
        if isinstance(inner, TimeoutError):
            return ProviderError(Category.TIMEOUT, f"The SMSC did not answer within {timeout:g} s.")
        if isinstance(inner, ConnectionRefusedError):
            return ProviderError(
                Category.NETWORK,
                "The SMSC refused the connection (nothing listens on that host and port).",
            )
        inner = inner.__cause__ or inner.__context__
    if isinstance(exc, smpplib.exceptions.PDUError):
        return ProviderError(
            Category.PROVIDER_ERROR,
            f"The SMSC sent a PDU that could not be read: {exc.args[0] if exc.args else exc}",
        )
    return ProviderError(Category.NETWORK, "The SMSC closed the connection or it broke off.")


def gsm_encode(text: str) -> bytes:
    """GSM 7-bit default alphabet text as unpacked octets (one septet each, as SMPP has it)."""
    octets = bytearray()
    for char in text:
        if char in GSM_EXTENSION:
            octets += bytes((0x1B, GSM_EXTENSION[char]))
        else:
            octets.append(GSM_ALPHABET.index(char))
    return bytes(octets)


def gsm_decode(octets: bytes) -> str:
    """Unpacked GSM 7-bit octets back to text."""
    chars, escaped = [], False
    for octet in octets:
        if octet == 0x1B and not escaped:
            escaped = True
            continue
        chars.append(
            GSM_EXTENSION_DECODE.get(octet, " ") if escaped else GSM_ALPHABET[octet % 0x80]
        )
        escaped = False
    return "".join(chars)


def command_status_parse(text: str) -> int | None:
    """A command_status written as a name (ESME_RTHROTTLED) or a number (0x58, 88), or None."""
    value = text.strip().upper()
    if value == "ESME_ROK":
        return c.SMPP_ESME_ROK
    for status, answer in COMMAND_STATUSES.items():
        if answer.original == value:
            return status
    try:
        status = int(value, 0)
    except ValueError:
        return None
    return status if 0 <= status <= 0xFFFFFFFF else None


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


def status_error(status: int, *, detail: str = "") -> ProviderError:
    """The typed error for a non-zero command_status."""
    answer = COMMAND_STATUSES.get(status, UNKNOWN_STATUS)
    return answer_error(answer, code=f"0x{status:08X}", detail=detail)


def status_name(status: int) -> str:
    """The SMPP name of a command status (ESME_ROK, ESME_RTHROTTLED, …) for the exchange log."""
    known = COMMAND_STATUSES.get(status)
    if status == c.SMPP_ESME_ROK:
        return "ESME_ROK"
    return known.original if known else c.DESCRIPTIONS.get(status, "unknown")


def describe_response(pdu) -> str:
    """A one-line summary of a response PDU for the exchange log."""
    text = f"{pdu.command} command_status=0x{pdu.status:08X} ({status_name(pdu.status)})"
    for name in ("message_id", "system_id"):
        value = getattr(pdu, name, None)
        if value:
            text += f" {name}={value.decode('latin-1') if isinstance(value, bytes) else value}"
    return text


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

    def send(self, *, connector: Connector, message: OutboundSms) -> SendResult:
        """One submit_sm per part over the kept bind; the first part's id is the message's."""
        sender = self.sender_for(connector, message)
        parts, coding, esm_class = self._parts(connector, message.text)
        session = self._session(connector)
        ton, npi = self._source_ton_npi(connector, sender)
        ids: list[str] = []
        try:
            for number, part in enumerate(parts, start=1):
                pdu = smpplib.smpp.make_pdu(
                    "submit_sm",
                    client=session.client,
                    source_addr_ton=ton,
                    source_addr_npi=npi,
                    source_addr=sender,
                    dest_addr_ton=c.SMPP_TON_INTL,
                    dest_addr_npi=c.SMPP_NPI_ISDN,
                    destination_addr=message.to.lstrip("+"),
                    esm_class=esm_class,
                    data_coding=coding,
                    short_message=part,
                    registered_delivery=0,
                )
                response = session.round_trip(
                    pdu, self._describe_submit(pdu, number, len(parts), part, coding)
                )
                if response.status != c.SMPP_ESME_ROK:
                    accepted = f"part(s) already accepted: {', '.join(ids)}" if ids else ""
                    raise status_error(response.status, detail=accepted)
                ids.append((response.message_id or b"").decode("latin-1"))
        except ProviderError as error:
            if error.category in (Category.TIMEOUT, Category.NETWORK, Category.CREDENTIALS):
                self._forget(connector)  # a broken or refused bind is not kept
            error.exchanges = session.exchanges
            raise
        detail = (
            f"{len(parts)} parts ({CODING_NAMES[coding]}): {', '.join(ids)}"
            if len(parts) > 1
            else CODING_NAMES[coding]
        )
        return SendResult(
            provider_message_id=ids[0],
            code="0x00000000",
            detail=detail,
            exchanges=session.exchanges,
        )

    def check(self, *, connector: Connector) -> CheckResult:
        """Bind afresh (the kept bind could hide a changed password), enquire_link, unbind."""
        session = self._new_session(connector)
        try:
            self._bind(session, connector)
            session.round_trip(
                smpplib.smpp.make_pdu("enquire_link", client=session.client), "enquire_link"
            )
            session.round_trip(smpplib.smpp.make_pdu("unbind", client=session.client), "unbind")
        except ProviderError as error:
            return CheckResult(ok=False, detail=error.detail, exchanges=session.exchanges)
        finally:
            session.client.disconnect()
        return CheckResult(
            ok=True,
            detail=f"Bound as transmitter to {session.url[7:]}.",
            exchanges=session.exchanges,
        )

    # -- helpers --------------------------------------------------------------------------------

    def _session(self, connector: Connector) -> Session:
        """This thread's bind for the connector, bound afresh when missing, changed or dropped."""
        key = self._bind_key(connector)
        kept = _binds.by_connector.get(connector.pk)
        if kept is not None:
            kept_key, client = kept
            session = self._new_session(connector, client=client)
            if kept_key == key and session.alive():
                return session
            self._forget(connector)
        session = self._new_session(connector)
        try:
            self._bind(session, connector)
        except ProviderError as error:
            session.client.disconnect()
            error.exchanges = session.exchanges
            raise
        _binds.by_connector[connector.pk] = (key, session.client)
        return session

    def _new_session(
        self, connector: Connector, *, client: smpplib.client.Client | None = None
    ) -> Session:
        options = connector.options or {}
        session = Session(
            host=options.get("host", ""),
            port=int(options.get("port") or 2775),
            timeout=float(options.get("timeout_seconds") or 10),
            password=connector.password,
        )
        if client is not None:
            session.client = client
        return session

    def _bind(self, session: Session, connector: Connector) -> None:
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

    def _forget(self, connector: Connector) -> None:
        kept = _binds.by_connector.pop(connector.pk, None)
        if kept is not None:
            _close(kept[1], unbind=False)

    def _bind_key(self, connector: Connector) -> BindKey:
        options = connector.options or {}
        return BindKey(
            connector_id=connector.pk,
            host=options.get("host", ""),
            port=int(options.get("port") or 2775),
            system_id=connector.username,
            password_digest=sha256(connector.password.encode()).hexdigest(),
            system_type=options.get("system_type", ""),
        )

    def _parts(self, connector: Connector, text: str) -> tuple[list[bytes], int, int]:
        """(short_message of each part, data_coding, esm_class) for the text.

        Parts are cut by messaging.text.split_parts, so an escape pair ({ € ...) or an emoji's
        surrogate pair never straddles two parts. GSM-7 goes without the Turkish shift table
        (SMSCs rarely support it), so ç ğ ı ş go as UCS-2.
        """
        chosen = (connector.options or {}).get("data_coding") or "gsm"
        if chosen == "gsm" and encoding_for(text) == GSM_7:
            coding, chunks, encode = c.SMPP_ENCODING_DEFAULT, split_parts(text, GSM_7), gsm_encode
        elif chosen == "latin1" and _latin1(text):
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


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _encode_latin1(text: str) -> bytes:
    return text.encode("latin-1")


def _encode_ucs2(text: str) -> bytes:
    return text.encode("utf-16-be")  # UCS-2 as SMSCs take it: astral characters as surrogates
