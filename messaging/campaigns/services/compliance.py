"""The sending rules a running campaign meets: quiet hours and its spend cap; and the settings a
person changes (the cap, the quiet-hours override).

A commercial campaign leaves the recipients of countries whose enforced send window is closed for
later; when only such recipients are left it pauses itself until the first of those windows opens,
and the campaign sweep resumes it then. With a spend cap, each chunk reserves what its messages can
cost at most (segments × the dearest connector that may carry them) and the campaign pauses before
the reservations would pass the cap. Both pauses are audited.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from connectors.routing import user_may_manage_routing
from core.audit import audit_record
from messaging.campaigns.compliance import RoutePrices
from messaging.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    PauseReason,
    RecipientStatus,
)
from messaging.models import MessageKind
from messaging.routing import compliance as rules
from messaging.routing.compliance import Window, closed_windows


def _quiet_hours_apply(campaign: Campaign) -> bool:
    return campaign.kind == MessageKind.COMMERCIAL and not campaign.quiet_hours_override


def _in_country(window: Window) -> Q:
    return Q(to__startswith=window.country.prefix)


@dataclass
class ChunkPlan:
    """The recipients one chunk hands over, what they reserve, and whether the campaign pauses."""

    recipients: list[CampaignRecipient]
    reserved: Decimal = Decimal(0)
    pause: str = ""  # a PauseReason, or "" to go on
    resume_at: datetime | None = None
    detail: str = ""


def campaign_chunk_plan(*, campaign: Campaign, size: int) -> ChunkPlan:
    """The next chunk of waiting recipients the rules let go now (in id order)."""
    pending = campaign.recipients.filter(status=RecipientStatus.PENDING)
    now = rules.compliance_now()
    closed = closed_windows(at=now) if _quiet_hours_apply(campaign) else []
    available = pending.exclude(reduce(or_, map(_in_country, closed))) if closed else pending
    plan = ChunkPlan(recipients=list(available.order_by("id")[:size]))
    if campaign.max_spend is not None:
        _apply_cap(campaign, plan)
    if not plan.pause and closed and len(plan.recipients) < size:
        waiting = [w for w in closed if pending.filter(_in_country(w)).exists()]
        if waiting:
            first = min(waiting, key=lambda w: w.opens_after(now))
            plan.pause, plan.resume_at = PauseReason.QUIET_HOURS, first.opens_after(now)
            plan.detail = first.hold_reason(plan.resume_at)
    return plan


def _apply_cap(campaign: Campaign, plan: ChunkPlan) -> None:
    """Keep the recipients whose dearest cost still fits under the cap; pause at the first that
    does not."""
    prices = RoutePrices(campaign.kind)
    room = campaign.max_spend - campaign.spend_reserved
    for index, recipient in enumerate(plan.recipients):
        cost = prices.dearest(recipient.to) * recipient.segments
        if plan.reserved + cost > room:
            plan.recipients = plan.recipients[:index]
            plan.pause = PauseReason.SPEND_CAP
            plan.detail = gettext(
                "spend cap %(cap)s reached: %(reserved)s is reserved for the messages made so far"
            ) % {"cap": campaign.max_spend, "reserved": campaign.spend_reserved + plan.reserved}
            return
        plan.reserved += cost


def campaign_chunk_finish(*, campaign: Campaign, plan: ChunkPlan) -> bool:
    """Book the chunk's reservation and pause the campaign if a rule says so (audited).

    Returns whether it paused. Call inside the chunk's transaction.
    """
    if plan.reserved:
        Campaign.objects.filter(pk=campaign.pk).update(
            spend_reserved=F("spend_reserved") + plan.reserved
        )
    if not plan.pause:
        return False
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
        status=CampaignStatus.PAUSED, paused_reason=plan.pause, resume_at=plan.resume_at
    )
    audit_record(
        action="pause",
        target=campaign,
        changes={
            "status": [CampaignStatus.SENDING, CampaignStatus.PAUSED],
            "paused_reason": ["", plan.pause],
            "detail": [None, plan.detail],
        },
        actor="system",
    )
    return True


def campaign_resume_due() -> list[int]:
    """Resume campaigns paused for quiet hours whose window has opened; their ids (audited)."""
    due = list(
        Campaign.objects.filter(
            status=CampaignStatus.PAUSED,
            paused_reason=PauseReason.QUIET_HOURS,
            resume_at__lte=rules.compliance_now(),
        )
    )
    resumed = []
    for campaign in due:
        if Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.PAUSED).update(
            status=CampaignStatus.SENDING,
            paused_reason="",
            resume_at=None,
            last_chunk_at=timezone.now(),
        ):
            audit_record(
                action="resume",
                target=campaign,
                changes={"status": [CampaignStatus.PAUSED, CampaignStatus.SENDING]},
                actor="system",
            )
            resumed.append(campaign.pk)
    return resumed


@transaction.atomic
def campaign_set_max_spend(*, campaign: Campaign, max_spend: Any) -> Campaign:
    """Set or clear the spend cap (a paused campaign goes on only when someone resumes it)."""
    value = clean_max_spend(max_spend)
    before = campaign.max_spend
    Campaign.objects.filter(pk=campaign.pk).update(max_spend=value)
    campaign.refresh_from_db()
    if before != value:
        audit_record(action="update", target=campaign, changes={"max_spend": [before, value]})
    return campaign


@transaction.atomic
def campaign_override_quiet_hours(*, campaign: Campaign, override: bool, user: Any) -> Campaign:
    """Let a commercial campaign send in quiet hours (or stop doing so): routing permission, audited."""
    if not user_may_manage_routing(user):
        raise PermissionDenied(
            gettext("Overriding quiet hours needs the permission to manage routing.")
        )
    before = campaign.quiet_hours_override
    Campaign.objects.filter(pk=campaign.pk).update(quiet_hours_override=bool(override))
    campaign.refresh_from_db()
    if before != campaign.quiet_hours_override:
        audit_record(
            action="override",
            target=campaign,
            changes={"quiet_hours_override": [before, campaign.quiet_hours_override]},
        )
    return campaign


def clean_max_spend(value: Any) -> Decimal | None:
    """A spend cap from a form or the API: a positive amount, or None for no cap."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        raise ValidationError(
            {"max_spend": [gettext("'%(value)s' is not an amount.") % {"value": value}]}
        ) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise ValidationError(
            {"max_spend": [gettext("The spend cap is an amount above 0, e.g. 250.00.")]}
        )
    return amount.quantize(Decimal("0.01"))
