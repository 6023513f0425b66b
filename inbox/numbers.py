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
