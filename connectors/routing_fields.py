"""A connector's routing and cost fields, checked: destinations, İYS vouching, prices by segment
and country, promotional titles. The connector services, form and admin all go through here."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from connectors.providers.base import Provider
from connectors.providers.types import ANY_DESTINATION
from core.phone import country_named

DESTINATION_RE = re.compile(r"^[1-9]\d{0,5}$")
ROUTING_FIELDS = (
    "destinations",
    "iys_checked_by_account",
    "price_per_segment",
    "country_prices",
    "promotional_titles",
)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[\n,]", value)
    if not isinstance(value, (list, tuple)):
        raise TypeError
    return [str(item).strip() for item in value if str(item).strip()]


def _clean_destinations(value: Any, provider: Provider) -> list[str]:
    if value in (None, ""):
        return list(provider.default_destinations)
    try:
        destinations = [d.lower().lstrip("+") for d in _as_list(value)]
    except TypeError:
        raise ValidationError(
            _('Give the destinations as a list, e.g. ["90", "962"] or ["any"].')
        ) from None
    if not destinations:
        raise ValidationError(_('Give at least one calling code, e.g. 90, or "any".'))
    bad = [d for d in destinations if d != ANY_DESTINATION and not DESTINATION_RE.match(d)]
    if bad:
        raise ValidationError(
            _(
                "%(destinations)s: a destination is a calling-code prefix of 1 to 6 digits "
                '(e.g. 90 or 962), or "any".'
            )
            % {"destinations": ", ".join(bad)}
        )
    return (
        [ANY_DESTINATION] if ANY_DESTINATION in destinations else list(dict.fromkeys(destinations))
    )


def _clean_price(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(
            _("'%(value)s' is not a price: write it like 0.0250.") % {"value": value}
        ) from None
    if not price.is_finite() or price < 0 or price >= 1_000_000:
        raise ValidationError(_("%(value)s is not a price from 0 to 999999.") % {"value": value})
    return price.quantize(Decimal("0.0001"))


def _clean_country_prices(value: Any) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if isinstance(value, str):  # "JO 0.03" per line, as the console form gives them
        pairs = [line.replace("=", " ").split() for line in value.splitlines() if line.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ValidationError(
                _("Write one country per line: its code and price, e.g. JO 0.0300.")
            )
        value = dict(pairs)
    if not isinstance(value, dict):
        raise ValidationError(_('Give the country prices as an object, e.g. {"JO": "0.0300"}.'))
    prices = {}
    for region, price in value.items():
        country = country_named(str(region))
        if country is None:
            raise ValidationError(
                _("'%(code)s' is not a country code (two letters, e.g. JO).") % {"code": region}
            )
        prices[country.region] = str(_clean_price(price) if price not in (None, "") else "")
        if not prices[country.region]:
            raise ValidationError(_("Give a price for %(country)s.") % {"country": country.name})
    return prices


def routing_fields_clean(fields: dict[str, Any], provider: Provider) -> dict[str, Any]:
    """The routing and cost fields of a connector, checked; ValidationError per bad field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    steps = {
        "destinations": lambda v: _clean_destinations(v, provider),
        "price_per_segment": _clean_price,
        "country_prices": _clean_country_prices,
        "promotional_titles": lambda v: list(dict.fromkeys(_as_list(v or []))),
        "iys_checked_by_account": bool,
    }
    for name, clean in steps.items():
        try:
            cleaned[name] = clean(fields.get(name))
        except ValidationError as error:
            errors[name] = error.messages
        except TypeError:
            errors[name] = [_("Give a list of sender titles.")]
    too_long = [
        t for t in cleaned.get("promotional_titles", []) if len(t) > provider.max_sender_length
    ]
    if too_long:
        errors["promotional_titles"] = [
            _("%(titles)s: a title has at most %(limit)s characters.")
            % {"titles": ", ".join(too_long), "limit": provider.max_sender_length}
        ]
    if errors:
        raise ValidationError(errors)
    return cleaned
