import bisect
import random
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from connectors.providers.types import Outcome
from dashboard import services
from dashboard.models import HourlyStat, StatsWatermark
from dashboard.selectors import (
    dashboard_connector_stats,
    dashboard_hourly_counts,
    dashboard_inbound_count,
    dashboard_status_counts,
)
from dashboard.services import stats_rebuild, stats_rollup
from dashboard.stats import (
    LATENCY_BOUNDS,
    LATENCY_ERROR,
    attempt_counts_by_hour,
    latency_bucket_value,
    latency_percentile,
)
from dashboard.tasks import stats_rollup_task
from inbox.models import InboundMessage
from messaging.models import Attempt, Message, MessageStatus
from tests.dashboard.test_dashboard import make_attempt, make_message, start_of_today, week_start
from tests.factories import ConnectorFactory


@pytest.fixture
def now_is_afternoon(monkeypatch):
    """Pin "now" to 15:30 local time, so "hours ago" stays inside today."""
    pinned = timezone.localtime().replace(hour=15, minute=30, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: pinned)
    return pinned


@pytest.fixture
def jet(db):
    return ConnectorFactory(name="Jet", priority=10)


@pytest.fixture
def josms(db):
    return ConnectorFactory(name="JoSMS", priority=20)


def receive(ago: timedelta) -> InboundMessage:
    return InboundMessage.objects.create(
        receiver="4500",
        sender="+905321234567",
        text="Merhaba",
        received_at=timezone.now() - ago,
        fingerprint=f"{ago}-{InboundMessage.objects.count()}",
    )


def traffic(jet, josms, *, ago: timedelta) -> None:
    """A few messages `ago`: sent directly, after a failover, after a skip, failed, queued."""
    direct = make_message(connector=jet, ago=ago)
    make_attempt(direct, jet, Outcome.ACCEPTED, duration_ms=120)
    failed_over = make_message(connector=josms, ago=ago)
    make_attempt(failed_over, jet, Outcome.FAILED, duration_ms=2_400)
    make_attempt(failed_over, josms, Outcome.ACCEPTED, duration_ms=310)
    skipped_over = make_message(connector=josms, ago=ago)
    make_attempt(skipped_over, jet, Outcome.SKIPPED, duration_ms=0)
    make_attempt(skipped_over, josms, Outcome.ACCEPTED, duration_ms=95)
    failed = make_message(status=MessageStatus.FAILED, ago=ago)
    make_attempt(failed, jet, Outcome.FAILED, duration_ms=20_000)
    make_attempt(failed, josms, Outcome.FAILED, duration_ms=7)
    make_message(status=MessageStatus.QUEUED, ago=ago)
    receive(ago)


def dashboard_numbers() -> dict:
    """Everything the dashboard shows, for both periods."""
    today, week = start_of_today(), week_start()
    return {
        "today": dashboard_status_counts(since=today),
        "week": dashboard_status_counts(since=week),
        "inbound": (dashboard_inbound_count(since=today), dashboard_inbound_count(since=week)),
        "hours": dashboard_hourly_counts(),
        "connectors_today": dashboard_connector_stats(since=today),
        "connectors_week": dashboard_connector_stats(since=week),
    }


AGES = [timedelta(days=9), timedelta(days=3), timedelta(hours=30), timedelta(hours=2)]


@pytest.mark.django_db
def test_numbers_are_the_same_live_rolled_up_and_rebuilt(jet, josms, now_is_afternoon):
    for ago in AGES:
        traffic(jet, josms, ago=ago)
    live = dashboard_numbers()

    stats_rollup()  # sees the rows
    stats_rollup()  # rolls them up
    rolled = dashboard_numbers()
    stats_rebuild()

    assert StatsWatermark.objects.get().message_id == Message.objects.latest("id").pk
    assert rolled == live
    assert dashboard_numbers() == live
    assert live["week"].total == 15
    assert live["inbound"] == (1, 3)


