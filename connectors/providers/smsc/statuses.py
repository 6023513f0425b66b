"""SMPP 3.4 command statuses: what each means for a send, and how they are written and read."""

import smpplib.consts as c
import smpplib.exceptions

from connectors.providers.types import Answer, Category, Outcome, ProviderError, answer_error

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
    ("ESME_RINVEXPIRY", Category.UNKNOWN, "The SMSC rejected the validity period"),
]
COMMAND_STATUSES: dict[int, Answer] = {
    getattr(c, f"SMPP_{name}"): Answer(Outcome.FAILED, category, message, name)
    for name, category, message in _STATUS_ROWS
}
UNKNOWN_STATUS = Answer(
    Outcome.FAILED, Category.UNKNOWN, "The SMSC answered with an undocumented command status"
)


def status_code(status: int) -> str:
    """A command status as attempts record it: 0x0000000A."""
    return f"0x{status:08X}"


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


def status_error(status: int, *, detail: str = "") -> ProviderError:
    """The typed error for a non-zero command_status."""
    answer = COMMAND_STATUSES.get(status, UNKNOWN_STATUS)
    return answer_error(answer, code=status_code(status), detail=detail)


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
