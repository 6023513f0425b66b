import pytest

from messaging.models import OptOut
from messaging.selectors import numbers_opted_out

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stored", "asked", "expected"),
    [
        ("+905321234567", "+905321234567", True),
        ("+905321234567", "905321234567", True),
        ("+905321234567", "0532 123 45 67", True),
        ("+905321234567", "+905321234568", False),
        ("4455", "4455", True),
    ],
    ids=["same-e164", "asked-without-plus", "asked-national", "other-number", "short-code"],
)
def test_one_number_is_compared_in_its_stored_form(stored, asked, expected):
    OptOut.objects.create(number=stored)

    assert (asked in numbers_opted_out(numbers=[asked])) is expected


def test_many_numbers_are_answered_as_given_in_batches():
    OptOut.objects.create(number="+905321234567")
    OptOut.objects.create(number="+905329999999")
    others = [f"+9053200{i:05d}" for i in range(2000)]  # more than one query batch

    found = numbers_opted_out(numbers=[*others, "05321234567", "+905329999999", "+905321234567"])

    assert found == {"05321234567", "+905329999999", "+905321234567"}
