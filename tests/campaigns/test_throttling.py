"""Per-connector throttling (connector option max_per_second), counted at the simulator."""

import pytest

from connectors.simulators.models import ReceivedSms
from messaging.campaigns.selectors import campaign_progress
from messaging.campaigns.services import campaign_create

pytestmark = pytest.mark.django_db(transaction=True)


def busiest_second(times) -> int:
    """The most requests the simulator received within any one-second window."""
    times = sorted(times)
    return max(
        sum(1 for other in times[i:] if (other - start).total_seconds() < 1.0)
        for i, start in enumerate(times)
    )


def test_connector_with_max_per_second_5_never_exceeds_it(jet_connector):
    jet_connector.options = {**jet_connector.options, "max_per_second": 5}
    jet_connector.save()
    # A text of its own per recipient, so each is its own request (shared texts go in bulk).
    recipients = [{"msisdn": f"+9053212{n:05d}", "params": {"n": n}} for n in range(12)]
    campaign = campaign_create(name="Throttled", text="Hi {{n}}", recipients=recipients, start=True)
    assert campaign_progress(campaign=campaign).sent == 12
    times = list(ReceivedSms.objects.values_list("received_at", flat=True))
    assert len(times) == 12
    assert busiest_second(times) <= 5
    assert (max(times) - min(times)).total_seconds() >= 11 / 5  # the limiter spaced them, not luck
