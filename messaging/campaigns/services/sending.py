"""Sending a campaign: chunk tasks that turn waiting recipients into messages, and their sweep.

A chunk turns a bounded number of waiting recipients into messages (through messaging's
message_create_batch, so every message is validated and logged like any other), enqueues the next
chunk and sends its messages itself as one batch (bulk requests where a provider has them): the
next chunk is made by another worker meanwhile, and no message waits for a broker round trip.
Pause and cancel are seen at the start of the next chunk. The sending rules (compliance) choose a
chunk's recipients and may pause the campaign: recipients in quiet hours wait, and the spend cap
stops it before its messages could cost more.
"""

import math
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from connectors.providers import all_providers
from core.rows import rows_update
from core.tasks import task_enqueue
from messaging.campaigns import rendering
from messaging.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from messaging.campaigns.services.compliance import (
    campaign_chunk_finish,
    campaign_chunk_plan,
    campaign_resume_due,
)
from messaging.models import Message
from messaging.services import message_create_batch, message_dispatch_batch

CHUNK_SIZE = 200  # at least this many messages per chunk task (see chunk_size)
STALE_CHUNK_SECONDS = 120  # a sending campaign with no chunk for this long is kicked again
CHUNK_TASK = "messaging.campaigns.tasks.campaign_send_chunk_task"


def campaign_enqueue_chunk(*, campaign_id: int) -> None:
    """Have a chunk task run once the transaction commits."""
    # If the broker is unreachable the campaign sweep kicks the campaign again later.
    task_enqueue(CHUNK_TASK, campaign_id)


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
        iys_recipient_type=campaign.iys_recipient_type,
        quiet_hours_override=campaign.quiet_hours_override,
    )
    for (recipient, _), result in zip(rendered, made, strict=True):
        if isinstance(result, Message):
            recipient.status, recipient.message = RecipientStatus.HANDED_OVER, result
        else:
            recipient.status = RecipientStatus.SKIPPED
            recipient.error = " ".join(result.messages)[:300]


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
    chunk enqueues no next one. Messages are sent after their commit, as any kicked message (if
    this worker dies, the sweeper kicks them). Returns how many recipients were handled.
    """
    size = chunk_size()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != CampaignStatus.SENDING:
            return 0
        plan = campaign_chunk_plan(campaign=campaign, size=size)
        recipients = plan.recipients
        _hand_over(campaign, recipients)
        rows_update(
            model=CampaignRecipient,
            field_names=["status", "message", "error"],
            rows=[[str(r.status), r.message_id, r.error, r.pk] for r in recipients],
        )
        made = [r.message_id for r in recipients if r.message_id]
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
    if made:
        message_dispatch_batch(message_ids=made)
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
