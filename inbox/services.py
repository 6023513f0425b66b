import hashlib
import hmac
import logging
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from inbox.models import (
    ForwardState,
    InboundMessage,
    OptOut,
    ReceiveConnector,
    ReceiverNumber,
    Routing,
    token_generate,
)
from inbox.numbers import MAX_NUMBER_LENGTH, number_for_opt_out, number_normalise
from inbox.selectors import receive_connector_for_number
from smsconsole.audit import SECRET_CHANGED, audit_changes, audit_record, audit_snapshot

logger = logging.getLogger(__name__)

MAX_KEYWORD_LENGTH = 100
MAX_FORWARD_ANSWER_BYTES = 4096
# What the audit log records of a receive connector; the token only as "changed" on regenerate.
AUDITED_FIELDS = (
    "name",
    "receiver_numbers",
    "require_token",
    "is_active",
    "routing",
    "forward_url",
)


# --- Receiving --------------------------------------------------------------------------------


@dataclass
class ReceiveRefused(Exception):
    """The receiver's answer when a message is not stored: an HTTP status and a sentence."""

    status: int
    message: str

    def __str__(self) -> str:
        return f"{self.status} {self.message}"


def log_safe(value: str, limit: int = 200) -> str:
    """The value with unprintable characters escaped, so a log line stays one line."""
    shortened = value[:limit] + ("…" if len(value) > limit else "")
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in shortened)


def _fold(text: str) -> str:
    # Turkish dotted/dotless i first: "İ".lower() is "i̇" and "ı".upper() is "I" in Python.
    text = text.replace("İ", "I").replace("ı", "i").casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _strip_edges(text: str) -> str:
    # "Stop." or '"İPTAL"\n' still mean stop: drop surrounding whitespace and punctuation.
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start])[0] == "P"):
        start += 1
    while end > start and (
        text[end - 1].isspace() or unicodedata.category(text[end - 1])[0] == "P"
    ):
        end -= 1
    return text[start:end]


def text_is_stop_word(text: str) -> bool:
    """Whether the whole text is a configured stop word, ignoring case, accents and punctuation."""
    stop_words = {_fold(word.strip()) for word in settings.SMSCONSOLE_STOP_WORDS if word.strip()}
    return _fold(_strip_edges(text)) in stop_words


def _fingerprint(*, connector_id: int, receiver: str, sender: str, text: str, keyword: str) -> str:
    parts = "\x1f".join([str(connector_id), receiver, sender, text, keyword])
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


def _missing_parameters(*, receiver: str, sender: str, text: str) -> list[str]:
    required = [
        ("sender", "sender|absender", sender),
        ("receiver", "receiver|ziel|system", receiver),
        ("message", "message|data|smstext", text),
    ]
    # A value of only "+" (a lone encoded plus) says nothing either.
    return [f"{name} ({aliases})" for name, aliases, value in required if not value.strip("+")]


def _check_receive_input(*, receiver: str, sender: str, text: str, keyword: str) -> None:
    missing = _missing_parameters(receiver=receiver, sender=sender, text=text)
    if missing:
        raise ReceiveRefused(400, f"Bad Request: missing {', '.join(missing)}.")
    for name, value in (
        ("receiver", receiver),
        ("sender", sender),
        ("message", text),
        ("keyword", keyword),
    ):
        if "\x00" in value:
            # PostgreSQL cannot store NUL in text: refuse clearly instead of failing with a 500.
            raise ReceiveRefused(400, f"Bad Request: {name} contains a NUL character (%00).")
    for name, value in (("receiver", receiver), ("sender", sender)):
        if len(value) > MAX_NUMBER_LENGTH:
            raise ReceiveRefused(
                400, f"Bad Request: {name} is longer than {MAX_NUMBER_LENGTH} characters."
            )
    max_chars = settings.SMSCONSOLE_INBOUND_MAX_CHARS
    if len(text) > max_chars:
        raise ReceiveRefused(
            400,
            f"Bad Request: message has {len(text)} characters; at most {max_chars} are accepted.",
        )
    if len(keyword) > MAX_KEYWORD_LENGTH:
        raise ReceiveRefused(
            400, f"Bad Request: keyword is longer than {MAX_KEYWORD_LENGTH} characters."
        )


def _check_connector(connector: ReceiveConnector | None, *, receiver: str, token: str) -> None:
    if connector is None or not connector.is_active:
        raise ReceiveRefused(404, f"Not Found: no receive connector serves receiver {receiver}.")
    if connector.require_token:
        if not token:
            raise ReceiveRefused(401, "Unauthorized: this receive connector requires a token.")
        if not hmac.compare_digest(token.encode("utf-8"), connector.token.encode("utf-8")):
            raise ReceiveRefused(401, "Unauthorized: the token is wrong.")
    if connector.routing == Routing.NONE:
        raise ReceiveRefused(
            502, f"Bad Gateway: receive connector '{connector.name}' has no routing configured."
        )


