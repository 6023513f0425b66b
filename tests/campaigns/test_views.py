import pytest

from messaging.campaigns.models import Campaign, CampaignStatus, Template
from messaging.campaigns.services import campaign_create, template_create
from tests.campaigns.conftest import csv_upload

pytestmark = pytest.mark.django_db


def test_template_pages_create_edit_and_list(console, idle_connector):
    answer = console.post("/templates/new/", {"name": "Welcome", "key": "welcome", "text": "Hi {{name}}", "kind": "transactional", "sender": ""})
    assert answer.status_code == 302
    template = Template.objects.get(key="welcome")
    answer = console.post(f"/templates/{template.pk}/edit/", {"name": "Welcome", "key": "welcome", "text": "Hello {{name}}", "kind": "commercial", "sender": "ACME"})
    assert answer.status_code == 302
    template.refresh_from_db()
    assert (template.text, template.kind, template.sender) == ("Hello {{name}}", "commercial", "ACME")
    assert "welcome" in console.get("/templates/").content.decode()


def test_template_form_shows_service_errors(console, idle_connector):
    answer = console.post("/templates/new/", {"name": "X", "key": "12", "text": "Hi", "kind": "transactional"})
    assert answer.status_code == 400
    assert "at least one letter" in answer.content.decode()


def test_template_preview_shows_encoding_and_segments(console, db):
    answer = console.post("/templates/preview/", {"text": "Merhaba {{name}}", "sample_name": "Ayşe"})
    page = answer.content.decode()
    assert "Merhaba Ayşe" in page
    assert "GSM-7 Turkish" in page


def test_template_preview_names_missing_values(console, db):
    page = console.post("/templates/preview/", {"text": "Hi {{name}}"}).content.decode()
    assert "Give a value for" in page
    assert "{{name}}" in page


def test_campaign_upload_shows_count_segments_and_rejected_lines(console, idle_connector):
    upload = csv_upload("phone,name\n+905321234567,Ayşe\n999,Bad\n+905321234567,Again\n")
    answer = console.post("/campaigns/new/", {"name": "Spring", "text": "Hi {{name}}", "kind": "", "sender": "", "file": upload})
    campaign = Campaign.objects.get()
    assert answer.status_code == 302
    page = console.get(answer.url).content.decode()
    assert 'id="recipient-count">1<' in page
    assert 'id="total-segments">1<' in page
    assert "already on line 2" in page
    assert campaign.status == CampaignStatus.DRAFT


def test_campaign_form_shows_file_errors(console, idle_connector):
    answer = console.post("/campaigns/new/", {"name": "X", "text": "Hi", "file": csv_upload("name\nAli\n")})
    assert answer.status_code == 400
    assert "no phone column" in answer.content.decode()


def test_campaign_actions_from_the_page(console, idle_connector):
    campaign = campaign_create(name="Later", text="Hi", pasted="+905321234567")
    answer = console.post(f"/campaigns/{campaign.pk}/schedule/", {"scheduled_at": "2099-01-01T09:00"})
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
