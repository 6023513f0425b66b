"""A campaign's life: create (with its recipients), start or schedule, begin, pause, resume, cancel."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy
from django_q.models import Schedule

from core.audit import audit_changes, audit_record, audit_snapshot
from core.tasks import task_enqueue
from messaging.campaigns.models import (
    Campaign,
    CampaignStatus,
    ImportStatus,
    RecipientStatus,
    Template,
)
from messaging.campaigns.selectors import template_get
from messaging.campaigns.services.compliance import clean_max_spend
from messaging.campaigns.services.importing import (
    campaign_recipients_import,
    campaign_upload_import,
)
from messaging.campaigns.services.sending import campaign_enqueue_chunk
from messaging.campaigns.services.sources import csv_header_check, recipient_rows, upload_size_check
from messaging.campaigns.services.templates import template_text_problem
from messaging.campaigns.uploads import upload_size, upload_store
from messaging.models import MessageKind
from messaging.validation import iys_recipient_type_problem, kind_problem, sender_problem

BEGIN_TASK = "messaging.campaigns.tasks.campaign_begin_task"
IMPORT_TASK = "messaging.campaigns.tasks.campaign_import_upload_task"
CAMPAIGN_AUDIT_FIELDS = ("status", "scheduled_at")


def schedule_problem(scheduled_at: datetime) -> str:
    """Why a campaign cannot be scheduled at this time, or ""."""
    if timezone.is_naive(scheduled_at):
        return gettext("Give the time with its time zone, e.g. 2025-05-01T09:00:00+03:00.")
    if scheduled_at <= timezone.now():
        return gettext("%(time)s has passed; pick a later time or send now.") % {
            "time": f"{timezone.localtime(scheduled_at):%Y-%m-%d %H:%M}"
        }
    return ""


def _campaign_template(template: Template | str | None, errors: dict) -> Template | None:
    if template is None or template == "":
        return None
    if isinstance(template, Template):
        return template
    found = template_get(key=str(template).strip())
    if found is None:
        errors["template"] = [
            gettext("No template has the key '%(key)s'. Create it first or send free text.")
            % {"key": template}
        ]
    return found


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
    iys_recipient_type: str | None = None,
    max_spend: Any = None,
) -> Campaign:
    """Make a campaign and import its recipients (streamed, in batches); optionally start it.

    Bad rows, repeats and (for commercial campaigns) opted-out numbers are left out and listed
    with their line numbers. With no usable recipient at all nothing is stored.

    A CSV upload over SMSCONSOLE_CAMPAIGN_BACKGROUND_BYTES is stored and imported by a worker
    (campaign_import_upload): the request does not wait for it. The İYS recipient type defaults
    to the template's; max_spend (blank: none) caps what its messages may cost.
    """
    size = upload_size(csv_file) if csv_file else 0
    upload_size_check(size)
    errors: dict[str, list[str]] = {}
    name = str(name or "").strip()
    if not name:
        errors["name"] = [gettext("Give the campaign a name, e.g. Spring sale 2025.")]
    elif len(name) > 120:
        errors["name"] = [
            gettext("The name may be at most %(limit)s characters long.") % {"limit": 120}
        ]
    template = _campaign_template(template, errors)
    text = str(text or "")
    if template is not None and text.strip():
        errors["text"] = [gettext("Send a template or free text, not both.")]
    elif template is None and "template" not in errors and (problem := template_text_problem(text)):
        errors["text"] = [problem]
    kind = kind or (template.kind if template else MessageKind.COMMERCIAL)
    if problem := kind_problem(kind):
        errors["kind"] = [problem]
    sender = (template.sender if template else "") if sender is None else str(sender).strip()
    if problem := sender_problem(sender):
        errors["sender"] = [problem]
    if iys_recipient_type is None:
        iys_recipient_type = template.iys_recipient_type if template else ""
    if problem := iys_recipient_type_problem(iys_recipient_type):
        errors["iys_recipient_type"] = [problem]
    try:
        max_spend = clean_max_spend(max_spend)
    except ValidationError as error:
        errors.update(error.message_dict)
    if start and scheduled_at is not None and (problem := schedule_problem(scheduled_at)):
        errors["scheduled_at"] = [problem]
    if errors:
        raise ValidationError(errors)
    text = template.text if template else text
    rows, source = recipient_rows(
        csv_file=csv_file, pasted=str(pasted or ""), recipients=recipients, text=text
    )
    in_background = size > settings.SMSCONSOLE_CAMPAIGN_BACKGROUND_BYTES
    if in_background:
        csv_header_check(rows)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            template=template,
            text=text,
            kind=kind,
            sender=sender,
            iys_recipient_type=iys_recipient_type,
            max_spend=max_spend,
            source=source[:200],
            created_by=created_by if getattr(created_by, "pk", None) else None,
            api_key=api_key,
            import_status=ImportStatus.IMPORTING if in_background else ImportStatus.DONE,
        )
        if in_background:
            campaign.import_rows_total = upload_store(campaign=campaign, upload=csv_file)
            campaign.save(update_fields=["import_rows_total"])
            task_enqueue(IMPORT_TASK, campaign.pk, start, scheduled_at)
        else:
            campaign = campaign_recipients_import(campaign=campaign, rows=rows)
        audit_record(
            action="create",
            target=campaign,
            changes={
                "name": [None, name],
                "template": [None, template.key if template else None],
                "kind": [None, kind],
                "sender": [None, sender],
                "iys_recipient_type": [None, iys_recipient_type],
                "max_spend": [None, max_spend],
                "source": [None, campaign.source],
                "recipients": [None, campaign.recipient_count],
            },
        )
        if start and not in_background:
            campaign = campaign_start(campaign=campaign, scheduled_at=scheduled_at)
    return campaign


def campaign_import_upload(
    *, campaign_id: int, start: bool = False, scheduled_at: datetime | None = None
) -> bool:
    """Import a campaign's stored CSV upload (a worker's job), then start it if asked."""
    campaign = campaign_upload_import(campaign_id=campaign_id)
    if campaign is None:
        return False
    if start and campaign.status == CampaignStatus.DRAFT:
        # A start time that passed while importing means: now.
        later = scheduled_at if scheduled_at and scheduled_at > timezone.now() else None
        campaign_start(campaign=campaign, scheduled_at=later)
    return True


def _audit_status(campaign: Campaign, action: str, before: dict) -> None:
    campaign.refresh_from_db()
    audit_record(
        action=action,
        target=campaign,
        changes=audit_changes(before, audit_snapshot(campaign, CAMPAIGN_AUDIT_FIELDS)),
    )


# Why an action does not fit a campaign's status, by action.
_NOT_ALLOWED = {
    "started": gettext_lazy("Campaign “%(name)s” is %(status)s: it cannot be started."),
    "paused": gettext_lazy("Campaign “%(name)s” is %(status)s: it cannot be paused."),
    "resumed": gettext_lazy("Campaign “%(name)s” is %(status)s: it cannot be resumed."),
    "cancelled": gettext_lazy("Campaign “%(name)s” is %(status)s: it cannot be cancelled."),
}


def _lower(text: str) -> str:
    """Lower case, with Turkish İ/I in Turkish (str.lower gives i + a combining dot)."""
    if get_language() == "tr":
        text = text.replace("İ", "i").replace("I", "ı")
    return text.lower()


def _not_allowed(campaign: Campaign, doing: str) -> ValidationError:
    status = _lower(str(campaign.get_status_display()))
    return ValidationError(
        {"status": [_NOT_ALLOWED[doing] % {"name": campaign.name, "status": status}]}
    )


@transaction.atomic
def campaign_start(*, campaign: Campaign, scheduled_at: datetime | None = None) -> Campaign:
    """Send a draft (or scheduled) campaign now, or at `scheduled_at` through a django-q2 schedule."""
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise _not_allowed(campaign, "started")
    if campaign.import_status != ImportStatus.DONE:
        raise ValidationError(
            {
                "status": [
                    gettext("Campaign “%(name)s” has no imported recipients to send to yet.")
                    % {"name": campaign.name}
                ]
            }
        )
    if scheduled_at is not None and (problem := schedule_problem(scheduled_at)):
        raise ValidationError({"scheduled_at": [problem]})
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
        campaign_enqueue_chunk(campaign_id=campaign.pk)
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
            campaign_enqueue_chunk(campaign_id=campaign_id)
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
        status=CampaignStatus.SENDING,
        last_chunk_at=timezone.now(),
        paused_reason="",
        resume_at=None,
    ):
        campaign.refresh_from_db()
        raise _not_allowed(campaign, "resumed")
    campaign_enqueue_chunk(campaign_id=campaign.pk)
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
