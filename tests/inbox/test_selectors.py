import pytest

from inbox.models import OptOut
from inbox.selectors import number_is_opted_out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored", "asked", "expected"),
    [
        ("+905321234567", "+905321234567", True),
        ("+905321234567", "905321234567", True),
        ("+905321234567", "+905321234568", False),
        ("4455", "4455", True),
    ],
    ids=["same-e164", "asked-without-plus", "other-number", "short-code"],
)
def test_number_is_opted_out(stored, asked, expected):
    OptOut.objects.create(number=stored)

    assert number_is_opted_out(number=asked) is expected
