"""Phone numbers: parse what people type and store E.164."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from phonenumbers import ValidationResult

EXAMPLE = "+905321234567 or 0532 123 45 67"
_POSSIBILITY_PROBLEMS = {
    ValidationResult.INVALID_COUNTRY_CODE: "the country code is not valid",
    ValidationResult.TOO_SHORT: "it is too short",
    ValidationResult.TOO_LONG: "it is too long",
    ValidationResult.INVALID_LENGTH: "its length does not fit any number of that country",
}


def normalize_number(raw: str, *, region: str | None = None) -> str:
    """The number in E.164 (+905321234567); ValidationError saying what is wrong otherwise."""
    text = str(raw or "").strip()
    if not text:
        raise ValidationError(f"Enter the recipient's phone number, e.g. {EXAMPLE}.")
    if text.startswith("00"):
        text = "+" + text[2:]
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


def number_or_none(raw: str) -> str | None:
    """E.164 of a typed number, or None when it does not parse (for search boxes)."""
    try:
        return normalize_number(raw)
    except ValidationError:
        return None
