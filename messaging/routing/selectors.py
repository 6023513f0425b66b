"""Reads of the Routes page: each country's connector order and rules, and "Where would this
number go?" (the connectors in order, with why each is used or skipped, and any hold)."""

from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import timezone as phone_timezones

from connectors.models import Connector, Route
from connectors.providers.types import ANY_DESTINATION
from connectors.routing import Skip, Step, route_explain, route_steps, routing_table
from connectors.selectors import connector_list
from core import text as sms_text
from core.phone import Country, country_named, country_of_number, normalize_number
from messaging.models import MessageKind
from messaging.routing import compliance
from messaging.routing.models import CountryFooter, SendWindow


@dataclass
class CountryRoute:
    """One country on the Routes page."""

    country: Country
    steps: list[Step]  # the active connectors that carry it, in the order they are tried
    routed: bool  # its own route orders them (else the global priority)
    others_after: bool = True
    window: compliance.Window | None = None
    footer: str = ""


def _countries_named_by_connectors(connectors: list[Connector]) -> set[str]:
    regions = set()
    for connector in connectors:
        for prefix in connector.destinations or []:
            if prefix != ANY_DESTINATION and (country := country_of_number("+" + prefix)):
                regions.add(country.region)
    return regions


def routes_overview() -> tuple[list[CountryRoute], list[Connector]]:
    """The countries with a route, a window, a footer or a connector of their own, and the
    connectors that carry any other country (by priority)."""
    connectors = list(connector_list())
    active = [c for c in connectors if c.is_active]
    table, windows, footers = (
        routing_table(),
        compliance.send_windows(),
        compliance.country_footers(),
    )
    regions = set(table.routes) | set(windows) | set(footers)
    regions |= _countries_named_by_connectors(connectors)
    rows = []
    for region in regions:
        country = country_named(region)
        if country is None:
            continue
        steps = [
            step
            for step in route_steps(
                number=country.prefix, kind=MessageKind.COMMERCIAL, connectors=active, table=table
            )
            if step.usable or step.skip == Skip.IYS
        ]
        listed, others_after = table.routes.get(region, ((), True))
        rows.append(
            CountryRoute(
                country=country,
                steps=steps,
                routed=bool(listed),
                others_after=others_after,
                window=windows.get(region),
                footer=footers.get(region, ""),
            )
        )
    rows.sort(key=lambda row: row.country.name)
    anywhere = [c for c in active if ANY_DESTINATION in (c.destinations or [ANY_DESTINATION])]
    return rows, anywhere


def country_time_zone(country: Country) -> str:
    """The time zone phonenumbers gives the country's numbers (the first, if several)."""
    example = phonenumbers.example_number(country.region)
    zones = phone_timezones.time_zones_for_geographical_number(example) if example else ()
    return next((zone for zone in zones if "/" in zone), "UTC")


def country_route(*, region: str) -> Route | None:
    return Route.objects.filter(country=region).prefetch_related("steps").first()


def country_window(*, region: str) -> SendWindow | None:
    return SendWindow.objects.filter(country=region).first()


def country_footer(*, region: str) -> str:
    return CountryFooter.objects.filter(country=region).values_list("text", flat=True).first() or ""


@dataclass
class Explanation:
    """The answer of "Where would this number go?"."""

    number: str = ""
    kind: str = MessageKind.TRANSACTIONAL
    country: Country | None = None
    steps: list[Step] = field(default_factory=list)
    hold: compliance.Hold | None = None
    footer: str = ""
    measure: sms_text.TextMeasure | None = None
    error: str = ""

    @property
    def kind_label(self) -> str:
        return MessageKind(self.kind).label

    @property
    def carrier(self) -> Step | None:
        """The step that would carry the message (the first usable one)."""
        return next((step for step in self.steps if step.usable), None)


def number_explain(*, number: str, kind: str, sender: str = "", text: str = "") -> Explanation:
    """Where a message of this kind to this number would go now, and why."""
    kind = kind if kind in MessageKind.values else MessageKind.TRANSACTIONAL
    try:
        e164 = normalize_number(number)
    except ValidationError as error:
        return Explanation(number=number, kind=kind, error=" ".join(error.messages))
    footer = compliance.footer_for(number=e164, kind=kind)
    sent_text = compliance.text_with_footer(text, footer) if text else text
    return Explanation(
        number=e164,
        kind=kind,
        country=country_of_number(e164),
        steps=route_explain(
            number=e164, kind=kind, text=sent_text, sender=sender, connectors=list(connector_list())
        ),
        hold=compliance.window_hold(
            number=e164,
            kind=kind,
            override=False,
            at=compliance.compliance_now(),
            windows=compliance.send_windows(),
        ),
        footer=footer,
        measure=sms_text.measure(sent_text) if text else None,
    )
