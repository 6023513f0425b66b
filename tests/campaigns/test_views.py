import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import keyset_page
from messaging.campaigns.models import Campaign, CampaignStatus, Template
from messaging.campaigns.services import (
    campaign_create,
    campaign_send_chunk,
    campaign_start,
    template_create,
)
from messaging.filters import MessageFilter
from messaging.selectors import message_list
from messaging.services import message_create
from tests.campaigns.conftest import csv_upload

pytestmark = pytest.mark.django_db


def test_template_pages_create_edit_and_list(console, idle_connector):
    answer = console.post(
        "/templates/new/",
        {
            "name": "Welcome",
            "key": "welcome",
            "text": "Hi {{name}}",
            "kind": "transactional",
            "sender": "",
        },
    )
    assert answer.status_code == 302
    template = Template.objects.get(key="welcome")
    answer = console.post(
        f"/templates/{template.pk}/edit/",
        {
            "name": "Welcome",
            "key": "welcome",
            "text": "Hello {{name}}",
            "kind": "commercial",
            "sender": "ACME",
        },
    )
    assert answer.status_code == 302
    template.refresh_from_db()
    assert (template.text, template.kind, template.sender) == (
        "Hello {{name}}",
        "commercial",
        "ACME",
    )
    assert "welcome" in console.get("/templates/").content.decode()


def test_template_form_shows_service_errors(console, idle_connector):
    answer = console.post(
        "/templates/new/", {"name": "X", "key": "12", "text": "Hi", "kind": "transactional"}
    )
    assert answer.status_code == 400
    assert "at least one letter" in answer.content.decode()


def test_template_preview_shows_encoding_and_segments(console, db):
    answer = console.post(
        "/templates/preview/", {"text": "Merhaba {{name}}", "sample_name": "Ayşe"}
    )
    page = answer.content.decode()
    assert "Merhaba Ayşe" in page
    assert "GSM-7 Turkish" in page


def test_template_preview_names_missing_values(console, db):
    page = console.post("/templates/preview/", {"text": "Hi {{name}}"}).content.decode()
    assert "Give a value for" in page
    assert "{{name}}" in page


def test_campaign_upload_shows_count_segments_and_rejected_lines(console, idle_connector):
    upload = csv_upload("phone,name\n+905321234567,Ayşe\n999,Bad\n+905321234567,Again\n")
    answer = console.post(
        "/campaigns/new/",
        {"name": "Spring", "text": "Hi {{name}}", "kind": "", "sender": "", "file": upload},
    )
    campaign = Campaign.objects.get()
    assert answer.status_code == 302
    page = console.get(answer.url).content.decode()
    assert 'id="recipient-count">1<' in page
    assert 'id="total-segments">1<' in page
    assert "already on line 2" in page
    assert campaign.status == CampaignStatus.DRAFT


def test_campaign_form_shows_file_errors(console, idle_connector):
    answer = console.post(
        "/campaigns/new/", {"name": "X", "text": "Hi", "file": csv_upload("name\nAli\n")}
    )
    assert answer.status_code == 400
    assert "no phone column" in answer.content.decode()


def test_campaign_actions_from_the_page(console, idle_connector):
    campaign = campaign_create(name="Later", text="Hi", pasted="+905321234567")
    answer = console.post(
        f"/campaigns/{campaign.pk}/schedule/", {"scheduled_at": "2099-01-01T09:00"}
    )
    assert answer.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    console.post(f"/campaigns/{campaign.pk}/cancel/")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    page = console.get(f"/campaigns/{campaign.pk}/", follow=True).content.decode()
    assert "Cancelled" in page


def test_progress_partial_stops_polling_when_nothing_can_change(console, idle_connector):
    campaign = campaign_create(name="Draft", text="Hi", pasted="+905321234567")
    page = console.get(f"/campaigns/{campaign.pk}/progress/").content.decode()
    assert "hx-trigger" not in page
    assert 'aria-valuenow="0"' in page


def test_nav_shows_campaigns_and_templates(console, db):
    page = console.get("/campaigns/").content.decode()
    assert 'href="/campaigns/"' in page
    assert 'href="/templates/"' in page


