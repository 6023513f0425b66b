"""Kicks and leases: a django-q2 task only kicks a message id; the Message row is the truth.

A worker claims messages with a conditional UPDATE and a lease, renews the lease between provider
requests, and the sweeper kicks queued messages whose kick was lost and sending ones whose lease
ran out (the worker died).
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.tasks import task_enqueue, task_enqueue_unless_pending, task_pending_clear
from messaging.models import Message, MessageStatus, WorkerHeartbeat

logger = logging.getLogger(__name__)

SEND_TASK = "messaging.tasks.message_send_task"
SEND_BATCH_TASK = "messaging.tasks.message_send_batch_task"
SEND_PENDING_MARK = "messaging:send-task-pending"  # see core.tasks.task_enqueue_unless_pending


def message_enqueue(*, message_id: int) -> None:
    """Once the transaction commits, have a worker dispatch this message."""
    # If the broker is unreachable the message stays queued and the sweeper kicks it later.
    task_enqueue(SEND_TASK, message_id)


def message_enqueue_single(*, message_id: int) -> None:
    """Once the transaction commits, see that a send task is on its way for this single message.

    One task serves every single message created until a worker takes it up (message_dispatch
    takes the other due ones too), so a burst of API messages is not one task each.
    """
    task_enqueue_unless_pending(SEND_TASK, message_id, mark=SEND_PENDING_MARK)


def message_kick_taken() -> None:
    """A send task starts taking due single messages: the next one created needs a task again."""
    task_pending_clear(SEND_PENDING_MARK)


def message_kick_again_if_due(*, message_id: int) -> None:
    """A send task ends: single messages still due (it ran out of time) need the next one."""
    if _singles_due().exists():
        message_enqueue_single(message_id=message_id)


def _singles_due() -> QuerySet[Message]:
    """Queued single messages that are due and whose kick is on its way or was skipped: not the
    messages of a batch (their batch's task sends them in bulk requests), nor retries and released
    holds (kicked_at cleared: the sweeper kicks them, so a retry due at once is not taken again by
    the run that failed it)."""
    return Message.objects.filter(
        status=MessageStatus.QUEUED,
        due_at__lte=timezone.now(),
        in_batch=False,
        kicked_at__isnull=False,
    )


def message_enqueue_batch(*, message_ids: list[int]) -> None:
    """Once the transaction commits, have one worker dispatch these messages together (bulk)."""
    if message_ids:
        task_enqueue(SEND_BATCH_TASK, list(message_ids))


def _lease_until() -> datetime:
    return timezone.now() + timedelta(seconds=settings.SMSCONSOLE_DISPATCH_LEASE_SECONDS)


def _claimable() -> Q:
    now = timezone.now()
    return Q(status=MessageStatus.QUEUED, due_at__lte=now) | Q(
        status=MessageStatus.SENDING, lease_expires_at__lt=now
    )


def message_claim(*, message_ids: list[int], also_due: int = 0) -> tuple[str, list[Message]]:
    """Take the messages for this worker (queued → sending, one lease); the token and those taken.

    Messages already claimed by another worker or finished are left out. With also_due, up to
    that many other single messages that are due are taken too (oldest due first, _singles_due),
    from the queue only: messages due at the same moment go out together instead of waiting for
    their own kicks.
    """
    token = uuid.uuid4().hex
    claimable = Q(pk__in=message_ids) & _claimable()
    if also_due > 0:
        others = list(
            _singles_due()
            .exclude(pk__in=message_ids)
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:also_due]
        )
        # A kick whose message went out with an earlier one, and nothing else due: no write.
        if not others and not Message.objects.filter(claimable).exists():
            return token, []
        # Taken only while still queued: only a kicked message is ever taken over from a worker
        # that died (the dispatcher looks for its requests in flight), never one of these.
        claimable |= Q(pk__in=others, status=MessageStatus.QUEUED)
        message_ids = [*message_ids, *others]
    claimed = Message.objects.filter(claimable).update(
        status=MessageStatus.SENDING, lease_token=token, lease_expires_at=_lease_until()
    )
    if not claimed:
        return token, []
    return token, list(Message.objects.filter(pk__in=message_ids, lease_token=token).order_by("id"))


def messages_claim_new(*, messages: list[Message]) -> str:
    """Make unsaved messages born claimed: sending under one new lease, for a worker that stores
    them and sends them itself (no claim update follows); the lease's token. If that worker
    dies, the lease runs out and the sweeper kicks them, as after any claim."""
    token, until = uuid.uuid4().hex, _lease_until()
    for message in messages:
        message.status, message.lease_token, message.lease_expires_at = (
            MessageStatus.SENDING,
            token,
            until,
        )
    return token


def messages_held(*, message_ids: list[int], token: str) -> QuerySet[Message]:
    """The messages still sending under this worker's lease (for the updates that finish them)."""
    return Message.objects.filter(
        pk__in=message_ids, status=MessageStatus.SENDING, lease_token=token
    )


def messages_lease_extend(*, message_ids: list[int], token: str) -> int:
    """Extend the leases of those of these messages still sending under this token (requests in
    flight keep their messages); how many were extended."""
    return messages_held(message_ids=message_ids, token=token).update(
        lease_expires_at=_lease_until()
    )


def message_lease_renew(*, messages: list[Message], token: str) -> list[Message]:
    """Extend these messages' leases; the ones still ours (a lost one went to another worker)."""
    ids = [message.pk for message in messages]
    if messages_held(message_ids=ids, token=token).update(lease_expires_at=_lease_until()) == len(
        ids
    ):
        return messages
    still_ours = set(messages_held(message_ids=ids, token=token).values_list("pk", flat=True))
    for message in messages:
        if message.pk not in still_ours:
            logger.warning(
                "Message %s: lease lost during failover; another worker has it", message.pk
            )
    return [message for message in messages if message.pk in still_ours]


def message_sweep() -> int:
    """Kick queued messages that are due and sending ones whose lease ran out (worker died).

    A message kicked recently is left alone, so a long backlog is not kicked over and over.
    Messages of a batch are kicked together again, so they still share bulk requests.
    Returns how many messages were kicked.
    """
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name="sweeper", defaults={"beat_at": now})
    stale = now - timedelta(seconds=settings.SMSCONSOLE_REKICK_SECONDS)
    found = list(
        Message.objects.filter(_claimable())
        .filter(Q(kicked_at__isnull=True) | Q(kicked_at__lt=stale))
        .order_by("id")
        .values_list("id", "in_batch")[: settings.SMSCONSOLE_SWEEP_BATCH]
    )
    with transaction.atomic():
        Message.objects.filter(pk__in=[message_id for message_id, _ in found]).update(kicked_at=now)
        message_enqueue_batch(message_ids=[message_id for message_id, batch in found if batch])
        for message_id, batch in found:
            if not batch:
                message_enqueue(message_id=message_id)
    return len(found)
