from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.models import HealthState
from connectors.providers.types import Outcome
from dashboard.charts import hour_chart
from dashboard.selectors import (
    dashboard_connector_stats,
    dashboard_hourly_counts,
    dashboard_inbound_count,
    dashboard_status_counts,
)
from dashboard.services import stats_rebuild
from dashboard.stats import LATENCY_ERROR
from inbox.models import InboundMessage
from messaging.models import Attempt, Message, MessageStatus
from tests.factories import ConnectorFactory


def start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def week_start():
    return start_of_today() - timedelta(days=6)


def make_message(*, status=MessageStatus.SENT, ago=timedelta(0), connector=None) -> Message:
    """A message created `ago` before now (create older ones first: ids follow creation time)."""
    created = timezone.now() - ago
    message = Message.objects.create(
        to="+905321234567", text="Kampanya", status=status, connector=connector, due_at=created
    )
    Message.objects.filter(pk=message.pk).update(created_at=created)
    return message


def make_attempt(message, connector, outcome, duration_ms=100) -> Attempt:
    return Attempt.objects.create(
        message=message,
        connector=connector,
        connector_name=connector.name,
        provider=connector.provider,
        outcome=outcome,
        duration_ms=duration_ms,
        started_at=message.created_at,
    )


@pytest.fixture(params=["live", "rolled-up"])
def roll_up(request):
    """Call before reading: the numbers are the same read live (nothing rolled up yet) and from
    the hourly rollup."""
    return stats_rebuild if request.param == "rolled-up" else lambda: None


@pytest.fixture
def now_is_afternoon(monkeypatch):
    """Pin "now" to 15:30 local time, so "hours ago" stays inside today."""
    pinned = timezone.localtime().replace(hour=15, minute=30, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: pinned)
    return pinned


@pytest.mark.django_db
def test_status_counts_split_today_and_the_last_seven_days(now_is_afternoon, roll_up):
    for _ in range(2):
        make_message(ago=timedelta(days=10))
    for _ in range(3):
        make_message(ago=timedelta(days=3))
    make_message(status=MessageStatus.FAILED, ago=timedelta(days=3))
    make_message(ago=timedelta(hours=2))
    make_message(ago=timedelta(hours=1))
    make_message(status=MessageStatus.FAILED, ago=timedelta(minutes=5))
    make_message(status=MessageStatus.QUEUED)
    make_message(status=MessageStatus.SENDING)
    roll_up()

    today = dashboard_status_counts(since=start_of_today())
    week = dashboard_status_counts(since=week_start())

    assert (today.sent, today.failed, today.queued, today.sending) == (2, 1, 1, 1)
    assert (week.sent, week.failed, week.pending, week.total) == (5, 2, 2, 9)
    assert today.success_rate == pytest.approx(200 / 3)


@pytest.mark.django_db
def test_status_counts_of_an_empty_period_are_zero():
    counts = dashboard_status_counts(since=start_of_today())
    assert (counts.total, counts.success_rate) == (0, None)


@pytest.fixture
def two_connectors(db):
    return ConnectorFactory(name="Jet", priority=10), ConnectorFactory(name="JoSMS", priority=20)


@pytest.mark.django_db
def test_connector_stats_count_sent_failed_skipped_and_failover(
    two_connectors, now_is_afternoon, roll_up
):
    jet, josms = two_connectors
    failed_over = make_message(connector=josms, ago=timedelta(minutes=30))
    make_attempt(failed_over, jet, Outcome.FAILED)
    make_attempt(failed_over, josms, Outcome.ACCEPTED)
    skipped_over = make_message(connector=josms, ago=timedelta(minutes=20))
    make_attempt(skipped_over, jet, Outcome.SKIPPED, duration_ms=0)
    make_attempt(skipped_over, josms, Outcome.ACCEPTED)
    direct = make_message(connector=jet, ago=timedelta(minutes=10))
    make_attempt(direct, jet, Outcome.ACCEPTED)
    retried_on_same = make_message(connector=jet, ago=timedelta(minutes=5))
    make_attempt(retried_on_same, jet, Outcome.FAILED)
    make_attempt(retried_on_same, jet, Outcome.ACCEPTED)
    roll_up()

    stats = {row.name: row for row in dashboard_connector_stats(since=start_of_today())}

    assert (stats["Jet"].sent, stats["Jet"].failed, stats["Jet"].skipped) == (2, 2, 1)
    assert stats["Jet"].failover == 0  # its own retry is not a failover
    assert (stats["JoSMS"].sent, stats["JoSMS"].failed, stats["JoSMS"].failover) == (2, 0, 2)


@pytest.mark.django_db
def test_connector_latency_is_median_and_95th_percentile_of_provider_calls(
    two_connectors, now_is_afternoon, roll_up
):
    jet, josms = two_connectors
    for index, duration in enumerate(range(200, 0, -10)):  # 20 calls: 200, 190, … 10 ms
        message = make_message(connector=jet, ago=timedelta(minutes=60 - index))
        make_attempt(message, jet, Outcome.FAILED if index % 4 else Outcome.ACCEPTED, duration)
    skipped = make_message(connector=josms, ago=timedelta(minutes=1))
    make_attempt(skipped, jet, Outcome.SKIPPED, duration_ms=0)  # no provider call: not timed
    roll_up()

    stats = {row.name: row for row in dashboard_connector_stats(since=start_of_today())}

    # Read from a latency histogram: within its documented error of the exact 100 and 190 ms.
    assert stats["Jet"].median_ms == pytest.approx(100, rel=LATENCY_ERROR)
    assert stats["Jet"].p95_ms == pytest.approx(190, rel=LATENCY_ERROR)
    assert (stats["JoSMS"].median_ms, stats["JoSMS"].p95_ms) == (None, None)