def _serialise_copies(fingerprint: str) -> None:
    """Make two copies of one SMS arriving at once (a provider retrying) wait for each other.

    On PostgreSQL a transaction-scoped advisory lock on the fingerprint does it; SQLite already
    serialises writers (IMMEDIATE transactions).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(fingerprint[:15], 16)])


def inbound_message_receive(
    *, receiver: str, sender: str, text: str, keyword: str = "", token: str = ""
) -> InboundMessage:
    """Store an SMS from /SMSReceiver, or raise ReceiveRefused with the documented status."""
    receiver = number_normalise(receiver)
    sender = number_normalise(sender)
    keyword = keyword.strip()
    _check_receive_input(receiver=receiver, sender=sender, text=text, keyword=keyword)
    connector = receive_connector_for_number(number=receiver)
    _check_connector(connector, receiver=receiver, token=token)

    fingerprint = _fingerprint(
        connector_id=connector.pk, receiver=receiver, sender=sender, text=text, keyword=keyword
    )
    window_start = timezone.now() - timedelta(seconds=settings.SMSCONSOLE_INBOUND_DEDUPE_SECONDS)
    with transaction.atomic():
        _serialise_copies(fingerprint)
        earlier = InboundMessage.objects.filter(
            fingerprint=fingerprint, received_at__gte=window_start
        ).first()
        if earlier is not None:
            logger.info("Inbound SMS %s received again (provider retry); stored once.", earlier.pk)
            return earlier
        stop_word = text_is_stop_word(text)
        forward = connector.routing == Routing.FORWARD
        message = InboundMessage.objects.create(
            connector=connector,
            receiver=receiver,
            sender=sender,
            text=text,
            keyword=keyword,
            is_stop_word=stop_word,
            fingerprint=fingerprint,
            forward_state=ForwardState.PENDING if forward else ForwardState.NOT_FORWARDED,
        )
        if stop_word:
            optout, created = OptOut.objects.get_or_create(
                number=number_for_opt_out(sender),
                defaults={
                    "keyword": _strip_edges(text)[:MAX_KEYWORD_LENGTH],
                    "inbound_message": message,
                },
            )
            if created:
                changes = {"keyword": [None, optout.keyword]}
                audit_record(action="create", target=optout, changes=changes, actor=f"sms:{sender}")
        if forward:
            transaction.on_commit(lambda: _enqueue_forward(message.pk))
    logger.info(
        "Inbound SMS %s from %s to %s via '%s'%s: %s",
        message.pk,
        log_safe(sender),
        log_safe(receiver),
        log_safe(connector.name),
        " (stop word: sender opted out)" if stop_word else "",
        log_safe(text),
    )
    return message


# --- Forwarding -------------------------------------------------------------------------------


def _enqueue_forward(message_id: int) -> None:
    from django_q.tasks import async_task

    async_task("inbox.tasks.inbound_message_forward_task", message_id)


def _forward_retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=30 * 2 ** (attempts - 1))


def forward_payload(message: InboundMessage) -> dict:
    """The JSON body posted to a connector's forward URL (same fields as the inbox API)."""
    return {
        "id": message.pk,
        "receiver": message.receiver,
        "sender": message.sender,
        "text": message.text,
        "keyword": message.keyword,
        "connector": message.connector_id,
        "received_at": message.received_at.isoformat(),
    }


def _post_forward(url: str, payload: dict) -> str:
    """POST the payload; "" when the receiving side answered 2xx, else why not."""
    try:
        with requests.post(
            url,
            json=payload,
            timeout=settings.SMSCONSOLE_FORWARD_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
            headers={"User-Agent": "SMS Console inbox forwarder"},
        ) as answer:
            if 200 <= answer.status_code < 300:
                return ""
            body = answer.raw.read(MAX_FORWARD_ANSWER_BYTES, decode_content=True)
            return f"HTTP {answer.status_code}: {log_safe(body.decode('utf-8', 'replace'))}"
    except requests.Timeout:
        return f"No answer within {settings.SMSCONSOLE_FORWARD_TIMEOUT_SECONDS} seconds."
    except requests.RequestException as error:
        return f"Could not connect: {log_safe(str(error))}"


