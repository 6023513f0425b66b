"""Which connectors may carry a number, in which order, and why the others may not.

One set of rules serves the dispatcher (route_steps over the connectors it may use) and the
console's "Where would this number go?" (route_explain over every connector): a connector carries
a number when one of its destinations (calling-code prefixes, or "any") starts the number; a
country's route puts its connectors first, in its own order; a commercial message to Turkey only
goes through a connector that checks İYS consent (compliance_preflight, which the gateway runs
before each provider's own preflight). Quiet hours are messaging's (a message is held, not routed
elsewhere), and length, characters, number and sender are each provider's preflight.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_may
from connectors.models import Connector, Route
from connectors.providers import UnknownProvider
from connectors.providers.base import Provider
from connectors.providers.types import ANY_DESTINATION, CannotCarry, Category, OutboundSms
from core.phone import Country, country_of_number

# The permission to change routes, send windows and their overrides (accounts/roles.py: Admin).
ROUTING_PERMISSION = "accounts.manage_routing"
IYS_COUNTRY = "TR"


class Skip(models.TextChoices):
    """Why a connector does not carry a message (the empty string: it may)."""

    OFF = "off", _("Switched off")
    TRIPPED = "tripped", _("Paused or credentials rejected")
    NO_DESTINATION = "no_destination", _("Does not carry this country")
    NOT_IN_ROUTE = "not_in_route", _("Not in this country's route")
    IYS = "iys", _("No İYS check")
    QUIET_HOURS = "quiet_hours", _("Quiet hours")
    LENGTH = "length", _("Text too long or with characters it cannot carry")
    SENDER = "sender", _("Sender title")
    RECIPIENT = "recipient", _("Number not carried")
    UNKNOWN_PROVIDER = "unknown_provider", _("Provider not configured")


@dataclass(frozen=True)
class Step:
    """One connector of a chain: whether it may carry the message, and if not why."""

    connector: Connector
    skip: str = ""  # a Skip value; "" when the connector may carry the message
    detail: str = ""

    @property
    def usable(self) -> bool:
        return not self.skip

    @property
    def skip_label(self) -> str:
        return Skip(self.skip).label if self.skip else ""


@dataclass(frozen=True)
class RoutingTable:
    """Every route, read once per dispatch: region -> (connector ids in order, others after)."""

    routes: dict[str, tuple[tuple[int, ...], bool]]


def user_may_manage_routing(user: Any) -> bool:
    """Whether a console user may change routes, send windows and quiet-hours overrides."""
    return user is not None and user_may(user, ROUTING_PERMISSION)


def routing_table() -> RoutingTable:
    """The routes as the dispatcher reads them (two queries)."""
    routes: dict[str, tuple[tuple[int, ...], bool]] = {}
    for route in Route.objects.prefetch_related("steps"):
        ids = tuple(step.connector_id for step in sorted(route.steps.all(), key=_position))
        routes[route.country] = (ids, route.others_after)
    return RoutingTable(routes=routes)


def _position(step) -> int:
    return step.position


def _provider(connector: Connector) -> Provider | None:
    try:
        return connector.provider_class
    except UnknownProvider:
        return None


def connector_carries(connector: Connector, number: str) -> bool:
    """Whether one of the connector's destinations starts this E.164 number."""
    digits = number.lstrip("+")
    destinations = connector.destinations or [ANY_DESTINATION]
    return ANY_DESTINATION in destinations or any(digits.startswith(d) for d in destinations)


def connector_checks_iys(connector: Connector) -> bool:
    """Whether commercial Turkish messages may go through it: its provider checks İYS consent,
    or an operator vouched that the account is filtered on the provider's side."""
    provider = _provider(connector)
    return connector.iys_checked_by_account or bool(provider and provider.supports_iys)


def iys_required(country: Country | None, kind: str) -> bool:
    """Law 6563: commercial electronic messages to Turkey need İYS consent."""
    return kind == "commercial" and country is not None and country.region == IYS_COUNTRY


def _iys_detail(connector: Connector) -> str:
    return gettext(
        "%(connector)s does not check İYS consent; commercial SMS to Turkey only go through "
        "connectors that do (Law 6563)."
    ) % {"connector": connector.name}


def compliance_preflight(connector: Connector, message: OutboundSms) -> None:
    """CannotCarry (category compliance) when the law keeps this connector from carrying the
    message: a commercial one to Turkey through a connector that does not check İYS."""
    country = country_of_number(message.to)
    if iys_required(country, message.kind) and not connector_checks_iys(connector):
        raise CannotCarry(Category.COMPLIANCE, _iys_detail(connector))


