"""Delivery rate and receipt latency per connector: the same read live and from the rollup."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.selectors import dashboard_connector_stats
from dashboard.services import RECEIPT_SETTLE, stats_rollup
from dashboard.stats import LATENCY_ERROR
from messaging.models import Message
from tests.dashboard.test_dashboard import make_message, roll_up, start_of_today  # noqa: F401
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


def receipted(connector, state: str, waited: timedelta, *, settled: bool = True) -> Message:
    """A sent message whose final receipt came `waited` after sending (settled: long enough ago
    for the rollup to take it)."""
    message = make_message(connector=connector)
    final_at = timezone.now() - (RECEIPT_SETTLE * 2 if settled else timedelta(0))
    Message.objects.filter(pk=message.pk).update(
        sent_at=final_at - waited, delivery_state=state, delivery_updated_at=final_at
    )
    return message


def test_delivery_rate_and_receipt_latency_per_connector(roll_up):  # noqa: F811
    fast = ConnectorFactory(name="Fast")
    slow = ConnectorFactory(name="Slow")
    for seconds in (1, 2, 3, 4):
        receipted(fast, "delivered", timedelta(seconds=seconds))
    receipted(fast, "undelivered", timedelta(seconds=10))
    receipted(slow, "expired", timedelta(hours=2))
    make_message(connector=slow)  # sent, no receipt yet: not in the rate

    roll_up()
    stats = {row.name: row for row in dashboard_connector_stats(since=start_of_today())}

    assert (stats["Fast"].delivered, stats["Fast"].undelivered) == (4, 1)
    assert stats["Fast"].delivery_rate == 80
    assert stats["Fast"].receipt_median_ms == pytest.approx(3000, rel=LATENCY_ERROR)
    assert stats["Fast"].receipt_p95_ms == pytest.approx(10_000, rel=LATENCY_ERROR)
    assert stats["Slow"].delivery_rate == 0
    assert stats["Slow"].receipt_median_ms == pytest.approx(7_200_000, rel=LATENCY_ERROR)


def test_a_receipt_is_counted_once_across_rollup_runs_and_live_reads():
    connector = ConnectorFactory(name="Jet")
    receipted(connector, "delivered", timedelta(seconds=5))
    stats_rollup()
    receipted(connector, "delivered", timedelta(seconds=5), settled=False)  # read live

    first = dashboard_connector_stats(since=start_of_today())[0]
    stats_rollup()
    stats_rollup()
    second = dashboard_connector_stats(since=start_of_today())[0]

    assert first.delivered == second.delivered == 2


def test_the_dashboard_page_shows_the_delivery_columns(console):
    connector = ConnectorFactory(name="Jet")
    receipted(connector, "delivered", timedelta(seconds=5))

    page = console.get("/dashboard/").content.decode()

    assert '100.0% <span class="muted small">(1 of 1)</span>' in page
    # About 5 s: the histogram's bucket middle, within LATENCY_ERROR.
    assert re.search(r'receipt-latency">(4\.[89]|5\.[0-2]) s / (4\.[89]|5\.[0-2]) s<', page)
