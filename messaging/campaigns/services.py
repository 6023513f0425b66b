"""Every state change of templates and campaigns, and the sendNotification operation.

A campaign is sent by a chunk task: it turns a bounded number of waiting recipients into messages
(through messaging's message_create_batch, so every message is validated and logged like any
other), has them dispatched as one batch (bulk requests where a provider has them) and enqueues
itself again. Pause and cancel are seen at the start of the next chunk.
"""

import logging
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import IO, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from connectors.providers import all_providers
from connectors.selectors import sender_titles_active
from messaging import text as sms_text
from messaging.campaigns import intake, rendering
from messaging.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignRejectedRow,
    CampaignStatus,
    RecipientStatus,
    RejectionReason,
    Template,
)
from messaging.campaigns.selectors import template_get
from messaging.models import Message, MessageKind
from messaging.phone import normalize_number
from messaging.selectors import numbers_opted_out
from messaging.services import (
    message_create,
    message_create_batch,
    message_enqueue_batch,
)
from messaging.text import text_problem
from smsconsole.audit import audit_changes, audit_record, audit_snapshot

logger = logging.getLogger(__name__)

CHUNK_SIZE = 200  # at least this many messages per chunk task (see chunk_size)
INTAKE_BATCH = 5000  # rows checked, then inserted with one executemany, per batch while importing
NUMBER_CACHE = 65_536  # spellings of numbers whose reading is remembered during one import
MAX_RECIPIENTS = 1_000_000
NOTIFICATION_MAX_TARGETS = 1000
STALE_CHUNK_SECONDS = 120  # a sending campaign with no chunk for this long is kicked again
CHUNK_TASK = "messaging.campaigns.tasks.campaign_send_chunk_task"
BEGIN_TASK = "messaging.campaigns.tasks.campaign_begin_task"
TEMPLATE_FIELDS = ("key", "name", "text", "kind", "sender")
CAMPAIGN_AUDIT_FIELDS = ("status", "scheduled_at")
KEY_RE = re.compile(r"[A-Za-z0-9_-]+")


# -- shared checks --------------------------------------------------------------------------------


def _check_kind(kind: str, errors: dict) -> None:
    if kind not in MessageKind.values:
        errors["kind"] = [f"Kind must be one of: {', '.join(MessageKind.values)}."]


def _check_sender(sender: str, errors: dict) -> None:
    if sender and sender not in (approved := sender_titles_active()):
        errors["sender"] = [
            f"Sender title '{sender}' is not approved on any active connector. Approved titles: "
            f"{', '.join(approved) or 'none'}. Leave it empty to use each connector's default title."
        ]


def _check_text(text: str, errors: dict, *, field_name: str = "text") -> None:
    if problem := text_problem(text):
        errors[field_name] = [problem]
    elif bad := rendering.malformed_placeholders(text):
        errors[field_name] = [
            f"{', '.join(bad)} cannot be filled: a placeholder is a name of letters, digits and _ "
            "in double braces, e.g. {{first_name}}."
        ]


# -- templates ------------------------------------------------------------------------------------


