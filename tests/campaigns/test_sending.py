"""Campaign sending through the Jet SMS simulator over real HTTP, in chunks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Min
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule
from django_q.scheduler import scheduler

from connectors.simulators.models import ReceivedSms
from core.models import AuditEntry
from messaging.campaigns.models import CampaignStatus, RecipientStatus
from messaging.campaigns.selectors import campaign_connector_breakdown, campaign_progress
from messaging.campaigns.services import (
    campaign_cancel,
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_send_chunk,
    campaign_start,
    notification_send,
    sending,
    template_create,
)
from messaging.models import Message, MessageStatus
from messaging.services import message_sweep, optout_create

pytestmark = pytest.mark.django_db(transaction=True)


def numbers(count: int) -> str:
    return "\n".join(f"+9053212{n:05d}" for n in range(count))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(sending, "chunk_size", lambda: 3)


def test_campaign_sends_every_recipient_in_chunks(jet_connector, small_chunks):
    campaign = campaign_create(name="Hello", text="Merhaba!", pasted=numbers(7), start=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMPLETED
    progress = campaign_progress(campaign=campaign)
    assert (progress.sent, progress.failed, progress.done_percent) == (7, 0, 100)
    assert ReceivedSms.objects.filter(text="Merhaba!").count() == 7
    assert campaign_connector_breakdown(campaign=campaign) == [
        {"connector_name": "Jet SMS", "accepted": 7, "failed": 0, "skipped": 0}
    ]
    message = campaign.recipients.first().message
    assert message.campaign_recipient.campaign == campaign  # the log finds the campaign


def test_campaign_recipients_sharing_a_text_go_in_bulk_requests_of_120(
    josms_connector, daytime_in_jordan
):
    jordanian = "\n".join(f"+9627912{n:05d}" for n in range(250))
    campaign = campaign_create(name="Jordan", text="Sale today", pasted=jordanian, start=True)
    requests = (
        ReceivedSms.objects.values("order_id")
        .annotate(n=Count("id"), first=Min("id"))
        .order_by("first")
    )
    assert sorted((r["n"] for r in requests), reverse=True) == [120, 120, 10]  # any order
    progress = campaign_progress(campaign=campaign)
    assert (progress.sent, progress.failed) == (250, 0)
    assert campaign_connector_breakdown(campaign=campaign) == [
        {"connector_name": "JoSMS", "accepted": 250, "failed": 0, "skipped": 0}
    ]


def test_notification_to_several_numbers_goes_in_one_bulk_request(
    josms_connector, daytime_in_jordan
):
    template_create(key="jo-sale", name="Sale", text="Sale today", kind="commercial")
    numbers = [f"+9627912{n:05d}" for n in range(5)]

    result = notification_send(notification_key="jo-sale", target={"msisdns": numbers})

    assert ReceivedSms.objects.count() == 5
    assert ReceivedSms.objects.values("order_id").distinct().count() == 1  # one bulk request
    sent = Message.objects.filter(pk__in=[m.pk for m in result.messages], status=MessageStatus.SENT)
    assert sent.count() == 5


def test_placeholders_are_filled_per_recipient(jet_connector):
    campaign = campaign_create(
        name="Names",
        text="Hi {{name}}",
        recipients=[
            {"msisdn": "+905321234567", "params": {"name": "Ayşe"}},
            {"msisdn": "+905321234568", "params": {"name": "Can"}},
        ],
        start=True,
    )
    assert sorted(ReceivedSms.objects.values_list("text", flat=True)) == ["Hi Ayşe", "Hi Can"]
    assert campaign_progress(campaign=campaign).sent == 2


def test_paused_campaign_makes_no_message_until_resumed(jet_connector, small_chunks, monkeypatch):
    campaign = campaign_create(name="Pausable", text="Hi", pasted=numbers(7))
    # No chunk task runs by itself, so pause can land between chunks as with real workers.
    monkeypatch.setattr(sending, "task_enqueue", lambda *args: None)
    campaign_start(campaign=campaign)
    assert campaign_send_chunk(campaign_id=campaign.pk) == 3
    campaign_pause(campaign=campaign)
    assert campaign_send_chunk(campaign_id=campaign.pk) == 0
    assert campaign.recipients.filter(status=RecipientStatus.PENDING).count() == 4
    campaign_resume(campaign=campaign)
    while campaign_send_chunk(campaign_id=campaign.pk):
        pass
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMPLETED
    assert campaign_progress(campaign=campaign).sent == 7
    assert list(
        AuditEntry.objects.filter(target_id=str(campaign.pk))
        .values_list("action", flat=True)
        .order_by("id")
    ) == [
        "create",
        "start",
        "pause",
        "resume",
    ]


def test_cancelled_campaign_sends_no_more(jet_connector, small_chunks, monkeypatch):
    campaign = campaign_create(name="Cancel me", text="Hi", pasted=numbers(7))
    monkeypatch.setattr(sending, "task_enqueue", lambda *args: None)
    campaign_start(campaign=campaign)
    campaign_send_chunk(campaign_id=campaign.pk)
    campaign_cancel(campaign=campaign)
    assert campaign_send_chunk(campaign_id=campaign.pk) == 0
    progress = campaign_progress(campaign=campaign)
    assert (progress.sent, progress.cancelled, progress.done_percent) == (3, 4, 100)
    with pytest.raises(ValidationError, match="cancelled: it cannot be resumed"):
        campaign_resume(campaign=campaign)


def test_scheduled_campaign_starts_when_its_schedule_runs(jet_connector):
    at = timezone.now() + timedelta(hours=1)
    campaign = campaign_create(
        name="Later", text="Hi", pasted=numbers(2), start=True, scheduled_at=at
    )
    assert campaign.status == CampaignStatus.SCHEDULED
    schedule = Schedule.objects.get(name=campaign.schedule_name)
    assert schedule.next_run == at
    scheduler(broker=get_broker())
    assert ReceivedSms.objects.count() == 0  # not due yet
    Schedule.objects.filter(pk=schedule.pk).update(next_run=timezone.now() - timedelta(seconds=1))
    scheduler(broker=get_broker())
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMPLETED
    assert ReceivedSms.objects.count() == 2
    assert not Schedule.objects.filter(name=campaign.schedule_name).exists()


def test_cancelling_a_scheduled_campaign_removes_its_schedule(idle_connector):
    campaign = campaign_create(
        name="Later",
        text="Hi",
        pasted=numbers(2),
        start=True,
        scheduled_at=timezone.now() + timedelta(hours=1),
    )
    campaign_cancel(campaign=campaign)
    assert not Schedule.objects.filter(name=campaign.schedule_name).exists()


def test_schedule_in_the_past_is_refused(idle_connector):
    with pytest.raises(ValidationError, match="has passed"):
        campaign_create(
            name="Past",
            text="Hi",
            pasted=numbers(1),
            start=True,
            scheduled_at=timezone.now() - timedelta(minutes=5),
        )


def test_number_opted_out_after_import_is_left_out_when_sending(jet_connector):
    campaign = campaign_create(name="Promo", text="Sale!", kind="commercial", pasted=numbers(2))
    optout_create(number="+905321200001")
    campaign_start(campaign=campaign)
    progress = campaign_progress(campaign=campaign)
    assert (progress.sent, progress.skipped, progress.done_percent) == (1, 1, 100)
    assert "opted out" in campaign.recipients.get(to="+905321200001").error


def test_failed_messages_are_counted_by_category(jet_connector):
    jet_connector.password = "wrong-password"
    jet_connector.save()
    campaign = campaign_create(name="Doomed", text="Hi", pasted=numbers(2), start=True)
    progress = campaign_progress(campaign=campaign)
    assert progress.failed == 2
    assert campaign.recipients.first().message.status == MessageStatus.FAILED


def test_a_chunks_messages_are_stored_claimed_and_a_dead_workers_go_out_once_their_lease_ran_out(
    jet_connector, small_chunks, monkeypatch
):
    campaign = campaign_create(name="Orphaned", text="Kampanya", pasted=numbers(3))
    monkeypatch.setattr(sending, "task_enqueue", lambda *args: None)
    # The worker dies after the chunk's commit, before its first request.
    monkeypatch.setattr(sending, "message_dispatch_claimed", lambda **kwargs: 0)
    campaign_start(campaign=campaign)
    assert campaign_send_chunk(campaign_id=campaign.pk) == 3
    made = Message.objects.filter(campaign_recipient__campaign=campaign)
    assert set(made.values_list("status", flat=True)) == {MessageStatus.SENDING}
    assert message_sweep() == 0  # their lease still holds: nobody else takes them
    long_ago = timezone.now() - timedelta(seconds=settings.SMSCONSOLE_REKICK_SECONDS + 1)
    made.update(lease_expires_at=long_ago, kicked_at=long_ago)
    assert message_sweep() == 3
    assert set(made.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert ReceivedSms.objects.filter(text="Kampanya").count() == 3


@pytest.mark.parametrize(
    ("meanwhile", "holds"),
    [
        ("nothing", True),
        ("another chunk task took its recipients", False),
        ("a spend cap was set", False),
        ("its last recipients: the campaign completes", False),
    ],
)
def test_a_chunk_made_ready_before_its_transaction_is_made_again_when_it_went_stale(
    idle_connector, small_chunks, monkeypatch, meanwhile, holds
):
    campaign = campaign_create(
        name="Ahead", text="Hi", pasted=numbers(2 if meanwhile.startswith("its last") else 7)
    )
    monkeypatch.setattr(sending, "task_enqueue", lambda *args: None)
    campaign_start(campaign=campaign)
    campaign.refresh_from_db()
    ready = sending._chunk_prepare(campaign, 3)
    if meanwhile.startswith("another chunk"):
        campaign_send_chunk(campaign_id=campaign.pk)
    elif meanwhile.startswith("a spend cap"):
        campaign.max_spend = Decimal("100")
        campaign.save(update_fields=["max_spend"])
    campaign.refresh_from_db()
    assert ready.holds_for(campaign, 3) is holds
