"""Reads of messages: the log, one message, the text counter, the worker's heartbeat."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.models import Connector
from connectors.providers.types import CannotCarry
from connectors.selectors import connectors_refusing_text
from core import text as sms_text
from core.phone import number_for_opt_out
from messaging.models import (
    Attempt,
    DeliveryReport,
    Message,
    MessageEvent,
    MessageStatus,
    OptOut,
    WorkerHeartbeat,
)

OPT_OUT_QUERY_BATCH = 900  # below SQLite's default limit of variables in one statement


def message_list() -> QuerySet[Message]:
    """Every message, newest first, with its connector and its campaign, if any.

    The log narrows it with messaging.filters.MessageFilter and pages it with core.pagination.
    """
    return Message.objects.select_related("connector", "campaign_recipient__campaign").order_by(
        "-id"
    )


def numbers_opted_out(*, numbers: Iterable[str]) -> set[str]:
    """Which of these numbers opted out of commercial messages, as given (a query per 900).

    Each number is compared in the form opt-outs are stored in, so "0532 123 45 67" and
    "+905321234567" are the same number. One number: `number in numbers_opted_out(numbers=[number])`.
    """
    given_as: dict[str, list[str]] = defaultdict(list)
    for number in numbers:
        given_as[number_for_opt_out(number)].append(number)
    stored = list(given_as)
    found: set[str] = set()
    for start in range(0, len(stored), OPT_OUT_QUERY_BATCH):
        batch = stored[start : start + OPT_OUT_QUERY_BATCH]
        for number in OptOut.objects.filter(number__in=batch).values_list("number", flat=True):
            found.update(given_as[number])
    return found


def optout_list(*, search: str = "") -> QuerySet[OptOut]:
    """Opted-out numbers, newest first."""
    optouts = OptOut.objects.all()
    if search.strip():
        optouts = optouts.filter(number__contains=search.strip().lstrip("+"))
    return optouts


def message_get(*, message_id: int) -> Message:
    """One message with its attempts, or Message.DoesNotExist."""
    attempts = Prefetch("attempts", queryset=Attempt.objects.select_related("connector", "request"))
    return (
        Message.objects.select_related("connector", "api_key", "campaign_recipient__campaign")
        .prefetch_related(attempts)
        .get(pk=message_id)
    )


def message_callbacks(*, message: Message) -> list[MessageEvent]:
    """The events posted to a message's callback URL, oldest first, each with its attempts."""
    return list(message.events.prefetch_related("deliveries"))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    state: str
    title: str
    detail: str = ""


def message_timeline(*, message: Message) -> list[TimelineEntry]:
    """What happened to a message, oldest first: queued, held, each attempt, retries, the outcome."""
    entries = [TimelineEntry(message.created_at, "queued", _("Queued"))]
    if message.hold_reason:  # quiet hours: it waited (or waits) for its country's send window
        held = message.hold_reason
        entries.append(TimelineEntry(message.due_at, "queued", held[:1].upper() + held[1:]))
    for attempt in message.attempts.all():
        entries.append(
            TimelineEntry(
                attempt.started_at,
                attempt.outcome,
                _("%(outcome)s by %(connector)s")
                % {"outcome": attempt.get_outcome_display(), "connector": attempt.connector_name},
                attempt.detail,
            )
        )
    if message.status == "queued" and message.retries:
        entries.append(
            TimelineEntry(
                message.due_at,
                "queued",
                _("Retry %(retry)s scheduled") % {"retry": message.retries},
                message.error_detail,
            )
        )
    if message.sent_at:
        entries.append(
            TimelineEntry(
                message.sent_at,
                "sent",
                _("Sent"),
                _("Provider message id %(id)s") % {"id": message.provider_message_id},
            )
        )
    if message.failed_at:
        entries.append(
            TimelineEntry(message.failed_at, "failed", _("Failed"), message.error_detail)
        )
    for report in message_delivery_reports(message=message):
        entries.append(
            TimelineEntry(
                report.received_at,
                report.state or "pending",
                _("Receipt: %(state)s") % {"state": report.get_state_display() or _("unread")},
                _receipt_note(report),
            )
        )
    if message.delivery_state == "unknown" and message.delivery_updated_at:
        entries.append(
            TimelineEntry(
                message.delivery_updated_at,
                "unknown",
                _("Delivery unknown"),
                _("No final receipt came within the delivery wait."),
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def _receipt_note(report: DeliveryReport) -> str:
    parts = [report.get_source_display()]
    if report.code:
        parts.append(_("code %(code)s") % {"code": report.code})
    if report.detail:
        parts.append(report.detail)
    if not report.applied:
        parts.append(_("no change (late or repeated)"))
    return " · ".join(str(part) for part in parts)


def message_delivery_reports(*, message: Message) -> list[DeliveryReport]:
    """The receipts matched to a message, oldest first (the page shows them raw)."""
    return list(message.delivery_reports.order_by("id"))


def delivery_reports_unmatched() -> QuerySet[DeliveryReport]:
    """Receipts read and matched to no message (or not readable), newest first."""
    return DeliveryReport.objects.filter(
        message__isnull=True, processed_at__isnull=False
    ).select_related("connector")


@dataclass(frozen=True)
class TextPreview:
    """The compose counter: the text's measure and the active connectors that would skip it."""

    measure: sms_text.TextMeasure
    skipped_by: list[tuple[Connector, CannotCarry]]


def text_preview(*, text: str) -> TextPreview:
    """What a text costs and which active connectors could not carry it (their preflight)."""
    return TextPreview(
        measure=sms_text.measure(text), skipped_by=connectors_refusing_text(text=text)
    )


def messaging_connector_choices() -> list[tuple[int, str]]:
    """(id, name) of every connector, for the log filter and the compose pin."""
    return list(Connector.objects.order_by("priority", "id").values_list("id", "name"))


# Messages queued longer than this while no worker reported mean the worker is not running.
WORKER_SILENT_AFTER = timedelta(minutes=3)


def worker_stall() -> datetime | None:
    """When the worker last reported, if messages are waiting and it has been silent too long.

    Returns None when all is well; otherwise the last heartbeat (epoch start if none ever came).
    """
    now = timezone.now()
    waiting = Message.objects.filter(
        status=MessageStatus.QUEUED, due_at__lt=now - WORKER_SILENT_AFTER
    ).exists()
    if not waiting:
        return None
    beat = WorkerHeartbeat.objects.filter(name="sweeper").values_list("beat_at", flat=True).first()
    if beat is not None and beat > now - WORKER_SILENT_AFTER:
        return None
    return beat or datetime.fromtimestamp(0, tz=UTC)
