"""Campaigns and the sending rules, through the real chunks, dispatcher and simulators: quiet hours
pause and resume a running campaign, the spend cap pauses it, the preview estimates and warns."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.roles import RoleName
from connectors.simulators.models import ReceivedSms
from core.models import AuditEntry
from messaging.campaigns.compliance import campaign_compliance, campaign_spend
from messaging.campaigns.models import CampaignStatus, PauseReason
from messaging.campaigns.services import (
    campaign_create,
    campaign_override_quiet_hours,
    campaign_resume,
    campaign_send_chunk,
    campaign_set_max_spend,
    campaign_start,
    campaign_sweep,
    notification_send,
    sending,
    template_create,
)
from messaging.models import Message, MessageStatus
from messaging.routing.models import CountryFooter
from tests.connectors.providers.harness import SETUPS
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded_windows")]

AMMAN = ZoneInfo("Asia/Amman")


def jordanian(count: int) -> str:
    return "\n".join(f"+9627912{n:05d}" for n in range(count))


def turkish(count: int) -> str:
    return "\n".join(f"+9053212{n:05d}" for n in range(count))


@pytest.fixture
def amman(compliance_clock):
    """at(day, hour, minute) → the rules read that time in Amman (January 2026)."""
    return lambda day, hour, minute=0: compliance_clock(
        datetime(2026, 1, day, hour, minute, tzinfo=AMMAN)
    )


@pytest.fixture
def chunks_by_hand(monkeypatch):
    """Chunk tasks are recorded, not run, so a test moves the clock between chunks; the
    messages a chunk makes are still dispatched (in-process) as usual."""
    kicked = []
    monkeypatch.setattr(sending, "task_enqueue", lambda *args: kicked.append(args))
    monkeypatch.setattr(sending, "chunk_size", lambda: 3)
    return kicked


def test_running_campaign_pauses_at_the_windows_end_and_resumes_at_its_start(
    josms_connector, amman, chunks_by_hand
):
    amman(14, 20, 58)
    campaign = campaign_create(
        name="Jordan sale", text="Sale today", pasted=jordanian(7), start=True
    )
    assert campaign_send_chunk(campaign_id=campaign.pk) == 3
    assert ReceivedSms.objects.count() == 3

    amman(14, 21, 0)
    assert campaign_send_chunk(campaign_id=campaign.pk) == 0
    campaign.refresh_from_db()
    assert (campaign.status, campaign.paused_reason) == (
        CampaignStatus.PAUSED,
        PauseReason.QUIET_HOURS,
    )
    assert campaign.resume_at == datetime(2026, 1, 15, 7, 0, tzinfo=AMMAN)
    entry = AuditEntry.objects.get(action="pause", target_id=str(campaign.pk))
    assert entry.actor == "system"
    assert entry.changes["detail"][1] == "held until 07:00 (Jordan quiet hours)"

    amman(15, 6, 59)
    campaign_sweep()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED

    amman(15, 7, 0)
    kicks_before = len(chunks_by_hand)
    campaign_sweep()
    campaign.refresh_from_db()
    assert (campaign.status, campaign.paused_reason, campaign.resume_at) == (
        CampaignStatus.SENDING,
        "",
        None,
    )
    assert len(chunks_by_hand) > kicks_before  # the next chunk was kicked
    while campaign_send_chunk(campaign_id=campaign.pk):
        pass
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMPLETED
    assert ReceivedSms.objects.count() == 7


def test_in_quiet_hours_turkish_recipients_go_and_jordanian_ones_wait(
    josms_connector, jet_connector, amman, chunks_by_hand
):
    jet_connector.destinations, josms_connector.destinations = ["90"], ["962"]
    jet_connector.save()
    josms_connector.save()
    amman(14, 22)
    pasted = jordanian(2) + "\n" + turkish(2)
    campaign = campaign_create(name="Mixed", text="Sale today", pasted=pasted, start=True)

    assert campaign_send_chunk(campaign_id=campaign.pk) == 2
    campaign.refresh_from_db()
    assert campaign.paused_reason == PauseReason.QUIET_HOURS
    assert sorted(ReceivedSms.objects.values_list("number", flat=True)) == [
        "905321200000",
        "905321200001",
    ]


def test_a_transactional_campaign_is_not_held(josms_connector, amman, chunks_by_hand):
    amman(14, 22)
    campaign = campaign_create(
        name="Codes", text="Your code", kind="transactional", pasted=jordanian(2), start=True
    )
    assert campaign_send_chunk(campaign_id=campaign.pk) == 2
    assert ReceivedSms.objects.count() == 2


def test_quiet_hours_override_needs_the_routing_permission_and_is_audited(
    josms_connector, amman, chunks_by_hand
):
    amman(14, 22)
    campaign = campaign_create(name="Urgent", text="Sale today", pasted=jordanian(2))
    with pytest.raises(PermissionDenied):
        campaign_override_quiet_hours(
            campaign=campaign, override=True, user=UserFactory(role=RoleName.MARKETER)
        )

    campaign_override_quiet_hours(campaign=campaign, override=True, user=UserFactory())

    entry = AuditEntry.objects.get(action="override", target_id=str(campaign.pk))
    assert entry.changes == {"quiet_hours_override": [False, True]}
    campaign_start(campaign=campaign)
    assert campaign_send_chunk(campaign_id=campaign.pk) == 2
    assert ReceivedSms.objects.count() == 2
    assert set(Message.objects.values_list("quiet_hours_override", "status")) == {
        (True, MessageStatus.SENT)
    }


def test_spend_cap_pauses_the_campaign_when_reached_and_says_so_in_the_audit_log(
    jet_connector, chunks_by_hand
):
    jet_connector.price_per_segment = Decimal("0.1000")
    jet_connector.save()
    campaign = campaign_create(
        name="Capped", text="Merhaba", pasted=turkish(7), max_spend="0.45", start=True
    )

    while campaign_send_chunk(campaign_id=campaign.pk):
        pass

    campaign.refresh_from_db()
    assert (campaign.status, campaign.paused_reason) == (
        CampaignStatus.PAUSED,
        PauseReason.SPEND_CAP,
    )
    assert ReceivedSms.objects.count() == 4
    assert campaign_spend(campaign=campaign) == Decimal("0.4000") <= campaign.max_spend
    entry = AuditEntry.objects.get(action="pause", target_id=str(campaign.pk))
    assert entry.changes["paused_reason"] == ["", PauseReason.SPEND_CAP]

    campaign_set_max_spend(campaign=campaign, max_spend="1.00")
    campaign_resume(campaign=campaign)
    while campaign_send_chunk(campaign_id=campaign.pk):
        pass
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMPLETED
    assert campaign_spend(campaign=campaign) == Decimal("0.7000")


def test_preview_estimates_the_cost_and_warns_about_titles_and_refusal(
    josms_connector, jet_connector, daytime_in_jordan
):
    jet_connector.destinations, jet_connector.price_per_segment = ["90"], Decimal("0.0500")
    jet_connector.save()
    josms_connector.destinations, josms_connector.country_prices = ["962"], {"JO": "0.0300"}
    josms_connector.promotional_titles = ["ADV-ACME"]
    josms_connector.save()
    campaign = campaign_create(
        name="Preview", text="Sale today", pasted=jordanian(10) + "\n" + turkish(4)
    )

    preview = campaign_compliance(campaign=campaign)

    assert preview.estimated_spend == Decimal("0.0300") * 10 + Decimal("0.0500") * 4
    assert [(line.country.region, line.recipients) for line in preview.lines] == [
        ("JO", 10),
        ("TR", 4),
    ]
    assert any("ADV titles" in warning and "“ACME”" in warning for warning in preview.warnings)
    assert any("no way to refuse" in warning for warning in preview.warnings)
    assert preview.spend == 0


def test_a_footer_counts_in_the_campaigns_segments_and_silences_the_refusal_warning(
    jet_connector,
):
    CountryFooter.objects.create(country="TR", text="Ret için İPTAL yazıp 4609'a gönderin")
    campaign = campaign_create(name="Footer", text="x" * 140, pasted=turkish(2))

    assert campaign.total_segments == 4  # two parts each once the footer is on
    assert not any("refuse" in w for w in campaign_compliance(campaign=campaign).warnings)


def test_campaign_and_template_iys_recipient_type_reach_the_provider(live_server):
    SETUPS["iletimerkezi"].account()
    SETUPS["iletimerkezi"].connector(
        live_server.url, name="İleti Merkezi", options={"iys_list": "BIREYSEL"}
    )
    campaign_create(
        name="Merchants", text="Toptan fiyat", pasted=turkish(1), iys_recipient_type="TACIR",
        start=True,
    )  # fmt: skip
    template_create(key="b2b", name="B2B", text="Toptan", kind="commercial",
                    iys_recipient_type="TACIR")  # fmt: skip
    notification_send(notification_key="b2b", target={"msisdn": "+905321299999"})

    urls = [m.attempts.get().exchanges[0]["url"] for m in Message.objects.all()]
    assert len(urls) == 2
    assert all("iysList=TACIR" in url for url in urls)


def test_campaign_page_shows_the_estimate_warnings_and_spend(
    console, josms_connector, daytime_in_jordan
):
    josms_connector.country_prices = {"JO": "0.0300"}
    josms_connector.save()
    campaign = campaign_create(name="Page", text="Sale today", pasted=jordanian(3))

    page = console.get(reverse("campaigns:campaign-detail", args=[campaign.pk])).content.decode()

    assert 'id="estimated-spend">0.09<' in page
    assert "ADV titles" in page
    assert 'id="campaign-spend">0.00<' in page


def test_spend_cap_and_quiet_hours_override_from_the_campaign_page(client, josms_connector):
    campaign = campaign_create(name="Page", text="Sale today", pasted=jordanian(1))
    client.force_login(UserFactory(role=RoleName.MARKETER))  # may send, not change routing
    action = "campaigns:campaign-action"

    client.post(reverse(action, args=[campaign.pk, "spend-cap"]), {"max_spend": "12.5"})
    refused = client.post(reverse(action, args=[campaign.pk, "override-quiet-hours"]))

    campaign.refresh_from_db()
    assert campaign.max_spend == Decimal("12.50")
    assert AuditEntry.objects.filter(action="update", target_id=str(campaign.pk)).exists()
    assert refused.status_code == 403
    assert campaign.quiet_hours_override is False