def test_template_list_links_to_campaign_from_template(console, idle_connector):
    template_create(key="promo", name="Promo", text="Sale")
    assert "/campaigns/new/?template=promo" in console.get("/templates/").content.decode()
    page = console.get("/campaigns/new/?template=promo").content.decode()
    assert 'value="promo" selected' in page


def started(name: str, numbers: list[str]):
    """A campaign whose messages are made (its first chunk ran) but not sent."""
    campaign = campaign_create(name=name, text=f"Hi from {name}", pasted="\n".join(numbers))
    campaign_start(campaign=campaign)
    campaign_send_chunk(campaign_id=campaign.pk)
    return campaign


def test_message_log_shows_and_filters_by_campaign(console, idle_connector):
    spring = started("Spring", ["+905321234567", "+905321234568"])
    started("Autumn", ["+905321234569"])
    message_create(to="+905321234560", text="Not from a campaign")

    page = console.get(f"/messages/?campaign={spring.pk}").content.decode()

    assert page.count(f'href="/campaigns/{spring.pk}/"') == 2
    assert "Hi from Spring" in page
    assert "Hi from Autumn" not in page
    assert "Not from a campaign" not in page
    assert f'<option value="{spring.pk}" selected>Spring</option>' in page


def test_campaign_filter_pages_newest_first_with_keyset_cursors(idle_connector):
    spring = started("Spring", [f"+90532123456{n}" for n in range(5)])
    started("Autumn", ["+905321234560"])
    ids = sorted(spring.recipients.values_list("message_id", flat=True), reverse=True)

    messages = MessageFilter({"campaign": spring.pk}, queryset=message_list()).qs
    first = keyset_page(messages, size=2)
    second = keyset_page(messages, before=first.older, size=2)
    back = keyset_page(messages, after=second.newer, size=2)

    assert [m.pk for m in first.rows] == ids[:2]
    assert [m.pk for m in second.rows] == ids[2:4]
    assert [m.pk for m in back.rows] == ids[:2]
    assert first.rows[0].campaign == spring


def test_message_detail_and_api_name_the_campaign(console, api, idle_connector):
    spring = started("Spring", ["+905321234567"])
    message = spring.recipients.get().message
    plain = message_create(to="+905321234560", text="Not from a campaign")

    page = console.get(f"/messages/{message.pk}/").content.decode()
    assert f'<a href="/campaigns/{spring.pk}/" id="message-campaign">Spring</a>' in page
    assert f'href="/messages/?campaign={spring.pk}"' in page
    assert api.get(f"/api/v1/messages/{message.pk}/").json()["campaign"] == {
        "id": spring.pk,
        "name": "Spring",
    }
    assert api.get(f"/api/v1/messages/{plain.pk}/").json()["campaign"] is None
    listed = api.get(f"/api/v1/messages/?campaign={spring.pk}").json()["results"]
    assert [m["id"] for m in listed] == [message.pk]


def test_campaign_page_links_to_its_messages_once_started(console, idle_connector):
    draft = campaign_create(name="Draft", text="Hi", pasted="+905321234567")
    assert "?campaign=" not in console.get(f"/campaigns/{draft.pk}/").content.decode()
    spring = started("Spring", ["+905321234568"])
    assert (
        f'href="/messages/?campaign={spring.pk}"'
        in console.get(f"/campaigns/{spring.pk}/").content.decode()
    )


def test_message_log_queries_do_not_grow_with_campaign_rows(console, idle_connector):
    started("One", ["+905321234567"])
    with CaptureQueriesContext(connection) as one:
        console.get("/messages/")
    for n in range(4):
        started(f"More {n}", [f"+90532123457{n}"])
    with CaptureQueriesContext(connection) as five:
        page = console.get("/messages/").content.decode()
    assert "More 3" in page
    assert len(five) == len(one)


def test_campaign_list_counts_progress_in_one_query(console, idle_connector):
    started("One", ["+905321234567"])
    with CaptureQueriesContext(connection) as one:
        console.get("/campaigns/")
    for n in range(4):
        started(f"More {n}", [f"+90532123457{n}"])
    with CaptureQueriesContext(connection) as five:
        page = console.get("/campaigns/").content.decode()
    assert page.count("0% · 0 sent") == 5
    assert len(five) == len(one)