@pytest.mark.django_db
def test_a_run_rolls_up_what_the_previous_run_saw_and_newer_rows_are_read_live(
    jet, josms, now_is_afternoon
):
    traffic(jet, josms, ago=timedelta(hours=3))
    first_ids = (Message.objects.latest("id").pk, Attempt.objects.latest("id").pk)
    expected = dashboard_numbers()

    stats_rollup()
    assert StatsWatermark.objects.values_list("message_id", "attempt_id").get() == (0, 0)
    traffic(jet, josms, ago=timedelta(hours=1))  # written after the first run saw the tables
    stats_rollup()

    assert StatsWatermark.objects.values_list("message_id", "attempt_id").get() == first_ids
    both = dashboard_numbers()
    assert both["today"].total == 2 * expected["today"].total
    stats_rollup()
    assert dashboard_numbers() == both


@pytest.mark.django_db
def test_a_status_change_reaches_the_rollup_at_the_next_run(jet, now_is_afternoon):
    message = make_message(status=MessageStatus.QUEUED, ago=timedelta(hours=1))
    stats_rebuild()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)

    stale = dashboard_status_counts(since=start_of_today())
    stats_rollup()
    fresh = dashboard_status_counts(since=start_of_today())

    assert (stale.queued, stale.sent) == (1, 0)  # at most one run behind
    assert (fresh.queued, fresh.sent) == (0, 1)
    assert HourlyStat.objects.get(connector_name="").queued == 0  # the hour is settled


@pytest.mark.django_db
def test_settled_hours_are_not_read_again(jet, now_is_afternoon):
    message = make_message(status=MessageStatus.SENT, ago=timedelta(hours=5))
    stats_rebuild()
    # Sent is final; were the hour read again, this made-up change would show.
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    make_message(status=MessageStatus.SENT, ago=timedelta(hours=1))
    stats_rollup()
    stats_rollup()

    settled = HourlyStat.objects.get(
        connector_name="", hour__lt=timezone.now() - timedelta(hours=4)
    )
    assert (settled.sent, settled.failed) == (1, 0)


@pytest.mark.django_db
def test_rebuild_is_idempotent_and_the_command_says_how_far_it_got(
    jet, josms, now_is_afternoon, capsys
):
    for ago in AGES:
        traffic(jet, josms, ago=ago)

    def rows():
        return list(
            HourlyStat.objects.order_by("hour", "connector_name").values_list(
                "hour",
                "connector_id",
                "connector_name",
                "queued",
                "sent",
                "failed",
                "skipped",
                "failover",
                "inbound",
                "latency_histogram",
            )
        )

    call_command("rollup_stats", "--rebuild")
    first = rows()
    call_command("rollup_stats", "--rebuild")

    assert rows() == first
    assert len(first) == len(AGES) * 3  # per hour: the message row, Jet's and JoSMS's
    assert f"messages up to id {Message.objects.latest('id').pk}" in capsys.readouterr().out


@pytest.mark.django_db
def test_first_runs_on_a_big_database_catch_up_in_batches(
    jet, josms, now_is_afternoon, monkeypatch
):
    monkeypatch.setattr(services, "ROLLUP_BATCH", 3)
    for ago in AGES:
        traffic(jet, josms, ago=ago)
    expected = dashboard_numbers()

    marks = []
    for _ in range(12):
        stats_rollup()
        assert dashboard_numbers() == expected  # exact at every step
        marks.append(StatsWatermark.objects.get().message_id)

    before_first = Message.objects.earliest("id").pk - 1  # ids need not start at 1 (PostgreSQL)
    assert marks[:4] == [0, before_first + 3, before_first + 6, before_first + 9]
    assert marks[-1] == Message.objects.latest("id").pk


@pytest.mark.django_db
def test_a_step_starts_at_the_next_existing_id_not_at_the_old_watermark(monkeypatch):
    monkeypatch.setattr(services, "ROLLUP_BATCH", 3)
    made = [make_message(ago=timedelta(minutes=5)) for _ in range(10)]
    Message.objects.filter(pk__in=[m.pk for m in made[:7]]).delete()  # ids now start high

    stats_rollup()  # the first run only notes the newest ids
    reached = stats_rollup()

    assert reached.message == made[-1].pk


@pytest.mark.django_db
def test_renamed_and_deleted_connectors_keep_their_rolled_up_numbers(jet, josms, now_is_afternoon):
    traffic(jet, josms, ago=timedelta(hours=2))
    stats_rebuild()
    jet.name = "Jet SMS"
    jet.save()
    josms.delete()

    rows = {row.name: row for row in dashboard_connector_stats(since=start_of_today())}

    assert (rows["Jet SMS"].sent, rows["Jet SMS"].failed, rows["Jet SMS"].skipped) == (1, 2, 1)
    assert (rows["JoSMS"].connector, rows["JoSMS"].sent, rows["JoSMS"].failover) == (None, 2, 2)


