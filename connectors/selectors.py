"""Reads of connectors."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from connectors.models import Connector, HealthState


def connector_list() -> QuerySet[Connector]:
    """Every connector in dispatch order."""
    return Connector.objects.order_by("priority", "id")


def connectors_for_dispatch() -> list[Connector]:
    """Active connectors that are not tripped, in priority order (then id).

    A connector whose cool-down has passed is included again: the next message probes it.
    """
    now = timezone.now()
    return list(
        Connector.objects.filter(is_active=True)
        .filter(
            Q(health_state=HealthState.OK)
            | Q(health_state=HealthState.TRIPPED, tripped_until__lte=now)
        )
        .order_by("priority", "id")
    )


def sender_titles_active() -> list[str]:
    """Sender titles listed by active connectors, in priority order, without repeats."""
    titles: list[str] = []
    for sender_list in (
        Connector.objects.filter(is_active=True)
        .order_by("priority", "id")
        .values_list("sender_list", flat=True)
    ):
        titles.extend(t for t in sender_list or [] if t not in titles)
    return titles


def connector_is_last_active(*, connector: Connector) -> bool:
    """Whether switching off or deleting this connector leaves no active one to send through."""
    return (
        connector.is_active
        and not Connector.objects.filter(is_active=True).exclude(pk=connector.pk).exists()
    )


def connector_session_token(*, connector_id: int) -> str:
    """The provider session token stored now (another worker may have replaced it)."""
    token = (
        Connector.objects.filter(pk=connector_id).values_list("session_token", flat=True).first()
    )
    return token or ""
