"""The campaign bar splits sent messages into delivered, undelivered and pending."""

import pytest
from django.utils import timezone

from messaging.campaigns.models import CampaignRecipient, RecipientStatus
from messaging.campaigns.selectors import campaign_is_live, campaign_progress
from messaging.campaigns.services import campaign_create
from messaging.models import Message, MessageStatus
from tests.campaigns.conftest import csv_upload

pytestmark = pytest.mark.django_db

NUMBERS = ["+905321234561", "+905321234562", "+905321234563", "+905321234564"]


def sent_campaign(states: list[str]):
    """A campaign whose recipients' messages were sent and are in these delivery states."""
    campaign = campaign_create(
        name="Receipts", text="Merhaba", csv_file=csv_upload("phone\n" + "\n".join(NUMBERS) + "\n")
    )
    for recipient, state in zip(
        CampaignRecipient.objects.filter(campaign=campaign).order_by("id"), states, strict=True
    ):
        message = Message.objects.create(
            to=recipient.to, text="Merhaba", status=MessageStatus.SENT, due_at=timezone.now(),
            sent_at=timezone.now(), delivery_state=state,
        )  # fmt: skip
        CampaignRecipient.objects.filter(pk=recipient.pk).update(
            message=message, status=RecipientStatus.HANDED_OVER
        )
    campaign.refresh_from_db()
    return campaign


def test_sent_splits_into_delivered_undelivered_and_pending(idle_connector):
    campaign = sent_campaign(["delivered", "undelivered", "expired", "pending"])

    progress = campaign_progress(campaign=campaign)

    assert progress.sent == 4
    assert (progress.delivered, progress.undelivered, progress.delivery_pending) == (1, 2, 1)
    assert progress.as_dict()["delivered"] == 1
    assert campaign_is_live(campaign=campaign, progress=progress)  # receipts still to come


def test_the_page_shows_the_split(console, idle_connector):
    campaign = sent_campaign(["delivered", "delivered", "undelivered", "unknown"])

    page = console.get(f"/campaigns/{campaign.pk}/progress/").content.decode()

    assert 'id="count-delivered">2<' in page
    assert 'id="count-undelivered">1<' in page
    assert 'id="count-delivery-pending">1<' in page
