"""The rules a commercial message meets before it goes: quiet hours, opt-outs, footers.

Transactional messages (codes, receipts, alerts) are never held, cancelled or given a footer.
A commercial message due while its country's enforced send window is closed is held until the
window opens (its due_at moves); one whose number opted out while it waited is cancelled. The
dispatcher asks message_screen right after it claims messages, so a message waiting for a retry
or a window is checked again every time it is about to go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.translation import gettext

from core.phone import Country, country_named, country_of_number
from messaging.models import Message, MessageKind
from messaging.routing.models import CountryFooter, SendWindow
from messaging.selectors import numbers_opted_out

# Words that tell the reader how to refuse further messages (Turkish, English, Arabic).
REFUSAL_RE = re.compile(
    r"\b(ret|red|iptal|İPTAL|vazgeç|stop|unsubscribe|opt[ -]?out)\b|إلغاء|الغاء|ايقاف|إيقاف|للإلغاء|لالغاء",
    re.IGNORECASE,
)


def compliance_now() -> datetime:
    """The clock the window rules read (one place, so a test can set the hour): callers look it
    up on this module."""
    return timezone.now()


@dataclass(frozen=True)
class Window:
    """A country's send window for commercial messages, in its local time."""

    country: Country
    start: time
    end: time
    zone: ZoneInfo
    enforced: bool
    source: str = ""

    def is_open(self, at: datetime) -> bool:
        now = at.astimezone(self.zone).time()
        if self.start == self.end:
            return True
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end  # spans midnight

    def opens_after(self, at: datetime) -> datetime:
        """The next moment (after `at`, or `at` itself when open) the window is open."""
        if self.is_open(at):
            return at
        local = at.astimezone(self.zone)
        day = local.date() if local.time() < self.start else local.date() + timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=self.zone)

    @property
    def hours(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M} {self.zone.key}"

    def hold_reason(self, until: datetime) -> str:
        return gettext("held until %(time)s (%(country)s quiet hours)") % {
            "time": f"{until.astimezone(self.zone):%H:%M}",
            "country": self.country.name,
        }


@dataclass(frozen=True)
class Hold:
    """A message that may not go before `until`, and the words the log shows."""

    until: datetime
    reason: str


def _window(row: SendWindow) -> Window | None:
    country = country_named(row.country)
    try:
        zone = ZoneInfo(row.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    if country is None:
        return None
    return Window(country, row.start, row.end, zone, row.enforced, row.source)


def send_windows() -> dict[str, Window]:
    """Every send window by region (one query)."""
    windows = (_window(row) for row in SendWindow.objects.all())
    return {w.country.region: w for w in windows if w is not None}


def window_hold(
    *, number: str, kind: str, override: bool, at: datetime, windows: dict[str, Window]
) -> Hold | None:
    """Whether a message must wait for its country's window, and until when."""
    if kind != MessageKind.COMMERCIAL or override:
        return None
    country = country_of_number(number)
    window = windows.get(country.region) if country else None
    if window is None or not window.enforced or window.is_open(at):
        return None
    until = window.opens_after(at)
    return Hold(until=until, reason=window.hold_reason(until))


def closed_windows(*, at: datetime) -> list[Window]:
    """The enforced windows closed right now (a campaign leaves their countries for later)."""
    return [w for w in send_windows().values() if w.enforced and not w.is_open(at)]


@dataclass
class Screened:
    """Claimed messages sorted by the rules: to send now, to hold, to cancel."""

    send: list[Message] = field(default_factory=list)
    hold: list[tuple[Message, Hold]] = field(default_factory=list)
    opted_out: list[Message] = field(default_factory=list)


def message_screen(messages: list[Message]) -> Screened:
    """Sort claimed messages: commercial ones to opted-out numbers are cancelled, ones outside
    their country's send window held; everything else goes now."""
    screened = Screened()
    commercial = [m for m in messages if m.kind == MessageKind.COMMERCIAL]
    if not commercial:
        screened.send = list(messages)
        return screened
    opted_out = numbers_opted_out(numbers=[m.to for m in commercial])
    windows, now = send_windows(), compliance_now()
    for message in messages:
        if message.kind == MessageKind.COMMERCIAL and message.to in opted_out:
            screened.opted_out.append(message)
        elif hold := window_hold(
            number=message.to,
            kind=message.kind,
            override=message.quiet_hours_override,
            at=now,
            windows=windows,
        ):
            screened.hold.append((message, hold))
        else:
            screened.send.append(message)
    return screened


# -- content --------------------------------------------------------------------------------------


def country_footers() -> dict[str, str]:
    """Footer text by region (one query)."""
    return dict(CountryFooter.objects.values_list("country", "text"))


def footer_for(*, number: str, kind: str, footers: dict[str, str] | None = None) -> str:
    """The footer a commercial text to this number gets ("" for none)."""
    if kind != MessageKind.COMMERCIAL:
        return ""
    country = country_of_number(number)
    footers = country_footers() if footers is None else footers
    return footers.get(country.region, "") if country else ""


def text_with_footer(text: str, footer: str) -> str:
    """The text as sent: the footer on a line of its own, unless the text already ends with it."""
    if not footer or text.rstrip().endswith(footer):
        return text
    return f"{text.rstrip()}\n{footer}"


def has_refusal_instruction(text: str) -> bool:
    """Whether a text seems to tell the reader how to refuse further messages."""
    return bool(REFUSAL_RE.search(text or ""))
