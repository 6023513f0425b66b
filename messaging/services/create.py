"""Creating messages: validate, store, and enqueue the sending once the transaction commits."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from connectors.models import Connector
from connectors.selectors import connector_get
from core import text as sms_text
from core.models import ApiKey
from core.phone import normalize_number
from core.rows import objects_create
from core.services import callback_url_problem
from messaging.models import Message, MessageKind
from messaging.routing.compliance import country_footers, footer_for, text_with_footer
from messaging.selectors import numbers_opted_out
from messaging.services.leases import message_enqueue_single
from messaging.validation import (
    iys_recipient_type_problem,
    kind_problem,
    message_expiry,
    sender_problem,
)


def _pinned_connector(connector: Connector | int | None, errors: dict) -> Connector | None:
    if connector is None or connector == "":
        return None
    if not isinstance(connector, Connector):
        try:
            connector = connector_get(connector_id=int(connector))
        except (Connector.DoesNotExist, TypeError, ValueError):
            errors["connector"] = [
                gettext("There is no connector with id %(id)s.") % {"id": connector}
            ]
            return None
    if not connector.is_active:
        errors["connector"] = [
            gettext(
                "Connector '%(connector)s' is switched off. Switch it on or leave the connector "
                "empty so the first usable connector carries the message."
            )
            % {"connector": connector.name}
        ]
    return connector


def _clean_text(text: str, errors: dict) -> str:
    text = str(text or "")
    if problem := sms_text.text_problem(text):
        errors["text"] = [problem]
    return text


def _clean_sender(sender: str, pinned: Connector | None, errors: dict) -> str:
    sender = str(sender or "").strip()
    if problem := sender_problem(sender, connector=pinned):
        errors["sender"] = [problem]
    return sender


def _opted_out_error(number: str) -> list[str]:
    return [
        gettext(
            "%(number)s has opted out of commercial messages, so this message was not queued. "
            "Transactional messages (codes, receipts, alerts) still go to this number."
        )
        % {"number": number}
    ]


def _check_opt_out(number: str, kind: str, errors: dict) -> None:
    if kind == MessageKind.COMMERCIAL and number in numbers_opted_out(numbers=[number]):
        errors["to"] = _opted_out_error(number)


def _check_number(to: str, errors: dict) -> str:
    try:
        return normalize_number(to)
    except ValidationError as error:
        errors["to"] = error.messages
        return ""


def _check_kind(kind: str, errors: dict) -> None:
    if problem := kind_problem(kind):
        errors["kind"] = [problem]


def _check_iys_recipient_type(value: str, errors: dict) -> None:
    if problem := iys_recipient_type_problem(value):
        errors["iys_recipient_type"] = [problem]


def message_callback_url(*, callback_url: str, api_key: ApiKey | None) -> str:
    """Where a message's events go: its own URL, else its API key's default ("" for none).

    Raises ValidationError for a URL the outbound policy refuses, or one without an API key
    (whose callback secret signs every callback).
    """
    callback_url = str(callback_url or "").strip()
    if not callback_url:
        return api_key.callback_url if api_key else ""
    if api_key is None:
        problem = gettext("Callbacks are signed with an API key's secret: send with an API key.")
    else:
        problem = callback_url_problem(callback_url)
    if problem:
        raise ValidationError({"callback_url": [problem]})
    return callback_url


def message_callback_and_expiry(
    *,
    callback_url: Any,
    api_key: ApiKey | None,
    validity_seconds: Any,
    expires_at: Any,
    errors: dict[str, list[str]],
) -> tuple[str, datetime | None]:
    """A message's callback URL and expiry; what is wrong with either is added to errors."""
    url, expiry = "", None
    try:
        url = message_callback_url(callback_url=callback_url, api_key=api_key)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        expiry = message_expiry(validity_seconds=validity_seconds, expires_at=expires_at)
    except ValidationError as error:
        errors.update(error.message_dict)
    return url, expiry


def _new_message(
    *,
    number: str,
    text: str,
    sender: str,
    kind: str,
    pinned: Connector | None = None,
    footer: str = "",
    now: datetime | None = None,
    **fields,
) -> Message:
    """An unsaved message, measured (with its country's footer, if commercial) and due now (a
    batch gives its one time)."""
    text = text_with_footer(text, footer)
    measured = sms_text.measure(text)
    now = now or timezone.now()
    return Message(
        to=number,
        text=text,
        sender=sender,
        kind=kind,
        encoding=measured.encoding,
        segments=measured.segments,
        connector=pinned,
        pinned=pinned is not None,
        due_at=now,
        kicked_at=now,
        **fields,
    )


