"""Phone numbers: parse what people type and store E.164."""

import re
from functools import cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, ValidationResult

EXAMPLE = "+905321234567 or 0532 123 45 67"
_POSSIBILITY_PROBLEMS = {
    ValidationResult.INVALID_COUNTRY_CODE: "the country code is not valid",
    ValidationResult.TOO_SHORT: "it is too short",
    ValidationResult.TOO_LONG: "it is too long",
    ValidationResult.INVALID_LENGTH: "its length does not fit any number of that country",
}
# "+" and digits only, as E.164 is written: the form a campaign upload mostly holds.
_PLUS_DIGITS = re.compile(r"\+[1-9][0-9]{2,16}")


def normalize_number(raw: str, *, region: str | None = None) -> str:
    """The number in E.164 (+905321234567); ValidationError saying what is wrong otherwise."""
    text = str(raw or "").strip()
    if not text:
        raise ValidationError(f"Enter the recipient's phone number, e.g. {EXAMPLE}.")
    if text.startswith("00"):
        text = "+" + text[2:]
    if _PLUS_DIGITS.fullmatch(text) and _valid_as_written(text):
        return text
    region = region or settings.SMSCONSOLE_DEFAULT_REGION
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            f"'{text}' is not a phone number. Enter it like {EXAMPLE} (default country {region})."
        ) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _POSSIBILITY_PROBLEMS:
        raise ValidationError(
            f"'{text}' is not a possible phone number: {_POSSIBILITY_PROBLEMS[reason]}. "
            f"Enter it like {EXAMPLE}."
        )
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"'{text}' is not a valid number in any numbering plan (check the country code and "
            f"the digits). Enter it like {EXAMPLE}."
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