@pytest.mark.django_db
def test_a_period_starting_off_the_whole_hour_is_exact(jet, settings, monkeypatch):
    """India is UTC+5:30: local midnight falls in the middle of a UTC hour."""
    settings.TIME_ZONE = "Asia/Kolkata"
    pinned = timezone.now().astimezone(ZoneInfo("Asia/Kolkata"))
    pinned = pinned.replace(hour=2, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: pinned)
    make_message(ago=timedelta(hours=2, minutes=10))  # 23:50 yesterday, same UTC hour as …
    make_message(ago=timedelta(hours=1, minutes=50))  # … 00:10 today
    receive(timedelta(hours=2, minutes=10))
    receive(timedelta(hours=1, minutes=50))
    stats_rebuild()

    assert dashboard_status_counts(since=start_of_today()).sent == 1
    assert dashboard_inbound_count(since=start_of_today()) == 1
    hours = dashboard_hourly_counts()
    assert [hour.start.strftime("%H:%M") for hour in hours[-3:]] == ["23:30", "00:30", "01:30"]
    assert (hours[-3].sent, hours[-2].sent) == (2, 0)


@pytest.mark.parametrize(
    "duration_ms",
    [
        0,
        1,
        19,
        20,
        21,
        99,
        100,
        101,
        1_000,
        20_000,
        LATENCY_BOUNDS[-1] - 1,
        LATENCY_BOUNDS[-1],
        10**6,
    ]
    + [bound - offset for bound in LATENCY_BOUNDS[20:40] for offset in (0, 1)],
)
@pytest.mark.django_db
def test_database_puts_each_duration_in_its_latency_bucket(jet, duration_ms):
    make_attempt(make_message(), jet, Outcome.ACCEPTED, duration_ms=duration_ms)

    (counts,) = attempt_counts_by_hour(Attempt.objects.all())

    assert counts.histogram == {bisect.bisect_right(LATENCY_BOUNDS, duration_ms): 1}


@pytest.mark.parametrize("seed", range(20))
def test_histogram_percentiles_are_within_the_stated_error(seed):
    chance = random.Random(seed)
    durations = [round(chance.lognormvariate(5.5, 1.2)) for _ in range(chance.randint(1, 400))]
    durations = [min(duration, LATENCY_BOUNDS[-1] - 1) for duration in durations]
    histogram = {}
    for duration in durations:
        bucket = bisect.bisect_right(LATENCY_BOUNDS, duration)
        histogram[bucket] = histogram.get(bucket, 0) + 1
    ranked = sorted(durations)

    for share in (50, 95):
        exact = ranked[(len(ranked) * share + 99) // 100 - 1]
        estimate = latency_percentile(histogram, share)
        assert abs(estimate - exact) <= max(LATENCY_ERROR * exact, 0.5)


def test_the_error_bound_is_the_one_the_page_states():
    assert 0.045 < LATENCY_ERROR <= 0.05
    assert [latency_bucket_value(index) for index in range(21)] == [*range(20), 20]


@pytest.mark.django_db
def test_the_rollup_runs_every_minute_from_a_migrated_schedule(jet, now_is_afternoon):
    schedule = Schedule.objects.get(func="dashboard.tasks.stats_rollup_task")
    make_attempt(make_message(connector=jet), jet, Outcome.ACCEPTED)

    stats_rollup_task()
    stats_rollup_task()

    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)
    assert HourlyStat.objects.get(connector=jet).sent == 1


@pytest.mark.django_db
def test_a_run_overtaken_by_another_writes_nothing(jet, josms, now_is_afternoon, monkeypatch):
    traffic(jet, josms, ago=timedelta(hours=2))
    expected = dashboard_numbers()
    stats_rollup()  # sees the rows
    newest_ids = services._newest_ids

    def overtaken():
        monkeypatch.setattr(services, "_newest_ids", newest_ids)
        stats_rollup()  # another worker's run, after this one counted and before it writes
        return newest_ids()

    monkeypatch.setattr(services, "_newest_ids", overtaken)
    stats_rollup()

    assert HourlyStat.objects.get(connector=jet).sent == 1  # added once, not twice
    assert dashboard_numbers() == expected