def inbound_message_forward(*, message_id: int) -> InboundMessage:
    """POST one received message to its connector's forward URL; schedule a retry when it fails."""
    message = InboundMessage.objects.select_related("connector").get(pk=message_id)
    connector = message.connector
    if message.forward_state != ForwardState.PENDING:
        return message
    if connector is None or connector.routing != Routing.FORWARD or not connector.forward_url:
        message.forward_state = ForwardState.FAILED
        message.forward_error = "The receive connector no longer forwards to a URL."
        message.save(update_fields=["forward_state", "forward_error"])
        return message

    error = _post_forward(connector.forward_url, forward_payload(message))
    message.forward_attempts += 1
    message.forward_error = error
    if not error:
        message.forward_state = ForwardState.FORWARDED
        message.forwarded_at = timezone.now()
    elif message.forward_attempts >= settings.SMSCONSOLE_FORWARD_MAX_ATTEMPTS:
        message.forward_state = ForwardState.FAILED
    message.save(
        update_fields=["forward_state", "forward_attempts", "forward_error", "forwarded_at"]
    )
    if message.forward_state == ForwardState.PENDING:
        _schedule_forward_retry(message)
    logger.info(
        "Inbound SMS %s forward attempt %s: %s",
        message.pk,
        message.forward_attempts,
        error or "delivered",
    )
    return message


def _schedule_forward_retry(message: InboundMessage) -> None:
    from django_q.models import Schedule
    from django_q.tasks import schedule

    schedule(
        "inbox.tasks.inbound_message_forward_task",
        message.pk,
        name=f"inbox-forward-{message.pk}-{message.forward_attempts}",
        schedule_type=Schedule.ONCE,
        repeats=1,
        next_run=timezone.now() + _forward_retry_delay(message.forward_attempts),
    )


# --- Receive connectors -----------------------------------------------------------------------


def _console_netlocs(console_url: str) -> set[tuple[str, int | None]]:
    places = set()
    for url in (settings.SMSCONSOLE_PUBLIC_URL, console_url):
        if url:
            parts = urlsplit(url)
            if parts.hostname:
                places.add((parts.hostname.lower(), parts.port or _default_port(parts.scheme)))
    return places


def _default_port(scheme: str) -> int | None:
    return {"http": 80, "https": 443}.get(scheme)