@pytest.mark.django_db
def test_connector_stats_follow_the_period(two_connectors, now_is_afternoon, roll_up):
    jet, _ = two_connectors
    make_attempt(make_message(connector=jet, ago=timedelta(days=9)), jet, Outcome.ACCEPTED)
    make_attempt(make_message(connector=jet, ago=timedelta(days=2)), jet, Outcome.ACCEPTED)
    make_attempt(make_message(connector=jet, ago=timedelta(hours=1)), jet, Outcome.ACCEPTED)
    roll_up()

    today = {row.name: row.sent for row in dashboard_connector_stats(since=start_of_today())}
    week = {row.name: row.sent for row in dashboard_connector_stats(since=week_start())}

    assert today == {"Jet": 1, "JoSMS": 0}
    assert week == {"Jet": 2, "JoSMS": 0}


@pytest.mark.django_db
def test_deleted_connector_keeps_its_numbers_under_its_name(now_is_afternoon, roll_up):
    gone = ConnectorFactory(name="Old provider")
    make_attempt(make_message(ago=timedelta(minutes=5)), gone, Outcome.ACCEPTED)
    gone.delete()
    roll_up()

    (row,) = dashboard_connector_stats(since=start_of_today())

    assert (row.name, row.connector, row.sent) == ("Old provider", None, 1)


@pytest.mark.django_db
def test_hourly_counts_put_each_message_in_its_hour(now_is_afternoon, roll_up):
    make_message(ago=timedelta(hours=30))  # before the chart
    make_message(ago=timedelta(hours=2))
    make_message(status=MessageStatus.FAILED, ago=timedelta(hours=2))
    make_message(status=MessageStatus.QUEUED)
    roll_up()

    hours = dashboard_hourly_counts()

    assert len(hours) == 24
    assert hours[-1].start.hour == now_is_afternoon.hour
    assert (hours[-3].sent, hours[-3].failed, hours[-3].pending) == (1, 1, 0)
    assert (hours[-1].sent, hours[-1].pending) == (0, 1)
    assert sum(hour.total for hour in hours) == 3


@pytest.mark.django_db
def test_inbound_count_covers_the_period(now_is_afternoon, roll_up):
    for ago in (timedelta(days=8), timedelta(days=2), timedelta(minutes=3)):
        InboundMessage.objects.create(
            receiver="4500",
            sender="+905321234567",
            text="Merhaba",
            received_at=now_is_afternoon - ago,
            fingerprint=str(ago),
        )
    roll_up()
    assert dashboard_inbound_count(since=start_of_today()) == 1
    assert dashboard_inbound_count(since=week_start()) == 2


@pytest.mark.parametrize(
    ("largest_hour", "gridline_labels"),
    [
        (0, ["1", "2", "3", "4"]),
        (7, ["2", "4", "6", "8"]),
        (1234, ["500", "1,000", "1,500", "2,000"]),
    ],
    ids=["empty", "small", "large"],
)
def test_hour_chart_gridlines_are_round_numbers_above_the_tallest_bar(
    largest_hour, gridline_labels
):
    from dashboard.selectors import HourCounts

    hours = [HourCounts(start=timezone.localtime(), sent=largest_hour)]
    chart = hour_chart(hours)
    assert [line["label"] for line in chart.gridlines] == gridline_labels


@pytest.mark.django_db
def test_home_page_opens_the_dashboard(console):
    response = console.get(reverse("home"))
    assert response["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_dashboard_page_shows_the_numbers_and_connector_health(console, two_connectors, roll_up):
    jet, josms = two_connectors
    jet.health_state = HealthState.CREDENTIALS_REJECTED
    jet.save()
    failed_over = make_message(connector=josms, ago=timedelta(minutes=1))
    make_attempt(failed_over, jet, Outcome.FAILED, duration_ms=812)
    make_attempt(failed_over, josms, Outcome.ACCEPTED, duration_ms=345)
    roll_up()

    response = console.get(reverse("dashboard"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Credentials rejected" in page
    latency = {row.name: row.median_ms for row in response.context["connector_stats"]}
    assert latency == {
        "Jet": pytest.approx(812, rel=LATENCY_ERROR),
        "JoSMS": pytest.approx(345, rel=LATENCY_ERROR),
    }
    assert f"{latency['Jet']} ms" in page
    assert f"{latency['JoSMS']} ms" in page
    assert "within 5% of the exact time" in page
    assert "<svg" in page
    assert response.context["usable_connectors"] == 1
    assert response.context["today"].sent == 1


@pytest.mark.django_db
def test_dashboard_page_with_no_data_says_so(console):
    response = console.get(reverse("dashboard"), {"period": "7d"})
    assert response.status_code == 200
    assert b"No messages in the last 24 hours." in response.content
    assert b"No connectors yet." in response.content
