"""Reads of messages: the filtered log (keyset pages, no counts), one message, the text counter."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from connectors.models import Connector
from connectors.providers import UnknownProvider
from messaging import text as sms_text
from messaging.models import Attempt, Message, MessageStatus, WorkerHeartbeat
from messaging.phone import number_or_none

PAGE_SIZE = 50
OPT_OUT_QUERY_BATCH = 900  # below SQLite's default limit of variables in one statement


def message_list(
    *,
    status: str = "",
    connector_id: int | None = None,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    number: str = "",
    text: str = "",
    campaign_id: int | None = None,
) -> QuerySet[Message]:
    """Messages matching the log's filters, newest first (each filter has an index ending in id).

    Each message comes with its campaign, if any (message.campaign_recipient.campaign).
    """
    messages = Message.objects.select_related("connector", "campaign_recipient__campaign").order_by(
        "-id"
    )
    if campaign_id:
        # Ordered by the recipients' message id (the same number), so the index (campaign,
        # -message) walks the campaign's messages newest first and stops after one page.
        messages = messages.filter(campaign_recipient__campaign_id=campaign_id).order_by(
            "-campaign_recipient__message_id"
        )
    if status:
        messages = messages.filter(status=status)
    if connector_id:
        messages = messages.filter(connector_id=connector_id)
    if kind:
        messages = messages.filter(kind=kind)
    if date_from:
        messages = messages.filter(created_at__gte=_local_midnight(date_from))
    if date_to:
        messages = messages.filter(created_at__lt=_local_midnight(date_to + timedelta(days=1)))
    if number := number.strip():
        e164 = number_or_none(number)
        digits = "".join(c for c in number if c.isdigit())
        messages = messages.filter(to=e164) if e164 else messages.filter(to__contains=digits)
    if text := text.strip():
        messages = messages.filter(text__icontains=text)
    return messages


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Page:
    """One page of the log and the cursors to its neighbours (None when there is none)."""

    rows: list[Message] = field(default_factory=list)
    newer: int | None = None  # pass as ?after= to see newer messages
    older: int | None = None  # pass as ?before= to see older messages


def message_page(
    messages: QuerySet[Message],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """A keyset page: LIMIT size+1 on the id index tells whether more exist, without counting."""
    if after is not None:
        rows = list(messages.filter(id__gt=after).reverse()[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        older = rows[-1].pk if rows else None
        return Page(rows=rows, newer=rows[0].pk if more_newer and rows else None, older=older)
    if before is not None:
        messages = messages.filter(id__lt=before)
    rows = list(messages[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    newer = rows[0].pk if before is not None and rows else None
    return Page(rows=rows, newer=newer, older=rows[-1].pk if more_older else None)


def numbers_opted_out(*, numbers: Iterable[str]) -> set[str]:
    """Which of these E.164 numbers opted out of commercial messages (a few queries, not one each)."""
    from inbox.models import OptOut

    numbers = list(dict.fromkeys(numbers))
    found: set[str] = set()
    for start in range(0, len(numbers), OPT_OUT_QUERY_BATCH):
        batch = numbers[start : start + OPT_OUT_QUERY_BATCH]
        found.update(OptOut.objects.filter(number__in=batch).values_list("number", flat=True))
    return found


def message_get(*, message_id: int) -> Message:
    """One message with its attempts, or Message.DoesNotExist."""
    attempts = Prefetch("attempts", queryset=Attempt.objects.select_related("connector"))
    return (
        Message.objects.select_related("connector", "api_key", "campaign_recipient__campaign")
        .prefetch_related(attempts)
        .get(pk=message_id)
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    state: str
    title: str
    detail: str = ""


def message_timeline(*, message: Message) -> list[TimelineEntry]:
    """What happened to a message, oldest first: queued, each attempt, retries, the outcome."""
    entries = [TimelineEntry(message.created_at, "queued", "Queued")]
    for attempt in message.attempts.all():
        entries.append(
            TimelineEntry(
                attempt.started_at,
                attempt.outcome,
                f"{attempt.get_outcome_display()} by {attempt.connector_name}",
                attempt.detail,
            )
        )
    if message.status == "queued" and message.retries:
        entries.append(
            TimelineEntry(
                message.due_at, "queued", f"Retry {message.retries} scheduled", message.error_detail
            )
        )
    if message.sent_at:
        entries.append(
            TimelineEntry(
                message.sent_at,
                "sent",
                "Sent",
                f"Provider message id {message.provider_message_id}",
            )
        )
    if message.failed_at:
        entries.append(TimelineEntry(message.failed_at, "failed", "Failed", message.error_detail))
    return entries


@dataclass(frozen=True)
class TextPreview:
    """The compose counter: the text's measure and the connectors that would skip it for length."""

    measure: sms_text.TextMeasure
    too_long_for: list[tuple[Connector, int]]


def text_preview(*, text: str) -> TextPreview:
    """What a text costs and which active connectors could not carry it (their length limit)."""
    too_long = []
    for connector in Connector.objects.filter(is_active=True).order_by("priority", "id"):
        try:
            limit = connector.provider_class.text_limit_for(connector)
        except UnknownProvider:  # no longer configured: the dispatcher skips it anyway
            continue
        if len(text) > limit:
            too_long.append((connector, limit))
    return TextPreview(measure=sms_text.measure(text), too_long_for=too_long)


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