def _forward_url_error(url: str, *, console_url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter a full http:// or https:// URL, e.g. https://crm.example.com/sms/inbound."
    if parts.username or parts.password:
        return "The URL must not carry a user name or password."
    try:
        place = (parts.hostname.lower(), parts.port or _default_port(parts.scheme))
    except ValueError:
        return "The port in this URL is not a number between 1 and 65535."
    if place in _console_netlocs(console_url):
        return "This URL points at the console itself; forward to another system."
    return ""


def _clean_numbers(raw_numbers: list[str], *, connector: ReceiveConnector | None) -> list[str]:
    numbers: list[str] = []
    errors: list[str] = []
    for raw in raw_numbers:
        number = number_normalise(raw)
        if not raw.strip():
            continue
        if not number.lstrip("+").isdigit() or not number.isascii():
            errors.append(
                f"'{raw.strip()}' is not a number: use digits, optionally with a leading +."
            )
        elif len(number) > MAX_NUMBER_LENGTH:
            errors.append(f"'{raw.strip()}' is longer than {MAX_NUMBER_LENGTH} characters.")
        elif number not in numbers:
            numbers.append(number)
    taken = ReceiverNumber.objects.filter(number__in=numbers).select_related("connector")
    if connector is not None:
        taken = taken.exclude(connector=connector)
    errors += [
        f"{item.number} is already served by receive connector '{item.connector.name}'."
        for item in taken
    ]
    if not numbers and not errors:
        errors.append("Enter at least one receiver number, e.g. +905321234567 or a short code.")
    if errors:
        raise ValidationError({"receiver_numbers": errors})
    return numbers


def _clean_connector(
    *,
    connector: ReceiveConnector | None,
    name: str,
    receiver_numbers: list[str],
    routing: str,
    forward_url: str,
    console_url: str,
) -> tuple[str, list[str], str]:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Enter a name, e.g. 'Turkcell replies'."]
    elif (
        ReceiveConnector.objects.filter(name=name)
        .exclude(pk=getattr(connector, "pk", None))
        .exists()
    ):
        errors["name"] = [f"A receive connector named '{name}' exists; choose another name."]
    if routing not in Routing.values:
        errors["routing"] = [f"Choose one of: {', '.join(Routing.values)}."]
    forward_url = forward_url.strip()
    if routing == Routing.FORWARD and not forward_url:
        errors["forward_url"] = ["Enter the URL to forward messages to."]
    elif forward_url and (problem := _forward_url_error(forward_url, console_url=console_url)):
        errors["forward_url"] = [problem]
    try:
        numbers = _clean_numbers(receiver_numbers, connector=connector)
    except ValidationError as error:
        errors.update(error.message_dict)
        numbers = []
    if errors:
        raise ValidationError(errors)
    return name, numbers, forward_url


def _save_numbers(connector: ReceiveConnector, numbers: list[str]) -> None:
    connector.numbers.exclude(number__in=numbers).delete()
    existing = set(connector.numbers.values_list("number", flat=True))
    try:
        ReceiverNumber.objects.bulk_create(
            [ReceiverNumber(connector=connector, number=n) for n in numbers if n not in existing]
        )
    except IntegrityError as error:
        # Another request took the number between our check and this insert.
        raise ValidationError(
            {
                "receiver_numbers": [
                    "One of these numbers was just taken by another receive connector."
                ]
            }
        ) from error


def receive_connector_create(
    *,
    name: str,
    receiver_numbers: list[str],
    require_token: bool = True,
    is_active: bool = True,
    routing: str = Routing.INBOX,
    forward_url: str = "",
    console_url: str = "",
) -> ReceiveConnector:
    """Create a receive connector serving the given numbers, with a fresh token."""
    name, numbers, forward_url = _clean_connector(
        connector=None,
        name=name,
        receiver_numbers=receiver_numbers,
        routing=routing,
        forward_url=forward_url,
        console_url=console_url,
    )
    with transaction.atomic():
        connector = ReceiveConnector.objects.create(
            name=name,
            require_token=require_token,
            is_active=is_active,
            routing=routing,
            forward_url=forward_url,
        )
        _save_numbers(connector, numbers)
        changes = audit_changes({}, audit_snapshot(connector, AUDITED_FIELDS))
        audit_record(action="create", target=connector, changes=changes)
    return connector


def receive_connector_update(
    *,
    connector: ReceiveConnector,
    name: str | None = None,
    receiver_numbers: list[str] | None = None,
    require_token: bool | None = None,
    is_active: bool | None = None,
    routing: str | None = None,
    forward_url: str | None = None,
    console_url: str = "",
) -> ReceiveConnector:
    """Change the given fields of a receive connector (None leaves a field as it is)."""
    before = audit_snapshot(connector, AUDITED_FIELDS)
    name, numbers, forward_url = _clean_connector(
        connector=connector,
        name=connector.name if name is None else name,
        receiver_numbers=connector.receiver_numbers
        if receiver_numbers is None
        else receiver_numbers,
        routing=connector.routing if routing is None else routing,
        forward_url=connector.forward_url if forward_url is None else forward_url,
        console_url=console_url,
    )
    connector.name = name
    connector.forward_url = forward_url
    if routing is not None:
        connector.routing = routing
    if require_token is not None:
        connector.require_token = require_token
    if is_active is not None:
        connector.is_active = is_active
    with transaction.atomic():
        connector.save()
        _save_numbers(connector, numbers)
        if changes := audit_changes(before, audit_snapshot(connector, AUDITED_FIELDS)):
            audit_record(action="update", target=connector, changes=changes)
    return connector


@transaction.atomic
def receive_connector_regenerate_token(*, connector: ReceiveConnector) -> ReceiveConnector:
    """Give the connector a new token; the old one stops working at once."""
    connector.token = token_generate()
    connector.save(update_fields=["token", "updated_at"])
    audit_record(action="regenerate_token", target=connector, changes={"token": SECRET_CHANGED})
    return connector


@transaction.atomic
def receive_connector_delete(*, connector: ReceiveConnector) -> None:
    """Delete a receive connector; its received messages stay in the inbox."""
    changes = audit_changes(audit_snapshot(connector, AUDITED_FIELDS), {})
    audit_record(action="delete", target=connector, changes=changes)
    connector.delete()


# --- Inbox and opt-outs -----------------------------------------------------------------------


def conversation_mark_read(*, number: str) -> int:
    """Mark every message from the number read; returns how many were unread."""
    return InboundMessage.objects.filter(sender=number, is_read=False).update(is_read=True)


@transaction.atomic
def optout_create(*, number: str, keyword: str = "") -> OptOut:
    """Add a number to the opt-out list (idempotent)."""
    normalised = number_for_opt_out(number)
    if not normalised.lstrip("+").isdigit():
        raise ValidationError({"number": ["Enter a phone number, e.g. +905321234567."]})
    optout, created = OptOut.objects.get_or_create(number=normalised, defaults={"keyword": keyword})
    if created:
        audit_record(action="create", target=optout, changes={"keyword": [None, optout.keyword]})
    return optout


@transaction.atomic
def optout_delete(*, optout: OptOut) -> None:
    """Remove a number from the opt-out list: commercial messages may reach it again."""
    audit_record(action="delete", target=optout, changes={"keyword": [optout.keyword, None]})
    optout.delete()
