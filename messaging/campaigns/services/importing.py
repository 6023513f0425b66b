"""Importing a campaign's recipients: the rows of one source, checked and stored in batches.

Rows are streamed: each batch is checked, then inserted with one executemany, so a list of a
million numbers never sits in memory as model instances.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from core import text as sms_text
from core.audit import audit_record
from core.phone import normalize_number
from core.rows import rows_insert
from core.text import text_problem
from messaging.campaigns import intake, rendering
from messaging.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignRejectedRow,
    ImportStatus,
    RecipientStatus,
    RejectionReason,
)
from messaging.campaigns.uploads import upload_delete, upload_open
from messaging.models import MessageKind
from messaging.routing.compliance import country_footers, footer_for, text_with_footer
from messaging.selectors import numbers_opted_out

INTAKE_BATCH = 5000  # rows checked, then inserted with one executemany, per batch while importing
NUMBER_CACHE = 65_536  # spellings of numbers whose reading is remembered during one import
MAX_RECIPIENTS = 1_000_000


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

    @property
    def rows(self) -> int:
        return self.count + self.invalid + self.duplicates + self.opted_out


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
    footers = country_footers() if campaign.kind == MessageKind.COMMERCIAL else {}
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
        footer = footer_for(number=number, kind=campaign.kind, footers=footers)
        yield _Recipient(row.line, number, params, _segments(text_with_footer(text, footer)))


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
    rows_insert(
        model=CampaignRecipient,
        field_names=["campaign", "line", "to", "params", "segments", "status", "error"],
        rows=[
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
    rows_insert(
        model=CampaignRejectedRow,
        field_names=["campaign", "line", "value", "reason", "detail"],
        rows=[[campaign.pk, r.line, r.value, str(r.reason), r.detail] for r in rejected],
    )


def _import(
    campaign: Campaign, rows: Iterable[intake.RawRow], *, report_progress: bool = False
) -> _Intake:
    totals = _Intake()
    batch: list[_Recipient | _Rejected] = []
    for item in _checked_rows(campaign, rows, totals):
        batch.append(item)
        if len(batch) >= INTAKE_BATCH:
            _store_progress(campaign, batch, totals, report_progress=report_progress)
            batch = []
    _store_progress(campaign, batch, totals, report_progress=report_progress)
    if totals.count == 0:
        raise _no_recipients_error(campaign, totals)
    return totals


def _store_progress(
    campaign: Campaign,
    batch: list[_Recipient | _Rejected],
    totals: _Intake,
    *,
    report_progress: bool,
) -> None:
    # One short transaction per batch: a worker's import never holds the database for long.
    with transaction.atomic():
        _store_batch(campaign, batch, totals)
        if report_progress:
            Campaign.objects.filter(pk=campaign.pk).update(import_rows_read=totals.rows)


def _record_totals(campaign: Campaign, totals: _Intake, **fields) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(
        recipient_count=totals.count,
        total_segments=totals.total_segments,
        min_segments=totals.min_segments,
        max_segments=totals.max_segments,
        invalid_count=totals.invalid,
        duplicate_count=totals.duplicates,
        opted_out_count=totals.opted_out,
        **fields,
    )
    campaign.refresh_from_db()
    return campaign


def campaign_recipients_import(*, campaign: Campaign, rows: Iterable[intake.RawRow]) -> Campaign:
    """Store a new campaign's recipients and rejected rows, in batches, and its totals.

    Raises ValidationError naming the first problems when no row is a recipient that can be sent
    to; the caller's transaction then rolls back, so nothing stays stored.
    """
    return _record_totals(campaign, _import(campaign, rows))


def campaign_upload_import(*, campaign_id: int) -> Campaign | None:
    """Import a campaign's stored CSV upload (a worker's job); None if there is nothing to import.

    Progress (rows read) is written after every batch. A redelivered task starts over, dropping
    rows a worker that died had stored; an import that finished is not repeated.
    """
    campaign = Campaign.objects.filter(pk=campaign_id, import_status=ImportStatus.IMPORTING).first()
    if campaign is None:
        return None
    campaign.recipients.all().delete()
    campaign.rejected_rows.all().delete()
    placeholders = rendering.placeholders_in(campaign.text)
    rows = intake.csv_rows(upload_open(campaign=campaign), placeholders=placeholders)
    try:
        totals = _import(campaign, rows, report_progress=True)
    except ValidationError as error:
        with transaction.atomic():
            campaign.recipients.all().delete()
            upload_delete(campaign=campaign)
            Campaign.objects.filter(pk=campaign.pk).update(
                import_status=ImportStatus.FAILED, import_error=" ".join(error.messages)[:2000]
            )
        return None
    with transaction.atomic():
        upload_delete(campaign=campaign)
        campaign = _record_totals(
            campaign,
            totals,
            import_status=ImportStatus.DONE,
            import_rows_read=totals.rows,
            import_rows_total=totals.rows,
        )
        audit_record(action="import", target=campaign, changes={"recipients": [0, totals.count]})
    return campaign


def _no_recipients_error(campaign: Campaign, totals: _Intake) -> ValidationError:
    examples = [f"line {r.line}: {r.detail}" for r in campaign.rejected_rows.order_by("line")[:5]]
    read = totals.invalid + totals.duplicates + totals.opted_out
    detail = f" First problems: {'; '.join(examples)}." if examples else ""
    return ValidationError(
        {"recipients": [f"None of the {read:,} rows is a recipient that can be sent to.{detail}"]}
    )
