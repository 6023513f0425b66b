"""Phone numbers as providers send them: normalised in form only, never judged by length."""

import re

# Separators people and providers put inside numbers; removed before anything else.
_SEPARATORS = re.compile(r"[\s\-./()]")
# Up to this many digits a number is a short code, kept without a "+".
SHORT_CODE_MAX_DIGITS = 6
MAX_NUMBER_LENGTH = 32


def number_normalise(raw: str) -> str:
    """A number in canonical form: "+<digits>" (E.164), or bare digits for short/national numbers.

    "49123123", "+49123123" and "0049123123" are all "+49123123"; "7979" and "+7979" are "7979";
    a national number with a trunk "0" stays as sent. Anything that is not a number (an
    alphanumeric sender title) is returned trimmed, unchanged.
    """
    value = _SEPARATORS.sub("", raw or "")
    international = value.startswith("+") or value.startswith("00")
    digits = value[1:] if value.startswith("+") else value[2:] if value.startswith("00") else value
    if not digits.isdigit() or not digits.isascii():
        return (raw or "").strip()
    if len(digits) <= SHORT_CODE_MAX_DIGITS:
        return digits
    if international or not digits.startswith("0"):
        return f"+{digits}"
    return digits


def number_for_opt_out(raw: str) -> str:
    """The form an opt-out is stored in: E.164 whenever the number can be read as one.

    Outbound messages are addressed in E.164, so a national "0532 123 45 67" must be stored as
    "+905321234567" to block them; short codes and unreadable values keep their normalised form.
    """
    from messaging.phone import number_or_none

    number = number_normalise(raw)
    if number.startswith("+"):
        return number
    return number_or_none(number) or number
