import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

from core.phone import (
    _PLUS_DIGITS,
    _valid_as_written,
    normalize_number,
    number_canonical,
    number_for_opt_out,
)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        pytest.param("05321234567", "+905321234567", id="turkish-national"),
        pytest.param("0532 123 45 67", "+905321234567", id="turkish-national-spaced"),
        pytest.param("+90 (532) 123-45-67", "+905321234567", id="international-punctuated"),
        pytest.param("00905321234567", "+905321234567", id="double-zero-prefix"),
        pytest.param("+962791234567", "+962791234567", id="jordan-international"),
    ],
)
def test_normalize_number_gives_e164(typed, e164):
    assert normalize_number(typed) == e164


def test_normalize_number_uses_the_given_region():
    assert normalize_number("0791234567", region="JO") == "+962791234567"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        pytest.param("", "Enter the recipient", id="empty"),
        pytest.param("hello", "is not a phone number", id="letters"),
        pytest.param("123", "too short", id="too-short"),
        pytest.param("+9053212345678901", "too long", id="too-long"),
        pytest.param("+90 999 123 45 67", "not a valid number", id="impossible-number"),
    ],
)
def test_normalize_number_refuses_bad_input_with_a_clear_message(typed, says):
    with pytest.raises(ValidationError) as caught:
        normalize_number(typed)

    assert says in caught.value.messages[0]
    assert "+905321234567" in caught.value.messages[0]


def _parsed_in_full(text: str) -> str | None:
    """What phonenumbers' full parse makes of the text: E.164 when valid, else None."""
    try:
        number = phonenumbers.parse(text, "TR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@st.composite
def plus_digits(draw) -> str:
    """ "+<country code><digits>", often starting like a national prefix (0, 1, 8) or an example."""
    country_code = draw(st.sampled_from(sorted(COUNTRY_CODE_TO_REGION_CODE)))
    region = COUNTRY_CODE_TO_REGION_CODE[country_code][0]
    example = phonenumbers.example_number(region)
    start = draw(
        st.sampled_from(["", "0", "1", "8", str(example.national_number)[:3] if example else ""])
    )
    rest = draw(st.text(alphabet="0123456789", max_size=12))
    return f"+{country_code}{start}{rest}"


@settings(max_examples=500, deadline=None)
@given(plus_digits())
def test_fast_path_for_plus_digits_agrees_with_the_full_parse(text):
    if _PLUS_DIGITS.fullmatch(text) and _valid_as_written(text):
        assert _parsed_in_full(text) == text


def test_fast_path_takes_the_common_upload_form():
    assert _valid_as_written("+905321234567")
    assert not _valid_as_written("+9005321234567")  # a national prefix to strip: full parse
    assert normalize_number("+9005321234567") == "+905321234567"


@pytest.mark.parametrize(
    ("sent", "canonical"),
    [
        pytest.param("49123123", "+49123123", id="international-without-plus"),
        pytest.param("0049 123 123", "+49123123", id="double-zero-spaced"),
        pytest.param("+7979", "7979", id="short-code-with-plus"),
        pytest.param("0532 123 45 67", "05321234567", id="national-kept"),
        pytest.param(" ACME ", "ACME", id="sender-title"),
    ],
)
def test_number_canonical_changes_the_form_only(sent, canonical):
    assert number_canonical(sent) == canonical


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("0532 123 45 67", "+905321234567", id="national-becomes-e164"),
        pytest.param("905321234567", "+905321234567", id="international-without-plus"),
        pytest.param("7979", "7979", id="short-code"),
        pytest.param("+7979", "7979", id="short-code-with-plus"),
        pytest.param("+905321234567", "+905321234567", id="e164-as-it-is"),
        pytest.param("+90 532 123 45 67", "+905321234567", id="e164-spaced"),
    ],
)
def test_number_for_opt_out_is_e164_when_readable(typed, stored):
    assert number_for_opt_out(typed) == stored


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        pytest.param("٠٥٣٢١٢٣٤٥٦٧", "+905321234567", id="arabic-indic-national"),
        pytest.param("+٩٦٢ ٧٩ ١٢٣ ٤٥٦٧", "+962791234567", id="arabic-indic-international"),
        pytest.param("۰۵۳۲ ۱۲۳ ۴۵ ۶۷", "+905321234567", id="persian-national"),
        pytest.param("00۹۶۲٧٩١٢٣٤٥٦٧", "+962791234567", id="mixed-scripts-double-zero"),
        pytest.param("\u200e+962791234567\u200f", "+962791234567", id="direction-marks"),
    ],
)
def test_normalize_number_reads_arabic_indic_and_persian_digits(typed, e164):
    assert normalize_number(typed) == e164


def test_normalize_number_names_the_number_as_typed_with_western_digits():
    with pytest.raises(ValidationError) as caught:
        normalize_number("١٢٣")

    assert "'123'" in caught.value.messages[0]
