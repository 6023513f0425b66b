"""Sending a campaign: chunk tasks that turn waiting recipients into messages, and their sweep.

A chunk turns a bounded number of waiting recipients into messages (through messaging's
messages_prepare_batch, so every message is validated and logged like any other), enqueues the next
chunk and sends its messages itself as one batch (bulk requests where a provider has them): the
next chunk is made by another worker meanwhile, and no message waits for a broker round trip.
Pause and cancel are seen at the start of the next chunk. The sending rules (compliance) choose a
chunk's recipients and may pause the campaign: recipients in quiet hours wait, and the spend cap
stops it before its messages could cost more.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from connectors.providers import all_providers
from core.rows import objects_create, rows_update
from core.tasks import task_enqueue
from messaging.campaigns import rendering
from messaging.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from messaging.campaigns.services.compliance import (
    ChunkPlan,
    campaign_chunk_finish,
    campaign_chunk_plan,
    campaign_resume_due,
)
from messaging.models import Message
from messaging.services import (
    message_dispatch_claimed,
    messages_claim_new,
    messages_prepare_batch,
)

CHUNK_SIZE = 200  # at least this many messages per chunk task (see chunk_size)
STALE_CHUNK_SECONDS = 120  # a sending campaign with no chunk for this long is kicked again
CHUNK_TASK = "messaging.campaigns.tasks.campaign_send_chunk_task"


def campaign_enqueue_chunk(*, campaign_id: int) -> None:
    """Have a chunk task run once the transaction commits."""
    # If the broker is unreachable the campaign sweep kicks the campaign again later.
    task_enqueue(CHUNK_TASK, campaign_id)


# What a chunk's plan and messages depend on, besides its recipients waiting and the clock (its
# status is sending both times: read so, and checked under the lock).
PLAN_FIELDS = (
    "text",
    "kind",
    "sender",
    "iys_recipient_type",
    "quiet_hours_override",
    "max_spend",
    "spend_reserved",
)


@dataclass
class Chunk:
    """A chunk made ready: its plan, and a message (unsaved) or the reason why not per recipient."""

    plan: ChunkPlan
    made: dict[int, Message | ValidationError]  # by recipient id
    campaign_as_read: tuple

    def holds_for(self, campaign: Campaign, size: int) -> bool:
        """Whether it is still this campaign's next chunk: a full one, nothing it depends on has
        changed, and every recipient is still waiting (another chunk task did not take them)."""
        recipients = self.plan.recipients
        return (
            not self.plan.pause
            and len(recipients) == size
            and _as_read(campaign) == self.campaign_as_read
            and CampaignRecipient.objects.filter(
                pk__in=[r.pk for r in recipients], status=RecipientStatus.PENDING
            ).count()
            == len(recipients)
        )


def _as_read(campaign: Campaign) -> tuple:
    return tuple(getattr(campaign, name) for name in PLAN_FIELDS)


def _chunk_prepare(campaign: Campaign, size: int) -> Chunk:
    """The next chunk's plan and its recipients' messages, validated but not stored (reads only)."""
    plan = campaign_chunk_plan(campaign=campaign, size=size)
    made: dict[int, Message | ValidationError] = {}
    rendered = []
    for recipient in plan.recipients:
        try:
            rendered.append((recipient, rendering.render(campaign.text, recipient.params)))
        except ValidationError as error:
            made[recipient.pk] = error
    results = messages_prepare_batch(
        recipients=[(recipient.to, text) for recipient, text in rendered],
        sender=campaign.sender,
        kind=campaign.kind,
        iys_recipient_type=campaign.iys_recipient_type,
        quiet_hours_override=campaign.quiet_hours_override,
    )
    for (recipient, _), result in zip(rendered, results, strict=True):
        made[recipient.pk] = result
    return Chunk(plan=plan, made=made, campaign_as_read=_as_read(campaign))


def _hand_over(chunk: Chunk) -> tuple[list[Message], str]:
    """Store the chunk's messages, claimed by this worker (it sends them next), and say on each
    recipient what became of it; the messages and their lease token."""
    messages = [m for m in chunk.made.values() if isinstance(m, Message)]
    token = messages_claim_new(messages=messages)
    objects_create(objects=messages)
    for recipient in chunk.plan.recipients:
        result = chunk.made[recipient.pk]
        if isinstance(result, Message):
            recipient.status, recipient.message = RecipientStatus.HANDED_OVER, result
        else:
            recipient.status = RecipientStatus.SKIPPED
            recipient.error = " ".join(result.messages)[:300]
    return messages, token


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
    """Make the messages of the next chunk of waiting recipients, enqueue the next chunk, then
    send the messages made as one batch (bulk requests where a provider has them).

    The campaign row is locked while the chunk is made, so two chunk tasks never take the same
    recipients; a paused or cancelled campaign makes nothing, and one the rules pause after this
    chunk enqueues no next one. The messages are stored claimed by this worker, which sends them
    after their commit (if it dies, their lease runs out and the sweeper kicks them). Returns how
    many recipients were handled.
    """
    size = chunk_size()
    # Made ready before the transaction, so the writer (SQLite has one) is not held meanwhile.
    campaign = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).first()
    ready = _chunk_prepare(campaign, size) if campaign is not None else None
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != CampaignStatus.SENDING:
            return 0
        if ready is None or not ready.holds_for(campaign, size):
            ready = _chunk_prepare(campaign, size)
        plan = ready.plan
        recipients = plan.recipients
        made, token = _hand_over(ready)
        rows_update(
            model=CampaignRecipient,
            field_names=["status", "message", "error"],
            rows=[[str(r.status), r.message_id, r.error, r.pk] for r in recipients],
        )
        now = timezone.now()
        if campaign_chunk_finish(campaign=campaign, plan=plan):  # paused by a rule
            Campaign.objects.filter(pk=campaign_id).update(last_chunk_at=now)
        elif len(recipients) < size:
            Campaign.objects.filter(pk=campaign_id).update(
                status=CampaignStatus.COMPLETED, finished_at=now, last_chunk_at=now
            )
        else:
            Campaign.objects.filter(pk=campaign_id).update(last_chunk_at=now)
            campaign_enqueue_chunk(campaign_id=campaign_id)
    message_dispatch_claimed(messages=made, token=token)
    return len(recipients)


def campaign_sweep() -> int:
    """Kick sending campaigns whose chunk task was lost (a worker died, the broker dropped it),
    and resume those paused for quiet hours once their window opens."""
    with transaction.atomic():
        for campaign_id in campaign_resume_due():
            campaign_enqueue_chunk(campaign_id=campaign_id)
    stale = timezone.now() - timedelta(seconds=STALE_CHUNK_SECONDS)
    ids = list(
        Campaign.objects.filter(status=CampaignStatus.SENDING, last_chunk_at__lt=stale).values_list(
            "id", flat=True
        )
    )
    with transaction.atomic():
        for campaign_id in ids:
            campaign_enqueue_chunk(campaign_id=campaign_id)
    return len(ids)