def _clean_template(fields: dict[str, Any], *, instance: Template | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    key = str(fields.get("key") or "").strip()
    if not key:
        errors["key"] = ["Give the template a key, e.g. order-shipped (letters, digits, - and _)."]
    elif not _key_ok(key):
        errors["key"] = [
            f"'{key}' is not a valid key: use 1 to 64 letters, digits, - and _, with at least one letter."
        ]
    elif Template.objects.filter(key=key).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["key"] = [f"A template with key '{key}' already exists; keys are unique."]
    name = str(fields.get("name") or "").strip()
    if not name:
        errors["name"] = ["Give the template a name."]
    elif len(name) > 100:
        errors["name"] = ["The name may be at most 100 characters long."]
    text = str(fields.get("text") or "")
    _check_text(text, errors)
    kind = fields.get("kind") or MessageKind.TRANSACTIONAL
    _check_kind(kind, errors)
    sender = str(fields.get("sender") or "").strip()
    _check_sender(sender, errors)
    if errors:
        raise ValidationError(errors)
    return {"key": key, "name": name, "text": text, "kind": kind, "sender": sender}


def _key_ok(key: str) -> bool:
    """Keys are slugs with a letter, so an all-digit path segment in the API is always an id."""
    return len(key) <= 64 and bool(KEY_RE.fullmatch(key)) and not key.isdigit()


@transaction.atomic
def template_create(
    *, key: str, name: str, text: str, kind: str = MessageKind.TRANSACTIONAL, sender: str = ""
) -> Template:
    """Store a new template."""
    fields = _clean_template(
        {"key": key, "name": name, "text": text, "kind": kind, "sender": sender}, instance=None
    )
    template = Template.objects.create(**fields)
    audit_record(action="create", target=template, changes=audit_changes({}, fields))
    return template


@transaction.atomic
def template_update(*, template: Template, **changes: Any) -> Template:
    """Change some fields of a template; campaigns already made keep their text."""
    unknown = sorted(set(changes) - set(TEMPLATE_FIELDS))
    if unknown:
        raise ValidationError(
            {"non_field_errors": [f"Unknown template field(s): {', '.join(unknown)}."]}
        )
    before = audit_snapshot(template, TEMPLATE_FIELDS)
    fields = _clean_template({**before, **changes}, instance=template)
    for name, value in fields.items():
        setattr(template, name, value)
    template.save()
    if diff := audit_changes(before, fields):
        audit_record(action="update", target=template, changes=diff)
    return template


@transaction.atomic
def template_delete(*, template: Template) -> None:
    """Delete a template; campaigns made from it keep their own copy of the text."""
    audit_record(
        action="delete",
        target=template,
        changes=audit_changes(audit_snapshot(template, TEMPLATE_FIELDS), {}),
    )
    template.delete()


# -- sendNotification -----------------------------------------------------------------------------


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
        errors["target"] = ["Give either target or targets, not both."]
        return []
    if targets is not None:
        if not isinstance(targets, list) or not targets:
            errors["targets"] = [
                'targets must be a non-empty list of {"msisdn": "+90…", "params": {…}}.'
            ]
            return []
        found = []
        for position, item in enumerate(targets):
            if not isinstance(item, Mapping) or (
                (params := item.get("params") or {}) and not isinstance(params, Mapping)
            ):
                errors[f"targets[{position}]"] = [
                    'Each target is {"msisdn": "+90…", "params": {…}}.'
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
            'Give target as {"msisdn": "+90…"} or {"msisdns": ["+90…", …]}, or use targets.'
        ]
        return []
    if "msisdn" in target:
        return [("target.msisdn", str(target.get("msisdn") or ""), {})]
    numbers = target.get("msisdns")
    if not isinstance(numbers, list) or not numbers:
        errors["target.msisdns"] = ["msisdns must be a non-empty list of phone numbers."]
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
) -> NotificationResult:
    """Send a template to one or more numbers: everything is checked before anything is stored.

    Raises TemplateNotFound for an unknown key and ValidationError listing every bad recipient.
    Opted-out numbers of a commercial template and repeated numbers are left out and reported.
    """
    if not str(notification_key or "").strip():
        raise ValidationError(
            {"notificationKey": ["Give the key of the template to send (notificationKey)."]}
        )
    template = template_get(key=str(notification_key).strip())
    if template is None:
        raise TemplateNotFound(f"No template has the key '{notification_key}'.")
    errors: dict[str, list[str]] = {}
    if params is not None and not isinstance(params, Mapping):
        errors["params"] = [
            'params must be an object of placeholder values, e.g. {"first_name": "Ayşe"}.'
        ]
        params = {}
    found = _notification_targets(target, targets, errors)
    if len(found) > NOTIFICATION_MAX_TARGETS:
        errors["targets"] = [
            f"{len(found):,} recipients in one request; at most {NOTIFICATION_MAX_TARGETS:,} are allowed."
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
            errors[path] = [f"With these values: {problem}"]
        elif number in seen:
            skipped.append(
                {
                    "msisdn": number,
                    "reason": "duplicate",
                    "detail": "The number is in the request more than once; it gets one message.",
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
                "detail": "The number opted out of commercial messages.",
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
                api_key=api_key,
                enqueue=False,
            )
            for number, text in planned
        ]
        # One batch, so numbers sharing a text go in bulk requests where a provider has them.
        message_enqueue_batch(message_ids=[message.pk for message in messages])
    return NotificationResult(messages=messages, skipped=skipped)


# -- campaigns: intake ----------------------------------------------------------------------------


@dataclass
class _Intake:
    """Running totals of an import."""

    count: int = 0
    total_segments: int = 0
    min_segments: int = 0
    max_segments: int = 0
    invalid: int = 0
    duplicates: int = 0
    opted_out: int = 0


class _Recipient(NamedTuple):
    line: int
    to: str
    params: dict[str, Any]
    segments: int


class _Rejected(NamedTuple):
    line: int
    value: str
    reason: str
    detail: str


@lru_cache(maxsize=4096)
def _segments(text: str) -> int:
    return sms_text.measure(text).segments


def _number_or_problem(raw: str) -> tuple[str, str]:
    """(E.164, "") or ("", what is wrong with the number)."""
    try:
        return normalize_number(raw), ""
    except ValidationError as error:
        return "", " ".join(error.messages)


def _rejection(row: intake.RawRow, reason: str, detail: str) -> _Rejected:
    return _Rejected(row.line, str(row.number)[:200], reason, detail[:300])


def _checked_rows(
    campaign: Campaign, rows: Iterable[intake.RawRow], totals: _Intake
) -> Iterator[_Recipient | _Rejected]:
    """Recipients and rejections, in order: bad numbers, missing values and repeats are rejected."""
    first_line: dict[str, int] = {}
    names = rendering.placeholders_in(campaign.text)
    # A number typed the same way again is read the same way: parse each spelling once.
    number_of = lru_cache(maxsize=NUMBER_CACHE)(_number_or_problem)
    for row in rows:
        if totals.count + totals.invalid >= MAX_RECIPIENTS:
            raise ValidationError(
                {
                    "recipients": [
                        f"At most {MAX_RECIPIENTS:,} recipients per campaign; split the list."
                    ]
                }
            )
        number, problem = number_of(row.number)
        if problem:
            totals.invalid += 1
            yield _rejection(row, RejectionReason.INVALID, problem)
            continue
        params = {name: row.params.get(name) for name in names}
        try:
            text = rendering.render(campaign.text, params) if names else campaign.text
        except ValidationError as error:
            totals.invalid += 1
            yield _rejection(row, RejectionReason.INVALID, " ".join(error.messages))
            continue
        if problem := text_problem(text):
            totals.invalid += 1
            yield _rejection(row, RejectionReason.INVALID, f"With these values: {problem}")
            continue
        if number in first_line:
            totals.duplicates += 1
            yield _rejection(
                row, RejectionReason.DUPLICATE, f"{number} is already on line {first_line[number]}."
            )
            continue
        first_line[number] = row.line
        yield _Recipient(row.line, number, params, _segments(text))


def _insert_rows(model: type[models.Model], field_names: list[str], rows: list[list]) -> None:
    """INSERT rows (values in field order, ready for the database) in one executemany.

    A large import skips model instances and per-object SQL compiling (bulk_create's cost).
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})",  # noqa: S608 (names from model meta)
            rows,
        )


def _store_batch(campaign: Campaign, batch: list[_Recipient | _Rejected], totals: _Intake) -> None:
    """Insert one batch, leaving out opted-out numbers of a commercial campaign."""
    recipients = [item for item in batch if isinstance(item, _Recipient)]
    rejected = [item for item in batch if isinstance(item, _Rejected)]
    if campaign.kind == MessageKind.COMMERCIAL and recipients:
        opted_out = numbers_opted_out(numbers=[r.to for r in recipients])
        left_out = [r for r in recipients if r.to in opted_out]
        rejected += [
            _Rejected(
                r.line, r.to, RejectionReason.OPTED_OUT, f"{r.to} opted out of commercial messages."
            )
            for r in left_out
        ]
        recipients = [r for r in recipients if r.to not in opted_out]
        totals.opted_out += len(left_out)
    if recipients:
        segments = [r.segments for r in recipients]
        totals.count += len(recipients)
        totals.total_segments += sum(segments)
        totals.min_segments = min(totals.min_segments or min(segments), min(segments))
        totals.max_segments = max(totals.max_segments, max(segments))
    params_field = CampaignRecipient._meta.get_field("params")
    _insert_rows(
        CampaignRecipient,
        ["campaign", "line", "to", "params", "segments", "status", "error"],
        [
            [
                campaign.pk,
                r.line,
                r.to,
                params_field.get_db_prep_save(r.params, connection),
                r.segments,
                RecipientStatus.PENDING.value,
                "",
            ]
            for r in recipients
        ],
    )
    _insert_rows(
        CampaignRejectedRow,
        ["campaign", "line", "value", "reason", "detail"],
        [[campaign.pk, r.line, r.value, str(r.reason), r.detail] for r in rejected],
    )


def _import(campaign: Campaign, rows: Iterable[intake.RawRow]) -> _Intake:
    totals = _Intake()
    batch: list[_Recipient | _Rejected] = []
    for item in _checked_rows(campaign, rows, totals):
        batch.append(item)
        if len(batch) >= INTAKE_BATCH:
            _store_batch(campaign, batch, totals)
            batch = []
    _store_batch(campaign, batch, totals)
    return totals


def _campaign_template(template: Template | str | None, errors: dict) -> Template | None:
    if template is None or template == "":
        return None
    if isinstance(template, Template):
        return template
    found = template_get(key=str(template).strip())
    if found is None:
        errors["template"] = [
            f"No template has the key '{template}'. Create it first or send free text."
        ]
    return found


def _recipient_rows(
    *, csv_file: IO[bytes] | None, pasted: str, recipients: Iterable[Mapping] | None, text: str
) -> tuple[Iterable[intake.RawRow], str]:
    """The rows of the one recipient source given, and a description of it."""
    given = [
        name
        for name, value in (
            ("file", csv_file),
            ("pasted", pasted.strip()),
            ("recipients", recipients),
        )
        if value
    ]
    if not given:
        raise ValidationError(
            {"recipients": ["Add recipients: upload a CSV file or paste numbers."]}
        )
    if len(given) > 1:
        raise ValidationError(
            {"recipients": [f"Give recipients one way only (got {' and '.join(given)})."]}
        )
    names = rendering.placeholders_in(text)
    if csv_file:
        return intake.csv_rows(
            csv_file, placeholders=names
        ), f"CSV upload {getattr(csv_file, 'name', '')}".strip()
    if pasted.strip():
        if names:
            raise ValidationError(
                {
                    "pasted": [
                        f"The text has placeholders ({', '.join('{{' + n + '}}' for n in names)}) and pasted numbers "
                        "carry no values: upload a CSV with a column for each placeholder."
                    ]
                }
            )
        return intake.pasted_rows(pasted), "Pasted numbers"
    if not isinstance(recipients, list):
        raise ValidationError(
            {"recipients": ['recipients must be a list of {"msisdn": "+90…", "params": {…}}.']}
        )
    return intake.listed_rows(recipients), "API recipient list"


def _no_recipients_error(campaign: Campaign, totals: _Intake) -> ValidationError:
    examples = [f"line {r.line}: {r.detail}" for r in campaign.rejected_rows.order_by("line")[:5]]
    read = totals.invalid + totals.duplicates + totals.opted_out
    detail = f" First problems: {'; '.join(examples)}." if examples else ""
    return ValidationError(
        {"recipients": [f"None of the {read:,} rows is a recipient that can be sent to.{detail}"]}
    )


def campaign_create(
    *,
    name: str,
    text: str = "",
    template: Template | str | None = None,
    kind: str = "",
    sender: str | None = None,
    csv_file: IO[bytes] | None = None,
    pasted: str = "",
    recipients: Iterable[Mapping] | None = None,
    start: bool = False,
    scheduled_at: datetime | None = None,
    created_by=None,
    api_key=None,
) -> Campaign:
    """Make a campaign and import its recipients (streamed, in batches); optionally start it.

    Bad rows, repeats and (for commercial campaigns) opted-out numbers are left out and listed
    with their line numbers. With no usable recipient at all nothing is stored.
    """
    errors: dict[str, list[str]] = {}
    name = str(name or "").strip()
    if not name:
        errors["name"] = ["Give the campaign a name, e.g. Spring sale 2025."]
    elif len(name) > 120:
        errors["name"] = ["The name may be at most 120 characters long."]
    template = _campaign_template(template, errors)
    text = str(text or "")
    if template is not None and text.strip():
        errors["text"] = ["Send a template or free text, not both."]
    elif template is None and "template" not in errors:
        _check_text(text, errors)
    kind = kind or (template.kind if template else MessageKind.COMMERCIAL)
    _check_kind(kind, errors)
    sender = (template.sender if template else "") if sender is None else str(sender).strip()
    _check_sender(sender, errors)
    if start and scheduled_at is not None:
        _check_schedule(scheduled_at, errors)
    if errors:
        raise ValidationError(errors)
    text = template.text if template else text
    rows, source = _recipient_rows(
        csv_file=csv_file, pasted=str(pasted or ""), recipients=recipients, text=text
    )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            template=template,
            text=text,
            kind=kind,
            sender=sender,
            source=source[:200],
            created_by=created_by if getattr(created_by, "pk", None) else None,
            api_key=api_key,
        )
        totals = _import(campaign, rows)
        if totals.count == 0:
            raise _no_recipients_error(campaign, totals)
        Campaign.objects.filter(pk=campaign.pk).update(
            recipient_count=totals.count,
            total_segments=totals.total_segments,
            min_segments=totals.min_segments,
            max_segments=totals.max_segments,
            invalid_count=totals.invalid,
            duplicate_count=totals.duplicates,
            opted_out_count=totals.opted_out,
        )
        campaign.refresh_from_db()
        audit_record(
            action="create",
            target=campaign,
            changes={
                "name": [None, name],
                "template": [None, template.key if template else None],
                "kind": [None, kind],
                "sender": [None, sender],
                "source": [None, campaign.source],
                "recipients": [None, totals.count],
            },
        )
        if start:
            campaign = campaign_start(campaign=campaign, scheduled_at=scheduled_at)
    return campaign


# -- campaigns: sending ---------------------------------------------------------------------------


def _check_schedule(scheduled_at: datetime, errors: dict) -> None:
    if timezone.is_naive(scheduled_at):
        errors["scheduled_at"] = [
            "Give the time with its time zone, e.g. 2025-05-01T09:00:00+03:00."
        ]
    elif scheduled_at <= timezone.now():
        errors["scheduled_at"] = [
            f"{timezone.localtime(scheduled_at):%Y-%m-%d %H:%M} has passed; pick a later time or send now."
        ]


def _audit_status(campaign: Campaign, action: str, before: dict) -> None:
    campaign.refresh_from_db()
    audit_record(
        action=action,
        target=campaign,
        changes=audit_changes(before, audit_snapshot(campaign, CAMPAIGN_AUDIT_FIELDS)),
    )


def _not_allowed(campaign: Campaign, doing: str) -> ValidationError:
    return ValidationError(
        {
            "status": [
                f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}: it cannot be {doing}."
            ]
        }
    )


def _enqueue_chunk(campaign_id: int) -> None:
    # Robust: if the broker is unreachable the campaign sweep kicks the campaign again later.
    transaction.on_commit(lambda: async_task(CHUNK_TASK, campaign_id), robust=True)


@transaction.atomic
def campaign_start(*, campaign: Campaign, scheduled_at: datetime | None = None) -> Campaign:
    """Send a draft (or scheduled) campaign now, or at `scheduled_at` through a django-q2 schedule."""
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise _not_allowed(campaign, "started")
    errors: dict[str, list[str]] = {}
    if scheduled_at is not None:
        _check_schedule(scheduled_at, errors)
    if errors:
        raise ValidationError(errors)
    before = audit_snapshot(campaign, CAMPAIGN_AUDIT_FIELDS)
    Schedule.objects.filter(name=campaign.schedule_name).delete()
    if scheduled_at is not None:
        Schedule.objects.create(
            name=campaign.schedule_name,
            func=BEGIN_TASK,
            args=repr((campaign.pk,)),
            schedule_type=Schedule.ONCE,
            next_run=scheduled_at,
        )
        Campaign.objects.filter(pk=campaign.pk).update(
            status=CampaignStatus.SCHEDULED, scheduled_at=scheduled_at
        )
    else:
        Campaign.objects.filter(pk=campaign.pk).update(
            status=CampaignStatus.SENDING,
            scheduled_at=None,
            started_at=timezone.now(),
            last_chunk_at=timezone.now(),
        )
        _enqueue_chunk(campaign.pk)
    _audit_status(campaign, "schedule" if scheduled_at else "start", before)
    return campaign


def campaign_begin(*, campaign_id: int) -> bool:
    """A scheduled campaign's time has come: start sending unless it was cancelled meanwhile."""
    now = timezone.now()
    with transaction.atomic():
        begun = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SCHEDULED).update(
            status=CampaignStatus.SENDING, started_at=now, last_chunk_at=now
        )
        if begun:
            _enqueue_chunk(campaign_id)
    return bool(begun)


