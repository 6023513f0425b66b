"""Phone numbers: parse what people type into E.164, read numbers as providers send them, and
tell the country of a number."""

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, ValidationResult, geocoder

from core.text import digits_only

EXAMPLE = gettext_lazy("+905321234567 or 0532 123 45 67")
_POSSIBILITY_PROBLEMS = {
    ValidationResult.INVALID_COUNTRY_CODE: gettext_lazy("the country code is not valid"),
    ValidationResult.TOO_SHORT: gettext_lazy("it is too short"),
    ValidationResult.TOO_LONG: gettext_lazy("it is too long"),
    ValidationResult.INVALID_LENGTH: gettext_lazy(
        "its length does not fit any number of that country"
    ),
}
# Arabic-Indic (٠-٩) and Persian (۰-۹) digits, as typed on Arabic and Persian keyboards, read as
# 0-9; the invisible direction marks a number copied from a right-to-left page carries are dropped.
_EASTERN_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",
    "0123456789" * 2,
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)
# "+" and digits only, as E.164 is written: the form a campaign upload mostly holds.
_PLUS_DIGITS = re.compile(r"\+[1-9][0-9]{2,16}")
# Separators people and providers put inside numbers; removed before anything else.
_SEPARATORS = re.compile(r"[\s\-./()]")
# Up to this many digits a number is a short code, kept without a "+".
SHORT_CODE_MAX_DIGITS = 6
MAX_NUMBER_LENGTH = 32
# A number already in the form opt-outs are stored in: "+" and more digits than a short code has.
_STORED_E164 = re.compile(r"\+[0-9]{7,}")  # 7 = SHORT_CODE_MAX_DIGITS + 1


def normalize_number(raw: str, *, region: str | None = None) -> str:
    """The number in E.164 (+905321234567); ValidationError saying what is wrong otherwise."""
    text = str(raw or "").translate(_EASTERN_DIGITS).strip()
    if not text:
        raise ValidationError(
            gettext("Enter the recipient's phone number, e.g. %(example)s.") % {"example": EXAMPLE}
        )
    if text.startswith("00"):
        text = "+" + text[2:]
    if _PLUS_DIGITS.fullmatch(text) and _valid_as_written(text):
        return text
    region = region or settings.SMSCONSOLE_DEFAULT_REGION
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            gettext(
                "'%(number)s' is not a phone number. Enter it like %(example)s (default country "
                "%(region)s)."
            )
            % {"number": text, "example": EXAMPLE, "region": region}
        ) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _POSSIBILITY_PROBLEMS:
        raise ValidationError(
            gettext(
                "'%(number)s' is not a possible phone number: %(problem)s. Enter it like %(example)s."
            )
            % {"number": text, "problem": _POSSIBILITY_PROBLEMS[reason], "example": EXAMPLE}
        )
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            gettext(
                "'%(number)s' is not a valid number in any numbering plan (check the country code "
                "and the digits). Enter it like %(example)s."
            )
            % {"number": text, "example": EXAMPLE}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _valid_as_written(text: str) -> bool:
    """Whether "+<digits>" is a valid number that parsing would leave exactly as it is.

    The fast path for uploads (parsing is most of an import's time). It splits off the country
    code as phonenumbers does (codes are prefix-free) and only answers yes when nothing else
    could change the digits: no national prefix to strip and no leading zero. Anything else
    (including every invalid number, for its message) takes the full parse.
    """
    digits = text[1:]
    for length in (1, 2, 3):
        country_code = int(digits[:length])
        if country_code in COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return False
    national = digits[length:]
    prefix = _national_prefix_for_parsing(country_code)
    if len(national) < 2 or national[0] == "0" or (prefix and prefix.match(national)):
        return False
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(national))
    return phonenumbers.is_valid_number(number)


@cache
def _national_prefix_for_parsing(country_code: int) -> re.Pattern | None:
    """The pattern parsing strips from the start of a national number of this country, if any."""
    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    pattern = metadata.national_prefix_for_parsing if metadata else None
    return re.compile(pattern) if pattern else None


def number_or_none(raw: str) -> str | None:
    """E.164 of a typed number, or None when it does not parse (for search boxes)."""
    try:
        return normalize_number(raw)
    except ValidationError:
        return None


def number_canonical(raw: str) -> str:
    """A number as a provider sent it, in canonical form only (never judged by length).

    "+<digits>" (E.164), or bare digits for short/national numbers: "49123123", "+49123123"
    and "0049123123" are all "+49123123"; "7979" and "+7979" are "7979"; a national number with
    a trunk "0" stays as sent. Anything that is not a number (an alphanumeric sender title) is
    returned trimmed, unchanged.
    """
    value = _SEPARATORS.sub("", raw or "")
    international = value.startswith("+") or value.startswith("00")
    digits = value[1:] if value.startswith("+") else value[2:] if value.startswith("00") else value
    if not digits_only(digits):
        return (raw or "").strip()
    if len(digits) <= SHORT_CODE_MAX_DIGITS:
        return digits
    if international or not digits.startswith("0"):
        return f"+{digits}"
    return digits


def number_for_opt_out(raw: str) -> str:
    """The form an opt-out is stored in: E.164 whenever the number can be read as one.

    Outbound messages are addressed in E.164, so a national "0532 123 45 67" must be stored as
    "+905321234567" to block them; short codes and unreadable values keep their canonical form.
    """
    if _STORED_E164.fullmatch(raw):
        return raw  # the common case (campaign recipients): nothing to change
    number = number_canonical(raw)
    if number.startswith("+"):
        return number
    return number_or_none(number) or number


@dataclass(frozen=True)
class Country:
    """A destination country: ISO region code, calling code and English name."""

    region: str  # e.g. "JO"
    calling_code: str  # e.g. "962"
    name: str  # e.g. "Jordan"

    @property
    def label(self) -> str:
        return f"{self.name} (+{self.calling_code})"

    @property
    def prefix(self) -> str:
        """The start of every E.164 number of the country's calling code, e.g. +962."""
        return f"+{self.calling_code}"


@cache
def country_named(region: str) -> Country | None:
    """The country of an ISO region code (case-insensitive), or None when phonenumbers has none."""
    region = str(region or "").upper()
    code = phonenumbers.country_code_for_region(region)
    if not code:
        return None
    example = phonenumbers.example_number(region)
    name = geocoder.country_name_for_number(example, "en") if example else ""
    return Country(region=region, calling_code=str(code), name=name or region)


def country_of_number(e164: str) -> Country | None:
    """The country an E.164 number belongs to (phonenumbers decides), or None when it has none.

    A calling code with one country is read from the prefix alone (calling codes are
    prefix-free); a shared one (+1, +7, +44…) needs the full parse.
    """
    digits = str(e164 or "").lstrip("+")
    for length in (1, 2, 3):
        regions = COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:length] or 0))
        if regions:
            break
    else:
        return None
    if len(regions) == 1:
        return country_named(regions[0])
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse("+" + digits))
    except phonenumbers.NumberParseException:
        return None
    return country_named(region or regions[0])


@cache
def country_choices() -> list[tuple[str, str]]:
    """(region, "Name (+code)") of every country phonenumbers knows, by name."""
    countries = (country_named(region) for region in phonenumbers.SUPPORTED_REGIONS)
    return sorted(((c.region, c.label) for c in countries if c), key=lambda item: item[1])
