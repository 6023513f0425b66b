"""Reads of connectors."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from connectors.models import Connector, HealthState
from connectors.providers import UnknownProvider, get_provider
from connectors.providers.types import CannotCarry
from connectors.routing import connector_carries
from core.phone import country_of_number
from core.process_cache import ProcessCache

# Every process keeps the connectors delivery reports were pushed to (the receipt endpoint).
RECEIPT_CONNECTORS: ProcessCache[Connector | None] = ProcessCache("connectors-for-receipts")


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


def connector_get(*, connector_id: int) -> Connector:
    """One connector, or Connector.DoesNotExist."""
    return Connector.objects.get(pk=connector_id)


def connector_for_receipts(*, connector_id: int) -> Connector | None:
    """The connector a delivery report is pushed to, or None; read once per process while no
    connector is saved or deleted. Its health may be older than the database's: the receipt
    endpoint reads only its token, provider, credentials and receipt URL, which change by a save."""
    return RECEIPT_CONNECTORS.get(
        connector_id, lambda: Connector.objects.filter(pk=connector_id).first()
    )


def connector_is_usable(*, connector: Connector) -> bool:
    """Whether the connector is healthy now (neither paused nor with its credentials rejected)."""
    return Connector.objects.filter(pk=connector.pk, health_state=HealthState.OK).exists()


def connectors_unusable_reason(
    *, number: str = "", pinned: bool = False, connector_id: int | None = None
) -> tuple[bool, str]:
    """Why no connector, or the pinned one, could even be tried for a number: (transient,
    explanation)."""
    active = Connector.objects.filter(is_active=True)
    if pinned:
        active = active.filter(pk=connector_id)
    if number and active and not any(connector_carries(c, number) for c in active):
        country = country_of_number(number)
        where = (
            gettext("numbers of %(country)s") % {"country": country.label} if country else number
        )
        values = {"where": where}
        if pinned:
            explanation = gettext(
                "The pinned connector does not carry %(where)s: add it to a connector's "
                "destinations."
            )
        else:
            explanation = gettext(
                "No active connector does carry %(where)s: add it to a connector's destinations."
            )
        return False, explanation % values
    if active.filter(health_state=HealthState.TRIPPED).exists():
        return True, gettext(
            "Every usable connector is paused after failures; the message will be retried."
        )
    if pinned:
        return (
            False,
            gettext(
                "The pinned connector is switched off, deleted or has its credentials rejected."
            ),
        )
    if active.exists():
        return False, gettext(
            "Every active connector has its credentials rejected; edit the connectors."
        )
    return False, gettext("No active connector: add one or switch one on.")


def connectors_refusing_text(*, text: str) -> list[tuple[Connector, CannotCarry]]:
    """Active connectors whose preflight refuses this text (its length or characters)."""
    refusing = []
    for connector in Connector.objects.filter(is_active=True).order_by("priority", "id"):
        try:
            get_provider(connector.provider).preflight_text(connector, text)
        except UnknownProvider:  # no longer configured: the dispatcher skips it anyway
            continue
        except CannotCarry as error:
            refusing.append((connector, error))
    return refusing


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
