"""Reads for templates and campaigns: lists, progress and breakdowns."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.validators import slug_re
from django.db.models import Count, Q, QuerySet

from connectors.providers.types import FINAL_DELIVERY_STATES, DeliveryState
from core.text import digits_only
from messaging.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignRejectedRow,
    CampaignStatus,
    ImportStatus,
    RecipientStatus,
    Template,
)
from messaging.models import Attempt, Message, MessageStatus


def template_list() -> QuerySet[Template]:
    """All templates by name."""
    return Template.objects.order_by("name", "id")


def template_get(*, key: str) -> Template | None:
    """The template with this key, or None."""
    if not slug_re.fullmatch(key):
        return None  # keys are slugs; anything else (a NUL byte, say) can't name one
    return Template.objects.filter(key=key).first()


def template_get_by_key_or_id(*, key_or_id: str) -> Template | None:
    """An all-digit value is an id (keys always hold a letter); anything else is a key."""
    if digits_only(key_or_id):
        return Template.objects.filter(pk=int(key_or_id)).first()
    return template_get(key=key_or_id)


def campaign_list(*, status: str = "") -> QuerySet[Campaign]:
    """Campaigns newest first, optionally of one status."""
    campaigns = Campaign.objects.select_related("template")
    if status:
        campaigns = campaigns.filter(status=status)
    return campaigns.order_by("-id")


def campaign_choices(*, include_id: int | None = None, limit: int = 100) -> list[tuple[int, str]]:
    """(id, name) of the newest campaigns, plus the one asked for, for the message log filter."""
    choices = list(Campaign.objects.order_by("-id").values_list("id", "name")[:limit])
    if include_id and all(pk != include_id for pk, _ in choices):
        choices += Campaign.objects.filter(pk=include_id).values_list("id", "name")
    return choices


@dataclass(frozen=True)
class Progress:
    """Where the recipients of a campaign are: waiting, in the dispatcher, sent, failed, left out.

    Sent ones split by their receipts: delivered, undelivered (also expired or rejected) and
    pending (no final receipt yet, or none within the delivery wait).
    """

    total: int
    waiting: int
    queued: int
    sent: int
    failed: int
    skipped: int
    cancelled: int
    delivered: int = 0
    undelivered: int = 0
    awaiting_receipt: int = 0  # still waited for (the rest of the pending ones are unknown)

    @property
    def finished(self) -> int:
        return self.sent + self.failed + self.skipped + self.cancelled

    @property
    def delivery_pending(self) -> int:
        return self.sent - self.delivered - self.undelivered

    def percent(self, part: int) -> int:
        return round(100 * part / self.total) if self.total else 0

    @property
    def done_percent(self) -> int:
        return self.percent(self.finished)

    @property
    def sent_percent(self) -> int:
        return self.percent(self.sent)

    @property
    def delivered_percent(self) -> int:
        return self.percent(self.delivered)

    @property
    def undelivered_percent(self) -> int:
        return self.percent(self.undelivered)

    @property
    def delivery_pending_percent(self) -> int:
        return self.percent(self.delivery_pending)

    @property
    def failed_percent(self) -> int:
        return self.percent(self.failed)

    @property
    def other_percent(self) -> int:
        return self.percent(self.skipped + self.cancelled)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "waiting": self.waiting,
            "queued": self.queued,
            "sent": self.sent,
            "failed": self.failed,
            "skipped": self.skipped,
            "cancelled": self.cancelled,
            "finished": self.finished,
            "percent": self.done_percent,
            "delivered": self.delivered,
            "undelivered": self.undelivered,
            "delivery_pending": self.delivery_pending,
        }


def _progress_counts() -> dict[str, int]:
    names = ("waiting", "queued", "sent", "failed", "skipped", "cancelled")
    return dict.fromkeys((*names, "delivered", "undelivered", "awaiting_receipt"), 0)


def _count_into(
    counts: dict[str, int], status: str, message_status: str | None, delivery: str | None, n: int
) -> None:
    """Add n recipients with this recipient status and message state to the right counts."""
    if status not in (RecipientStatus.PENDING, RecipientStatus.SKIPPED, RecipientStatus.CANCELLED):
        if message_status == MessageStatus.SENT and delivery == DeliveryState.DELIVERED:
            counts["delivered"] += n
        elif message_status == MessageStatus.SENT and delivery in FINAL_DELIVERY_STATES:
            counts["undelivered"] += n
        elif message_status == MessageStatus.SENT and delivery == DeliveryState.PENDING:
            counts["awaiting_receipt"] += n
    if status == RecipientStatus.PENDING:
        counts["waiting"] += n
    elif status == RecipientStatus.SKIPPED:
        counts["skipped"] += n
    elif status == RecipientStatus.CANCELLED:
        counts["cancelled"] += n
    elif message_status == MessageStatus.SENT:
        counts["sent"] += n
    elif message_status == MessageStatus.FAILED:
        counts["failed"] += n
    elif message_status is None:
        counts["skipped"] += n  # the message was deleted from the log
    else:
        counts["queued"] += n


def campaigns_progress(*, campaigns: Iterable[Campaign]) -> dict[int, Progress]:
    """Progress of several campaigns by id, counted in one aggregate query."""
    campaigns = list(campaigns)
    counts = {campaign.pk: _progress_counts() for campaign in campaigns}
    rows = (
        CampaignRecipient.objects.filter(campaign_id__in=list(counts))
        .values_list("campaign_id", "status", "message__status", "message__delivery_state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for campaign_id, status, message_status, delivery, n in rows:
        _count_into(counts[campaign_id], status, message_status, delivery, n)
    return {c.pk: Progress(total=c.recipient_count, **counts[c.pk]) for c in campaigns}


def campaign_progress(*, campaign: Campaign) -> Progress:
    """Counts of the campaign's recipients by their own state and their message's (one query)."""
    return campaigns_progress(campaigns=[campaign])[campaign.pk]


def campaign_is_live(*, campaign: Campaign, progress: Progress) -> bool:
    """Whether the page should keep refreshing: something may still change by itself."""
    if campaign.status in (CampaignStatus.SENDING, CampaignStatus.SCHEDULED):
        return True
    return (
        progress.queued > 0
        or progress.awaiting_receipt > 0
        or campaign.import_status == ImportStatus.IMPORTING
    )


def campaign_connector_breakdown(*, campaign: Campaign) -> list[dict]:
    """Per connector: attempts accepted, failed and skipped for this campaign's messages."""
    return list(
        Attempt.objects.filter(message__campaign_recipient__campaign=campaign)
        .values("connector_name")
        .annotate(
            accepted=Count("id", filter=Q(outcome="accepted")),
            failed=Count("id", filter=Q(outcome="failed")),
            skipped=Count("id", filter=Q(outcome="skipped")),
        )
        .order_by("-accepted", "connector_name")
    )


def campaign_failure_breakdown(*, campaign: Campaign) -> list[dict]:
    """Failed messages by error category, most first."""
    return list(
        Message.objects.filter(campaign_recipient__campaign=campaign, status=MessageStatus.FAILED)
        .values("error_category")
        .annotate(n=Count("id"))
        .order_by("-n", "error_category")
    )


def campaign_skipped_recipients(
    *, campaign: Campaign, limit: int = 100
) -> QuerySet[CampaignRecipient]:
    """Recipients left out while sending (opted out meanwhile, sender withdrawn …), first ones."""
    return campaign.recipients.filter(status=RecipientStatus.SKIPPED).order_by("id")[:limit]


def campaign_rejected_rows(
    *, campaign: Campaign, reason: str = "", limit: int = 200
) -> QuerySet[CampaignRejectedRow]:
    """Rows of the upload that were left out, by line, optionally of one reason."""
    rows = campaign.rejected_rows.all()
    if reason:
        rows = rows.filter(reason=reason)
    return rows.order_by("line", "id")[:limit]
