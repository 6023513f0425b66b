"""Properties of phone normalisation: any input gives E.164 or a ValidationError, never anything
else; the result is stable; every common way of writing a valid number gives the same E.164."""

import re

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.phone import normalize_number

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
REGIONS = ["TR", "JO", "DE", "GB", "US", "AE", "SA"]


@st.composite
def valid_numbers(draw) -> phonenumbers.PhoneNumber:
    """A valid mobile number of one of the regions, with random subscriber digits."""
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    keep = draw(st.integers(min_value=3, max_value=len(national) - 1))
    digits = national[:keep] + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=len(national) - keep,
                      max_size=len(national) - keep))
    )  # fmt: skip
    number = phonenumbers.parse(f"+{example.country_code}{digits}")
    assume(phonenumbers.is_valid_number(number))
    return number


def _outcome(raw: str) -> str:
    """The E.164 result, or "refused: <message>" when the input is refused as it should be."""
    try:
        return normalize_number(raw)
    except ValidationError as error:
        return "refused: " + " ".join(error.messages)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_any_text_gives_e164_or_a_validation_error(raw):
    outcome = _outcome(raw)
    assert E164.match(outcome) or len(outcome) > len("refused: ") + 10


@settings(max_examples=300)
@given(st.text(alphabet="0123456789+() -.", max_size=25))
def test_number_like_text_gives_e164_or_a_validation_error(raw):
    outcome = _outcome(raw)
    assert E164.match(outcome) or outcome.startswith("refused: ")


@settings(max_examples=200)
@given(valid_numbers())
def test_every_way_of_writing_a_number_gives_the_same_e164(number):
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(number)
    written = [
        e164,
        "00" + e164[1:],
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)[4:],
        f"  {e164}  ",
    ]
    for typed in written:
        assert normalize_number(typed) == e164, typed
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert normalize_number(national, region=region) == e164


@settings(max_examples=200)
@given(valid_numbers())
def test_normalising_is_stable(number):
    e164 = normalize_number(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    assert normalize_number(e164) == e164


@pytest.mark.parametrize("digits", ["5321234567", "5051234567", "5441234567"])
def test_turkish_mobile_without_prefix_uses_the_default_region(digits):
    assert normalize_number(digits) == "+90" + digits
