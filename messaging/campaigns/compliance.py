"""What a campaign's page and API show of the sending rules: the cost estimate by country, the
spend so far, and warnings (refusal instruction, İYS, Jordan's promotional titles, quiet hours).

The rules themselves run in messaging/campaigns/services/compliance.py (quiet hours and the spend
cap pause a running campaign) and in the dispatcher (messaging.routing.compliance).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext

from connectors.models import Connector
from connectors.routing import Step, price_for, route_steps, routing_table
from connectors.selectors import connectors_for_dispatch
from core.phone import Country, country_of_number
from messaging.campaigns.models import Campaign, RecipientStatus
from messaging.models import Attempt, MessageKind
from messaging.routing import compliance as rules
from messaging.routing.compliance import closed_windows, country_footers, has_refusal_instruction

# Recipients are grouped by their first digits for the estimate: enough for any destination prefix.
PREFIX_CHARS = 7  # "+" and six digits


class RoutePrices:
    """The most one segment to a number can cost (its dearest usable connector), per prefix."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.connectors = connectors_for_dispatch()
        self.table = routing_table()
        self.cache: dict[str, Decimal] = {}

    def steps(self, number: str) -> list[Step]:
        """The connectors that may carry the campaign's messages to this number, in order."""
        steps = route_steps(
            number=number, kind=self.kind, connectors=self.connectors, table=self.table
        )
        return [step for step in steps if step.usable]

    def dearest(self, number: str) -> Decimal:
        """The highest price per segment among them (0 when none has a price)."""
        key = number[:PREFIX_CHARS]
        if key not in self.cache:
            country = country_of_number(number)
            prices = [price_for(s.connector, country) for s in self.steps(number)]
            self.cache[key] = max((p for p in prices if p is not None), default=Decimal(0))
        return self.cache[key]


@dataclass
class CountryLine:
    country: Country | None
    recipients: int = 0
    segments: int = 0
    connector: Connector | None = None  # the first that would carry them
    price: Decimal | None = None
    cost: Decimal | None = None


@dataclass
class CampaignCompliance:
    """The cost estimate, the actual spend, and warnings for the campaign page and the API."""

    lines: list[CountryLine] = field(default_factory=list)
    estimated_spend: Decimal | None = None  # None: no recipient has a priced connector
    unpriced_recipients: int = 0
    spend: Decimal = Decimal(0)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def campaign_spend(*, campaign: Campaign) -> Decimal:
    """What the campaign's accepted attempts cost so far."""
    total = Attempt.objects.filter(
        message__campaign_recipient__campaign=campaign, cost__isnull=False
    ).aggregate(spend=Sum("cost"))["spend"]
    return total or Decimal(0)


def _country_lines(campaign: Campaign, prices: RoutePrices) -> list[CountryLine]:
    groups = (
        campaign.recipients.exclude(status__in=[RecipientStatus.SKIPPED, RecipientStatus.CANCELLED])
        .annotate(prefix=Substr("to", 1, PREFIX_CHARS))
        .values("prefix")
        .annotate(n=Count("id"), segments=Sum("segments"))
        .order_by()
    )
    lines: dict[str, CountryLine] = {}
    for row in groups:
        country = country_of_number(row["prefix"])
        steps = prices.steps(row["prefix"])
        connector = steps[0].connector if steps else None
        price = price_for(connector, country) if connector else None
        key = f"{country.region if country else '?'}:{connector.pk if connector else ''}"
        line = lines.setdefault(key, CountryLine(country, connector=connector, price=price))
        line.recipients += row["n"]
        line.segments += row["segments"] or 0
    for line in lines.values():
        line.cost = None if line.price is None else line.price * line.segments
    return sorted(lines.values(), key=lambda line: -line.recipients)


def _warnings(campaign: Campaign, lines: list[CountryLine], result: CampaignCompliance) -> None:
    regions = {line.country.region for line in lines if line.country}
    if campaign.kind != MessageKind.COMMERCIAL:
        return
    footers = country_footers()
    if not has_refusal_instruction(campaign.text) and any(r not in footers for r in regions):
        result.warnings.append(
            gettext(
                "The text tells readers no way to refuse further messages, and not every country "
                "has a footer that does. Add a line such as “Ret için İPTAL yazıp 4609'a "
                "gönderin”, or a footer per country on the Routes page."
            )
        )
    for line in lines:
        if line.country and line.country.region == "JO" and line.connector:
            _jordan_title_warning(campaign, line.connector, result)
        if line.country and line.country.region == "TR" and line.connector is None:
            result.warnings.append(
                gettext(
                    "No active connector that carries Turkish numbers checks İYS consent: these "
                    "commercial messages will not be sent."
                )
            )
    for window in closed_windows(at=rules.compliance_now()):
        if window.country.region in regions and not campaign.quiet_hours_override:
            until = window.opens_after(rules.compliance_now())
            result.notes.append(
                gettext("Recipients in %(country)s wait until %(time)s (%(hours)s quiet hours).")
                % {
                    "country": window.country.name,
                    "time": f"{until.astimezone(window.zone):%H:%M}",
                    "hours": window.hours,
                }
            )


def _jordan_title_warning(campaign: Campaign, connector: Connector, result: CampaignCompliance):
    title = campaign.sender or connector.default_sender
    titles = connector.promotional_titles or []
    if title in titles:
        return
    values = {"title": title, "connector": connector.name, "titles": ", ".join(titles)}
    if titles:
        warning = gettext(
            "Jordanian recipients get “%(title)s” through %(connector)s, but its promotional "
            "titles are %(titles)s. Promotional SMS in Jordan are expected to come from "
            "registered ADV titles (not verified; the campaign is not refused)."
        )
    else:
        warning = gettext(
            "Jordanian recipients get “%(title)s” through %(connector)s, but it lists no "
            "promotional titles. Promotional SMS in Jordan are expected to come from registered "
            "ADV titles (not verified; the campaign is not refused)."
        )
    result.warnings.append(warning % values)


def campaign_compliance(*, campaign: Campaign) -> CampaignCompliance:
    """The cost estimate by country (first connector in line), the spend so far and warnings."""
    prices = RoutePrices(campaign.kind)
    result = CampaignCompliance(lines=_country_lines(campaign, prices))
    priced = [line for line in result.lines if line.cost is not None]
    result.estimated_spend = sum((line.cost for line in priced), Decimal(0)) if priced else None
    result.unpriced_recipients = sum(line.recipients for line in result.lines if line.cost is None)
    result.spend = campaign_spend(campaign=campaign)
    _warnings(campaign, result.lines, result)
    return result
