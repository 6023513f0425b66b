from inbox.models import OptOut
from inbox.numbers import number_normalise


def number_is_opted_out(*, number: str) -> bool:
    """Whether the number (E.164) asked to receive no commercial messages."""
    return OptOut.objects.filter(number=number_normalise(number)).exists()