def _existing(api_key, idempotency_key: str) -> Message | None:
    if not idempotency_key:
        return None
    return Message.objects.filter(api_key=api_key, idempotency_key=idempotency_key).first()


def message_create(
    *,
    to: str,
    text: str,
    sender: str = "",
    kind: str = MessageKind.TRANSACTIONAL,
    connector: Connector | int | None = None,
    idempotency_key: str = "",
    api_key=None,
    enqueue: bool = True,
    iys_recipient_type: str = "",
    callback_url: str = "",
    validity_seconds: int | None = None,
    expires_at: datetime | None = None,
) -> Message:
    """Validate and store a message, and enqueue its sending once the transaction commits.

    A repeated idempotency key (per API key) returns the first message and sends nothing.
    With enqueue=False the caller dispatches it in a batch (message_enqueue_batch); if that kick
    is lost, the sweeper kicks it again with the others of its batch. validity_seconds or
    expires_at bound how long it may wait to be sent; callback_url (API keys only) receives its
    events.
    """
    idempotency_key = str(idempotency_key or "").strip()
    if len(idempotency_key) > 100:
        raise ValidationError(
            {"idempotency_key": [gettext("The idempotency key may be at most 100 characters.")]}
        )
    if existing := _existing(api_key, idempotency_key):
        return existing
    errors: dict[str, list[str]] = {}
    number = _check_number(to, errors)
    text = _clean_text(text, errors)
    _check_kind(kind, errors)
    _check_iys_recipient_type(iys_recipient_type, errors)
    pinned = _pinned_connector(connector, errors)
    sender = _clean_sender(sender, pinned, errors)
    if number and kind in MessageKind.values:
        _check_opt_out(number, kind, errors)
    callback_url, expires_at = message_callback_and_expiry(
        callback_url=callback_url,
        api_key=api_key,
        validity_seconds=validity_seconds,
        expires_at=expires_at,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    message = _new_message(
        number=number,
        text=text,
        sender=sender,
        kind=kind,
        pinned=pinned,
        idempotency_key=idempotency_key,
        api_key=api_key,
        iys_recipient_type=iys_recipient_type,
        footer=footer_for(number=number, kind=kind),
        callback_url=callback_url,
        expires_at=expires_at,
        in_batch=not enqueue,
    )
    try:
        with transaction.atomic():
            objects_create(objects=[message])  # save() would compile its INSERT on every request
            if enqueue:
                message_enqueue_single(message_id=message.pk)
    except IntegrityError:
        # The same key arrived twice at once; the other request stored it first.
        if existing := _existing(api_key, idempotency_key):
            return existing
        raise
    return message


def messages_prepare_batch(
    *,
    recipients: list[tuple[str, str]],
    sender: str = "",
    kind: str = MessageKind.TRANSACTIONAL,
    iys_recipient_type: str = "",
    quiet_hours_override: bool = False,
) -> list[Message | ValidationError]:
    """Messages sharing a sender and kind, validated as message_create validates one and made,
    not stored: per (number, text) given, its unsaved message or the ValidationError that keeps it
    out. Reads only, so a caller makes them before its write transaction and stores them in it
    (core.rows.objects_create), claimed or to be enqueued (message_enqueue_batch).

    The sender, kind and İYS recipient type are checked once, opt-outs in one query per 900
    numbers and the countries' footers in one.
    """
    shared: dict[str, list[str]] = {}
    _check_kind(kind, shared)
    _check_iys_recipient_type(iys_recipient_type, shared)
    sender = _clean_sender(sender, None, shared)
    if shared:
        return [ValidationError(shared) for _ in recipients]
    checked = []
    for to, text in recipients:
        errors: dict[str, list[str]] = {}
        number = _check_number(to, errors)
        checked.append((number, _clean_text(text, errors), errors))
    opted_out = (
        numbers_opted_out(numbers=[number for number, _, _ in checked if number])
        if kind == MessageKind.COMMERCIAL
        else set()
    )
    footers = country_footers() if kind == MessageKind.COMMERCIAL else {}
    results: list[Message | ValidationError] = []
    now = timezone.now()
    for number, text, errors in checked:
        if number in opted_out:
            errors["to"] = _opted_out_error(number)
        results.append(
            ValidationError(errors)
            if errors
            else _new_message(
                number=number,
                text=text,
                sender=sender,
                kind=kind,
                iys_recipient_type=iys_recipient_type,
                quiet_hours_override=quiet_hours_override,
                footer=footer_for(number=number, kind=kind, footers=footers),
                now=now,
                in_batch=True,
            )
        )
    return results