def route_steps(
    *, number: str, kind: str, connectors: list[Connector], table: RoutingTable
) -> list[Step]:
    """The connectors (given in priority order) in the order they are tried for this number.

    Connectors that carry the number come first (the country's route order, if it has one);
    each of the others is marked with why it is not tried. Off or tripped connectors are the
    caller's to leave out or mark.
    """
    country = country_of_number(number)
    carrying = [c for c in connectors if connector_carries(c, number)]
    listed, others_after = table.routes.get(country.region if country else "", ((), True))
    by_id = {c.pk: c for c in carrying}
    ordered = [by_id[pk] for pk in listed if pk in by_id]
    rest = [c for c in carrying if c.pk not in listed]
    steps = []
    needs_iys = iys_required(country, kind)
    for connector in ordered + (rest if others_after else []):
        if needs_iys and not connector_checks_iys(connector):
            steps.append(Step(connector, Skip.IYS, _iys_detail(connector)))
        else:
            steps.append(Step(connector))
    if not others_after:
        detail = gettext("The country's route lists the connectors to use, and not this one.")
        steps += [Step(c, Skip.NOT_IN_ROUTE, detail) for c in rest]
    where = country.label if country else number
    steps += [
        Step(c, Skip.NO_DESTINATION, _no_destination_detail(c, where))
        for c in connectors
        if c not in carrying
    ]
    return steps


def _no_destination_detail(connector: Connector, where: str) -> str:
    return gettext("Its destinations (%(destinations)s) do not include %(country)s.") % {
        "destinations": ", ".join(connector.destinations or []),
        "country": where,
    }


def route_chain(
    *, number: str, kind: str, connectors: list[Connector], table: RoutingTable
) -> list[Connector]:
    """The connectors a message is offered to, in order: those that carry its country (its
    route's first). The gateway skips the ones the law rules out, with an attempt saying why."""
    return [
        step.connector
        for step in route_steps(number=number, kind=kind, connectors=connectors, table=table)
        if step.usable or step.skip == Skip.IYS
    ]


# What a provider's preflight refusal means on the Routes page.
_PREFLIGHT_SKIPS = {
    Category.SENDER: Skip.SENDER,
    Category.CONTENT: Skip.LENGTH,
    Category.RECIPIENT: Skip.RECIPIENT,
}


def _carriage_problem(connector: Connector, message: OutboundSms) -> Step | None:
    """Off, tripped, unknown provider, or its provider's preflight refuses (sender title, text,
    number): why it cannot carry the message now."""
    if not connector.is_active:
        return Step(connector, Skip.OFF, gettext("Switched off on the Connectors page."))
    if connector.is_tripped:
        return Step(
            connector, Skip.TRIPPED, connector.last_error or gettext("Paused after failures.")
        )
    provider = _provider(connector)
    if provider is None:
        detail = gettext("'%(provider)s' is not configured.") % {"provider": connector.provider}
        return Step(connector, Skip.UNKNOWN_PROVIDER, detail)
    try:
        provider.preflight(connector, message)
    except CannotCarry as error:
        return Step(connector, _PREFLIGHT_SKIPS.get(error.category, Skip.LENGTH), error.detail)
    return None


def route_explain(
    *, number: str, kind: str, text: str = "", sender: str = "", connectors: list[Connector]
) -> list[Step]:
    """Every connector, in the order tried for this number, with why each is used or skipped.

    The first usable step is the one that would carry the message; the rest would take it over
    only after a failure.
    """
    steps = route_steps(number=number, kind=kind, connectors=connectors, table=routing_table())
    message = OutboundSms(id=0, to=number, text=text, sender=sender, kind=kind)
    return [
        (_carriage_problem(step.connector, message) or step) if step.usable else step
        for step in steps
    ]


# -- cost -----------------------------------------------------------------------------------------


def price_for(connector: Connector, country: Country | None) -> Decimal | None:
    """The price of one segment through this connector to this country (None: not set)."""
    prices = connector.country_prices or {}
    if country is not None and country.region in prices:
        return Decimal(str(prices[country.region]))
    return connector.price_per_segment


def cost_of(connector: Connector, number: str, segments: int) -> Decimal | None:
    """What carrying a message of so many segments to this number costs (None: no price set)."""
    price = price_for(connector, country_of_number(number))
    return None if price is None else price * segments
