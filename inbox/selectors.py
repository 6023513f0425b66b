import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from core.phone import number_canonical, number_or_none
from core.process_cache import ProcessCache
from inbox.models import ForwardState, InboundMessage, ReceiveConnector, ReceiverNumber
from messaging.models import Message

# Every process keeps the receive connector of each receiver number it was asked about.
RECEIVE_CONNECTORS: ProcessCache[ReceiveConnector | None] = ProcessCache("inbox-receive-connectors")

# A conversation page shows at most this many messages of each direction, the newest ones.
CONVERSATION_LIMIT = 200


def receive_connector_for_number(*, number: str) -> ReceiveConnector | None:
    """The receive connector serving the (normalised) receiver number, active or not.

    Read once per process while no connector or number changes (RECEIVE_CONNECTORS): every
    process sees an edit, a new token or a deleted number at its next request.
    """

    def load() -> ReceiveConnector | None:
        served = ReceiverNumber.objects.select_related("connector").filter(number=number).first()
        return served.connector if served else None

    return RECEIVE_CONNECTORS.get(number, load)


def receive_connector_list() -> QuerySet[ReceiveConnector]:
    """All receive connectors with their numbers and message counts."""
    return ReceiveConnector.objects.prefetch_related("numbers").annotate(
        message_count=Count("messages"),
        last_received_at=Max("messages__received_at"),
        failed_forwards=Count("messages", filter=Q(messages__forward_state=ForwardState.FAILED)),
    )


def _search_filter(search: str) -> Q:
    condition = Q(sender__icontains=search) | Q(text__icontains=search)
    if re.fullmatch(r"[\d\s+()-]+", search):
        # "0532 123 45" and "+90 532 123" both find +90532123…: match the digits without a trunk 0.
        digits = re.sub(r"\D", "", search).lstrip("0")
        if digits:
            condition |= Q(sender__contains=digits)
    return condition


def conversation_list(*, search: str = "", connector_id: int | None = None) -> QuerySet:
    """Conversations (one per remote number), newest first, with unread and total counts.

    Rows are dicts: sender, last_received_at, unread, total, last_text, last_connector.
    """
    messages = InboundMessage.objects.all()
    if connector_id:
        messages = messages.filter(connector_id=connector_id)
    if search.strip():
        matching = messages.filter(_search_filter(search.strip())).values("sender")
        messages = messages.filter(sender__in=matching)
    latest = messages.filter(sender=OuterRef("sender")).order_by("-received_at", "-id")
    return (
        messages.values("sender")
        .annotate(
            last_received_at=Max("received_at"),
            unread=Count("id", filter=Q(is_read=False)),
            total=Count("id"),
            last_text=Subquery(latest.values("text")[:1]),
            last_connector=Subquery(latest.values("connector__name")[:1]),
        )
        .order_by("-last_received_at", "sender")
    )


def inbox_unread_count() -> int:
    """How many received messages nobody has opened yet."""
    return InboundMessage.objects.filter(is_read=False).count()


@dataclass(frozen=True)
class ConversationItem:
    """One message in a conversation, either direction."""

    direction: str  # "in" or "out"
    text: str
    at: datetime
    inbound: InboundMessage | None = None
    outbound: Message | None = None


def conversation_messages(*, number: str) -> list[ConversationItem]:
    """Messages from and to the number, oldest first (the newest CONVERSATION_LIMIT per side)."""
    inbound = InboundMessage.objects.filter(sender=number).select_related("connector")
    # A national sender ("0532…") is answered at its E.164 form: show both in one thread.
    recipients = {number, number_or_none(number) or number}
    outbound = Message.objects.filter(to__in=recipients).select_related("connector")
    items = [
        ConversationItem("in", m.text, m.received_at, inbound=m)
        for m in inbound.order_by("-received_at", "-id")[:CONVERSATION_LIMIT]
    ] + [
        ConversationItem("out", m.text, m.created_at, outbound=m)
        for m in outbound.order_by("-created_at", "-id")[:CONVERSATION_LIMIT]
    ]
    return sorted(items, key=lambda item: item.at)


def inbound_message_list(
    *, number: str = "", connector_id: int | None = None, since: datetime | None = None
) -> QuerySet[InboundMessage]:
    """Received messages, newest first, filtered by remote number, receive connector and time."""
    messages = InboundMessage.objects.all()
    if number:
        messages = messages.filter(sender=number_canonical(number))
    if connector_id:
        messages = messages.filter(connector_id=connector_id)
    if since is not None:
        messages = messages.filter(received_at__gte=since)
    return messages.order_by("-received_at", "-id")
