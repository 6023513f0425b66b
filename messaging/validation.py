"""Checks shared by every way a message is made: one message, a batch, a template, a campaign.

Each returns what is wrong, in words for the person who typed the value, or "" when all is well.
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from connectors.models import Connector
from connectors.selectors import sender_titles_active
from core.text import digits_only
from messaging.models import IysRecipientType, MessageKind

# How long a message may be given to wait to be sent: a minute to a week.
MIN_VALIDITY_SECONDS = 60
MAX_VALIDITY_SECONDS = 7 * 24 * 3600


def kind_problem(kind: str) -> str:
    """Why a kind is not a message kind, or ""."""
    if kind in MessageKind.values:
        return ""
    return gettext("Kind must be one of: %(kinds)s.") % {"kinds": ", ".join(MessageKind.values)}


def iys_recipient_type_problem(value: str) -> str:
    """Why a value is not an İYS recipient type, or "" (blank is fine: the connector's default)."""
    if not value or value in IysRecipientType.values:
        return ""
    return gettext(
        "İYS recipient type must be %(types)s (or empty for the connector's default)."
    ) % {"types": " / ".join(IysRecipientType.values)}


def sender_problem(sender: str, *, connector: Connector | None = None) -> str:
    """Why a sender title cannot be used on this connector (or on any active one), or "".

    An empty title is always fine: each connector then uses its default title.
    """
    if not sender:
        return ""
    approved = list(connector.sender_list or []) if connector else sender_titles_active()
    if sender in approved:
        return ""
    values = {"sender": sender, "titles": ", ".join(approved) or "—"}
    if connector is not None:
        return gettext(
            "Sender title '%(sender)s' is not approved on connector '%(connector)s'. Approved "
            "titles: %(titles)s. Leave it empty to use each connector's default title."
        ) % {**values, "connector": connector.name}
    return (
        gettext(
            "Sender title '%(sender)s' is not approved on any active connector. Approved titles: "
            "%(titles)s. Leave it empty to use each connector's default title."
        )
        % values
    )


def _seconds(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and digits_only(value.strip()):
        return int(value)
    return None


def _moment(value: Any) -> datetime | None:
    moment = value if isinstance(value, datetime) else None
    if isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # read in the console's time zone
    return moment


def message_expiry(*, validity_seconds: Any = None, expires_at: Any = None) -> datetime | None:
    """When a message given validity_seconds or expires_at expires; None when given neither.

    Raises ValidationError naming the field for validity_seconds outside a minute to a week, an
    expires_at that is not within the coming week, or both given.
    """
    if validity_seconds in (None, "") and expires_at in (None, ""):
        return None
    if validity_seconds not in (None, "") and expires_at not in (None, ""):
        raise ValidationError(
            {"validity_seconds": [gettext("Give either validity_seconds or expires_at, not both.")]}
        )
    now = timezone.now()
    latest = now + timedelta(seconds=MAX_VALIDITY_SECONDS)
    if validity_seconds in (None, ""):
        moment = _moment(expires_at)
        if moment is None or not now < moment <= latest:
            raise ValidationError(
                {
                    "expires_at": [
                        gettext(
                            "expires_at must be a date and time (ISO 8601, e.g. "
                            "2026-05-01T14:30:00+03:00) in the future, at most a week away."
                        )
                    ]
                }
            )
        return moment
    seconds = _seconds(validity_seconds)
    if seconds is None or not MIN_VALIDITY_SECONDS <= seconds <= MAX_VALIDITY_SECONDS:
        rule = gettext(
            "validity_seconds must be a whole number of seconds from %(low)s (a minute) to "
            "%(high)s (a week)."
        ) % {"low": MIN_VALIDITY_SECONDS, "high": MAX_VALIDITY_SECONDS}
        raise ValidationError({"validity_seconds": [rule]})
    return now + timedelta(seconds=seconds)