@transaction.atomic
def campaign_pause(*, campaign: Campaign) -> Campaign:
    """Stop making messages after the chunk in progress; messages already made still go out."""
    before = audit_snapshot(campaign, CAMPAIGN_AUDIT_FIELDS)
    if not Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
        status=CampaignStatus.PAUSED
    ):
        campaign.refresh_from_db()
        raise _not_allowed(campaign, "paused")
    _audit_status(campaign, "pause", before)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign) -> Campaign:
    """Carry on sending a paused campaign from the first recipient without a message."""
    before = audit_snapshot(campaign, CAMPAIGN_AUDIT_FIELDS)
    if not Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.PAUSED).update(
        status=CampaignStatus.SENDING, last_chunk_at=timezone.now()
    ):
        campaign.refresh_from_db()
        raise _not_allowed(campaign, "resumed")
    _enqueue_chunk(campaign.pk)
    _audit_status(campaign, "resume", before)
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign) -> Campaign:
    """Stop for good: recipients still waiting get no message; messages already made still go out."""
    before = audit_snapshot(campaign, CAMPAIGN_AUDIT_FIELDS)
    cancellable = [
        CampaignStatus.DRAFT,
        CampaignStatus.SCHEDULED,
        CampaignStatus.SENDING,
        CampaignStatus.PAUSED,
    ]
    if not Campaign.objects.filter(pk=campaign.pk, status__in=cancellable).update(
        status=CampaignStatus.CANCELLED, finished_at=timezone.now()
    ):
        campaign.refresh_from_db()
        raise _not_allowed(campaign, "cancelled")
    Schedule.objects.filter(name=campaign.schedule_name).delete()
    campaign.recipients.filter(status=RecipientStatus.PENDING).update(
        status=RecipientStatus.CANCELLED
    )
    _audit_status(campaign, "cancel", before)
    return campaign


