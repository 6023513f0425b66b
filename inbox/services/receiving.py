"""Receiving: an SMS from /SMSReceiver is checked, stored once, and routed."""

import hashlib
import hmac
import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.logsafe import log_safe
from core.phone import MAX_NUMBER_LENGTH, number_canonical
from inbox.models import MAX_KEYWORD_LENGTH, ForwardState, InboundMessage, ReceiveConnector, Routing
from inbox.selectors import receive_connector_for_number
from inbox.services.forwarding import inbound_message_enqueue_forward
from inbox.services.stop_words import stop_word_opt_out, text_is_stop_word

logger = logging.getLogger(__name__)


@dataclass
class ReceiveRefused(Exception):
    """The receiver's answer when a message is not stored: an HTTP status and a sentence."""

    status: int
    message: str

    def __str__(self) -> str:
        return f"{self.status} {self.message}"


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


def _atomic_if(needed: bool) -> AbstractContextManager:
    """A transaction when the insert has company (an opt-out, a forward) or runs inside another
    transaction (a savepoint keeps that one usable after a refused insert); a lone insert is
    atomic by itself and saves the BEGIN and COMMIT round trips."""
    return transaction.atomic() if needed or connection.in_atomic_block else nullcontext()


def _earlier_copy(*, fingerprint: str, window_start: datetime) -> InboundMessage | None:
    """The message holding this fingerprint if it came within the window; else the key is freed
    (that message is no longer anything's copy) and None."""
    earlier = InboundMessage.objects.filter(dedupe_key=fingerprint).first()
    if earlier is None or earlier.received_at >= window_start:
        return earlier
    InboundMessage.objects.filter(pk=earlier.pk, dedupe_key=fingerprint).update(dedupe_key=None)
    return None


def inbound_message_receive(
    *, receiver: str, sender: str, text: str, keyword: str = "", token: str = ""
) -> InboundMessage:
    """Store an SMS from /SMSReceiver, or raise ReceiveRefused with the documented status.

    The same SMS again within SMSCONSOLE_INBOUND_DEDUPE_SECONDS (a provider retrying) returns the
    stored one: the unique dedupe key refuses the second insert, even when both arrive at once.
    """
    receiver = number_canonical(receiver)
    sender = number_canonical(sender)
    keyword = keyword.strip()
    _check_receive_input(receiver=receiver, sender=sender, text=text, keyword=keyword)
    connector = receive_connector_for_number(number=receiver)
    _check_connector(connector, receiver=receiver, token=token)

    fingerprint = _fingerprint(
        connector_id=connector.pk, receiver=receiver, sender=sender, text=text, keyword=keyword
    )
    window_start = timezone.now() - timedelta(seconds=settings.SMSCONSOLE_INBOUND_DEDUPE_SECONDS)
    stop_word = text_is_stop_word(text)
    forward = connector.routing == Routing.FORWARD
    # A second try when the key was freed (its holder was outside the window) as we looked.
    for attempt in range(2):
        try:
            with _atomic_if(stop_word or forward):
                message = InboundMessage.objects.create(
                    connector=connector,
                    receiver=receiver,
                    sender=sender,
                    text=text,
                    keyword=keyword,
                    is_stop_word=stop_word,
                    fingerprint=fingerprint,
                    dedupe_key=fingerprint,
                    forward_state=ForwardState.PENDING if forward else ForwardState.NOT_FORWARDED,
                )
                if stop_word:
                    stop_word_opt_out(message=message)
                if forward:
                    transaction.on_commit(
                        partial(inbound_message_enqueue_forward, message_id=message.pk)
                    )
            break
        except IntegrityError:
            earlier = _earlier_copy(fingerprint=fingerprint, window_start=window_start)
            if earlier is not None:
                logger.info(
                    "Inbound SMS %s received again (provider retry); stored once.", earlier.pk
                )
                return earlier
            if attempt:
                raise
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


def conversation_mark_read(*, number: str) -> int:
    """Mark every message from the number read; returns how many were unread."""
    return InboundMessage.objects.filter(sender=number, is_read=False).update(is_read=True)
