"""Screening claimed messages before they go: the rules a commercial message meets at dispatch.

A message waiting for a retry or its send window is screened again every time it is claimed, so
an opt-out that arrived meanwhile cancels it and quiet hours hold it (messaging.routing.compliance
decides; this module records what it decided).
"""

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext_lazy

from messaging.models import OPTED_OUT, Message, MessageStatus
from messaging.routing.compliance import Hold, message_screen
from messaging.services.leases import messages_held

OPTED_OUT_DETAIL = gettext_lazy(
    "The number opted out of commercial messages after this one was queued, so it was not sent."
)


def messages_screen_claimed(*, messages: list[Message], token: str) -> list[Message]:
    """The claimed messages that may go now. Those outside their send window go back to the
    queue until it opens (due_at moves, the log says why); commercial ones whose number opted out
    are cancelled. Either way this worker's lease on them ends."""
    screened = message_screen(messages)
    holds: dict[Hold, list[int]] = defaultdict(list)
    for message, hold in screened.hold:
        holds[hold].append(message.pk)
    for hold, ids in holds.items():
        messages_held(message_ids=ids, token=token).update(
            status=MessageStatus.QUEUED,
            due_at=hold.until,
            kicked_at=None,
            hold_reason=hold.reason[:200],
            lease_token="",
            lease_expires_at=None,
        )
    if screened.opted_out:
        messages_held(message_ids=[m.pk for m in screened.opted_out], token=token).update(
            status=MessageStatus.FAILED,
            failed_at=timezone.now(),
            error_category=OPTED_OUT,
            error_code="",
            error_detail=str(OPTED_OUT_DETAIL),
            lease_token="",
            lease_expires_at=None,
        )
    return screened.send
