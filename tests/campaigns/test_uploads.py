"""Large CSV uploads: refused over SMSCONSOLE_CAMPAIGN_MAX_BYTES with a 413; over the background
size they are stored and imported by a worker, with the progress shown on the campaign."""

import pytest

from messaging.campaigns import tasks
from messaging.campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignUploadPart,
    ImportStatus,
)
from messaging.campaigns.services import campaign_create
from tests.campaigns.conftest import csv_upload

pytestmark = pytest.mark.django_db
ROWS = 300


def _numbers_csv(rows: int = ROWS, *, bad: int = 0) -> str:
    good = [f"+90532{1_000_000 + n},Ayşe{n}" for n in range(rows)]
    return "phone,name\n" + "\n".join(good + ["12345,Bad"] * bad) + "\n"


@pytest.fixture
def small_limits(settings):
    settings.SMSCONSOLE_CAMPAIGN_MAX_BYTES = 50_000
    settings.SMSCONSOLE_CAMPAIGN_BACKGROUND_BYTES = 1_000


@pytest.fixture
def queued(monkeypatch):
    """The import tasks enqueued (not run): what the web request leaves for a worker."""
    calls = []
    monkeypatch.setattr(
        "messaging.campaigns.services.lifecycle.task_enqueue",
        lambda *args, **kwargs: calls.append(args),
    )
    return calls


def _run(calls) -> None:
    """Run the enqueued import tasks as a worker would."""
    for func, *args in calls:
        assert func == "messaging.campaigns.tasks.campaign_import_upload_task"
        tasks.campaign_import_upload_task(*args)


def test_console_refuses_an_upload_over_the_limit_with_413(console, idle_connector, small_limits):
    upload = csv_upload("phone,name\n" + "+905321234567,Ayşe\n" * 4000)
    answer = console.post(
        "/campaigns/new/", {"name": "Huge", "text": "Hi {{name}}", "kind": "", "file": upload}
    )
    assert answer.status_code == 413
    assert "at most 0.0 MB can be uploaded" in answer.content.decode()
    assert not Campaign.objects.exists()


def test_api_refuses_an_upload_over_the_limit_with_413(api, idle_connector, small_limits):
    upload = csv_upload("phone,name\n" + "+905321234567,Ayşe\n" * 4000)
    answer = api.post(
        "/api/v1/campaigns/", {"name": "Huge", "text": "Hi", "file": upload}, format="multipart"
    )
    body = answer.json()
    assert answer.status_code == 413
    assert body["status"] == 413
    assert "Split the list" in body["fields"]["file"][0]
    assert not Campaign.objects.exists()


def test_a_large_upload_is_left_to_a_worker_and_the_page_shows_its_progress(
    console, idle_connector, small_limits, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = console.post(
            "/campaigns/new/",
            {"name": "Big", "text": "Hi {{name}}", "kind": "", "file": csv_upload(_numbers_csv())},
        )
    campaign = Campaign.objects.get()
    page = console.get(answer.url).content.decode()
    assert answer.status_code == 302
    assert (campaign.import_status, campaign.recipient_count) == (ImportStatus.IMPORTING, 0)
    assert campaign.import_rows_total == ROWS
    assert CampaignUploadPart.objects.filter(campaign=campaign).exists()
    assert 'id="import-progress"' in page
    assert f'of about <strong class="tabular">{ROWS}</strong> rows read' in page
    assert 'hx-trigger="every 2s"' in page

    _run(queued)
    campaign.refresh_from_db()
    assert (campaign.import_status, campaign.recipient_count) == (ImportStatus.DONE, ROWS)
    assert campaign.import_rows_read == campaign.import_rows_total == ROWS
    assert not CampaignUploadPart.objects.exists()
    assert 'id="import-progress"' not in console.get(answer.url).content.decode()


def test_api_answers_at_once_and_the_worker_starts_the_campaign_after_the_import(
    api, idle_connector, small_limits, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            "/api/v1/campaigns/",
            {"name": "Big", "text": "Hi {{name}}", "file": csv_upload(_numbers_csv())},
            format="multipart",
        )
    body = answer.json()
    assert answer.status_code == 201
    assert body["import_progress"] == {
        "status": "importing",
        "rows_read": 0,
        "rows_total": ROWS,
        "error": "",
    }
    assert body["status"] == CampaignStatus.DRAFT

    with django_capture_on_commit_callbacks(execute=False):
        _run(queued)
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.SENDING
    assert campaign.recipient_count == ROWS


def test_a_bad_header_is_refused_at_once_even_for_a_large_upload(idle_connector, small_limits):
    upload = csv_upload("name,city\n" + "Ayşe,İzmir\n" * 200)
    with pytest.raises(Exception, match="no phone column"):
        campaign_create(name="Big", text="Hi", csv_file=upload)
    assert not Campaign.objects.exists()


def test_an_upload_without_any_good_row_fails_its_import_with_the_reason(
    idle_connector, small_limits, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(
            name="Bad", text="Hi", csv_file=csv_upload(_numbers_csv(0, bad=200))
        )
    _run(queued)
    campaign.refresh_from_db()
    assert campaign.import_status == ImportStatus.FAILED
    assert "None of the 200 rows" in campaign.import_error
    assert not CampaignUploadPart.objects.exists()


def test_a_redelivered_import_task_starts_over_and_a_finished_one_does_nothing(
    idle_connector, small_limits, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(name="Big", text="Hi", csv_file=csv_upload(_numbers_csv()))
    campaign.recipients.create(line=2, to="+905320000000")  # left by a worker that died
    _run(queued)
    _run(queued)
    campaign.refresh_from_db()
    assert campaign.recipients.count() == campaign.recipient_count == ROWS
    assert not campaign.recipients.filter(to="+905320000000").exists()


def test_a_campaign_still_importing_cannot_be_started(
    console, idle_connector, small_limits, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(name="Big", text="Hi", csv_file=csv_upload(_numbers_csv()))
    page = console.post(f"/campaigns/{campaign.pk}/start/", follow=True).content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert "no imported recipients" in page
