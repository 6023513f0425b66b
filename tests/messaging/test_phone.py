import pytest
from django.core.exceptions import ValidationError

from messaging.phone import normalize_number


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