def _hand_over(campaign: Campaign, recipients: list[CampaignRecipient]) -> None:
    """Make the recipients' messages (validated by messaging, in one batch) or say why not."""
    rendered = []
    for recipient in recipients:
        try:
            rendered.append((recipient, rendering.render(campaign.text, recipient.params)))
        except ValidationError as error:
            recipient.status = RecipientStatus.SKIPPED
            recipient.error = " ".join(error.messages)[:300]
    made = message_create_batch(
        recipients=[(recipient.to, text) for recipient, text in rendered],
        sender=campaign.sender,
        kind=campaign.kind,
    )
    for (recipient, _), result in zip(rendered, made, strict=True):
        if isinstance(result, Message):
            recipient.status, recipient.message = RecipientStatus.HANDED_OVER, result
        else:
            recipient.status = RecipientStatus.SKIPPED
            recipient.error = " ".join(result.messages)[:300]


def _update_rows(model: type[models.Model], field_names: list[str], rows: list[list]) -> None:
    """UPDATE rows by primary key in one executemany: each row is its new values, then its pk.

    bulk_update compiles a CASE per field over the whole batch, most of a chunk's time.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in field_names)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",  # noqa: S608 (names from model meta)
            rows,
        )


def chunk_size() -> int:
    """Recipients per chunk: CHUNK_SIZE rounded up to whole bulk requests of the largest one.

    A chunk's messages are dispatched together, so recipients sharing a text fill bulk requests
    (decided by the providers' declarations, e.g. JoSMS's 120 numbers → 240 per chunk).
    """
    largest = max(
        (p.max_recipients_per_request for p in all_providers().values() if p.supports_bulk),
        default=1,
    )
    return math.ceil(CHUNK_SIZE / largest) * largest


def campaign_send_chunk(*, campaign_id: int) -> int:
    """Make the messages of the next chunk of waiting recipients, then enqueue the next chunk.

    The chunk's messages are dispatched by one batch task (bulk requests where a provider has
    them). The campaign row is locked for the chunk, so two chunk tasks never take the same
    recipients; a paused or cancelled campaign makes nothing. Returns how many were handled.
    """
    size = chunk_size()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != CampaignStatus.SENDING:
            return 0
        recipients = list(
            campaign.recipients.filter(status=RecipientStatus.PENDING).order_by("id")[:size]
        )
        _hand_over(campaign, recipients)
        _update_rows(
            CampaignRecipient,
            ["status", "message", "error"],
            [[str(r.status), r.message_id, r.error, r.pk] for r in recipients],
        )
        message_enqueue_batch(message_ids=[r.message_id for r in recipients if r.message_id])
        now = timezone.now()
        if len(recipients) < size:
            Campaign.objects.filter(pk=campaign_id).update(
                status=CampaignStatus.COMPLETED, finished_at=now, last_chunk_at=now
            )
        else:
            Campaign.objects.filter(pk=campaign_id).update(last_chunk_at=now)
            _enqueue_chunk(campaign_id)
    return len(recipients)


def campaign_sweep() -> int:
    """Kick sending campaigns whose chunk task was lost (a worker died, the broker dropped it)."""
    stale = timezone.now() - timedelta(seconds=STALE_CHUNK_SECONDS)
    ids = list(
        Campaign.objects.filter(status=CampaignStatus.SENDING, last_chunk_at__lt=stale).values_list(
            "id", flat=True
        )
    )
    with transaction.atomic():
        for campaign_id in ids:
            _enqueue_chunk(campaign_id)
    return len(ids)
