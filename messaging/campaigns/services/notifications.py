"""sendNotification: one template to one or more numbers, everything checked before anything is stored."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from core.phone import normalize_number
from core.text import text_problem
from messaging.campaigns import rendering
from messaging.campaigns.selectors import template_get
from messaging.models import Message, MessageKind
from messaging.selectors import numbers_opted_out
from messaging.services import (
    message_callback_and_expiry,
    message_create,
    message_enqueue_batch,
)

NOTIFICATION_MAX_TARGETS = 1000


class TemplateNotFound(Exception):
    """No template has the notificationKey given."""


@dataclass
class NotificationResult:
    """What sendNotification created, and the numbers it left out on purpose."""

    messages: list[Message]
    skipped: list[dict] = field(default_factory=list)


def _notification_targets(target: Any, targets: Any, errors: dict) -> list[tuple[str, str, dict]]:
    """(field path, number as given, own params) of every recipient in the request."""
    if target and targets:
        errors["target"] = [gettext("Give either target or targets, not both.")]
        return []
    if targets is not None:
        if not isinstance(targets, list) or not targets:
            errors["targets"] = [
                gettext('targets must be a non-empty list of {"msisdn": "+90…", "params": {…}}.')
            ]
            return []
        found = []
        for position, item in enumerate(targets):
            if not isinstance(item, Mapping) or (
                (params := item.get("params") or {}) and not isinstance(params, Mapping)
            ):
                errors[f"targets[{position}]"] = [
                    gettext('Each target is {"msisdn": "+90…", "params": {…}}.')
                ]
                continue
            found.append(
                (
                    f"targets[{position}].msisdn",
                    str(item.get("msisdn") or ""),
                    dict(item.get("params") or {}),
                )
            )
        return found
    if not isinstance(target, Mapping) or not ("msisdn" in target or "msisdns" in target):
        errors["target"] = [
            gettext(
                'Give target as {"msisdn": "+90…"} or {"msisdns": ["+90…", …]}, or use targets.'
            )
        ]
        return []
    if "msisdn" in target:
        return [("target.msisdn", str(target.get("msisdn") or ""), {})]
    numbers = target.get("msisdns")
    if not isinstance(numbers, list) or not numbers:
        errors["target.msisdns"] = [gettext("msisdns must be a non-empty list of phone numbers.")]
        return []
    return [
        (f"target.msisdns[{position}]", str(number or ""), {})
        for position, number in enumerate(numbers)
    ]


def notification_send(
    *,
    notification_key: str,
    target: Any = None,
    targets: Any = None,
    params: Any = None,
    api_key=None,
    callback_url: Any = "",
    validity_seconds: Any = None,
    expires_at: Any = None,
) -> NotificationResult:
    """Send a template to one or more numbers: everything is checked before anything is stored.

    Raises TemplateNotFound for an unknown key and ValidationError listing every bad recipient.
    Opted-out numbers of a commercial template and repeated numbers are left out and reported.
    Every message gets the same callback URL and expiry (so they may share bulk requests).
    """
    if not str(notification_key or "").strip():
        raise ValidationError(
            {
                "notificationKey": [
                    gettext("Give the key of the template to send (notificationKey).")
                ]
            }
        )
    template = template_get(key=str(notification_key).strip())
    if template is None:
        raise TemplateNotFound(
            gettext("No template has the key '%(key)s'.") % {"key": notification_key}
        )
    errors: dict[str, list[str]] = {}
    if params is not None and not isinstance(params, Mapping):
        errors["params"] = [
            gettext('params must be an object of placeholder values, e.g. {"first_name": "Ayşe"}.')
        ]
        params = {}
    # Checked once here, so one bad value is one error and every message expires together.
    _, expiry = message_callback_and_expiry(
        callback_url=callback_url,
        api_key=api_key,
        validity_seconds=validity_seconds,
        expires_at=expires_at,
        errors=errors,
    )
    found = _notification_targets(target, targets, errors)
    if len(found) > NOTIFICATION_MAX_TARGETS:
        errors["targets"] = [
            gettext("%(count)s recipients in one request; at most %(limit)s are allowed.")
            % {"count": f"{len(found):,}", "limit": f"{NOTIFICATION_MAX_TARGETS:,}"}
        ]
    planned: list[tuple[str, str]] = []
    skipped: list[dict] = []
    seen: set[str] = set()
    for path, raw, own in found:
        try:
            number = normalize_number(raw)
        except ValidationError as error:
            errors[path] = error.messages
            continue
        try:
            text = rendering.render(template.text, {**(params or {}), **own})
        except ValidationError as error:
            errors[path.removesuffix(".msisdn") + ".params" if "targets" in path else "params"] = (
                error.messages
            )
            continue
        if problem := text_problem(text):
            errors[path] = [gettext("With these values: %(problem)s") % {"problem": problem}]
        elif number in seen:
            skipped.append(
                {
                    "msisdn": number,
                    "reason": "duplicate",
                    "detail": gettext(
                        "The number is in the request more than once; it gets one message."
                    ),
                }
            )
        else:
            seen.add(number)
            planned.append((number, text))
    if errors:
        raise ValidationError(errors)
    if template.kind == MessageKind.COMMERCIAL:
        opted_out = numbers_opted_out(numbers=[number for number, _ in planned])
        skipped += [
            {
                "msisdn": number,
                "reason": "opted_out",
                "detail": gettext("The number opted out of commercial messages."),
            }
            for number, _ in planned
            if number in opted_out
        ]
        planned = [(number, text) for number, text in planned if number not in opted_out]
    with transaction.atomic():
        messages = [
            message_create(
                to=number,
                text=text,
                sender=template.sender,
                kind=template.kind,
                iys_recipient_type=template.iys_recipient_type,
                api_key=api_key,
                enqueue=False,
                callback_url=callback_url,
                expires_at=expiry,
            )
            for number, text in planned
        ]
        # One batch, so numbers sharing a text go in bulk requests where a provider has them.
        message_enqueue_batch(message_ids=[message.pk for message in messages])
    return NotificationResult(messages=messages, skipped=skipped)
