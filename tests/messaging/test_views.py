"""Console pages: compose (server-side counter), the log, CSV export, detail, live status."""

import csv
import io
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message
from messaging.services import message_create
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db

NUMBER = "+905321234567"


@pytest.fixture
def connector(db):
    return ConnectorFactory(name="Jet main", sender_list=["ACME", "ACMEINFO"], options={
        "base_url": "http://127.0.0.1:9", "timeout_seconds": 5, "max_length": 160,
    })  # fmt: skip


def test_pages_need_a_signed_in_user(client):
    for name in ("messaging:compose", "messaging:list", "messaging:export"):
        assert client.get(reverse(name)).status_code == 302


def test_compose_offers_the_active_sender_titles(console, connector):
    ConnectorFactory(name="Off", sender_list=["HIDDEN"], is_active=False)

    page = console.get(reverse("messaging:compose")).content.decode()

    assert '<option value="ACMEINFO">ACMEINFO</option>' in page
    assert "HIDDEN" not in page


def test_compose_sends_and_links_to_the_message(console, connector):
    answer = console.post(
        reverse("messaging:compose"),
        {"to": "0532 123 45 67", "sender": "ACME", "kind": "transactional", "text": "Merhaba"},
    )

    message = Message.objects.get()
    assert answer.status_code == 302
    page = console.get(answer["Location"]).content.decode()
    assert reverse("messaging:detail", args=[message.pk]) in page
    assert message.to == NUMBER


def test_compose_shows_service_errors_next_to_the_fields(console, connector):
    answer = console.post(
        reverse("messaging:compose"), {"to": "12", "kind": "transactional", "text": " "}
    )

    page = answer.content.decode()
    assert answer.status_code == 400
    assert "too short" in page
    assert "Enter the message text" in page
    assert Message.objects.count() == 0


def test_counter_measures_with_text_py(console, connector):
    answer = console.get(reverse("messaging:compose-counter"), {"text": "ş" * 100})

    page = answer.content.decode()
    assert 'data-counter="characters">100<' in page
    assert 'data-counter="encoding">GSM-7 Turkish<' in page
    assert 'data-counter="segments">2<' in page
    assert "counter-skips" not in page


@pytest.mark.parametrize(
    ("text", "skip"),
    [
        pytest.param(
            "a" * 161,
            "this connector carries at most 160 (Jet SMS would answer code 85)",
            id="longer than the connector's max_length",
        ),
        pytest.param(
            "Merhaba 😀",
            "Jet SMS cannot carry: it takes Turkish text (ISO-8859-9)",
            id="emoji outside the provider's character set",
        ),
    ],
)
def test_counter_names_connectors_whose_preflight_skips_the_text(console, connector, text, skip):
    page = console.get(reverse("messaging:compose-counter"), {"text": text}).content.decode()

    assert '<strong dir="auto">Jet main</strong> will skip it:' in page
    assert skip in page


def test_log_filters_and_pages_without_counting(console, connector, django_assert_max_num_queries):
    for i in range(60):
        message_create(to=NUMBER, text=f"note {i}")
    message_create(to="+905551112233", text="promo", kind="commercial")

    with django_assert_max_num_queries(12):
        first = console.get(reverse("messaging:list"))
    assert first.status_code == 200
    rows = first.context["page"].rows
    assert len(rows) == 50
    assert rows[0].text == "promo"
    older = first.context["page"].older

    second = console.get(reverse("messaging:list"), {"before": older})
    assert [m.text for m in second.context["page"].rows][-1] == "note 0"
    assert second.context["page"].older is None
    newer = console.get(reverse("messaging:list"), {"after": second.context["page"].newer})
    assert newer.context["page"].rows[0].text == "promo"

    commercial = console.get(reverse("messaging:list"), {"kind": "commercial"})
    assert [m.text for m in commercial.context["page"].rows] == ["promo"]
    by_text = console.get(reverse("messaging:list"), {"q": "note 59"})
    assert [m.text for m in by_text.context["page"].rows] == ["note 59"]


def test_log_shows_an_empty_state_for_filters_without_matches(console, connector):
    page = console.get(reverse("messaging:list"), {"status": "failed"}).content.decode()

    assert "No message matches these filters" in page


def test_log_reports_a_filter_value_that_does_not_parse_and_applies_the_others(console, connector):
    message_create(to=NUMBER, text="note")
    message_create(to="+905551112233", text="promo", kind="commercial")

    answer = console.get(reverse("messaging:list"), {"status": "lost", "kind": "commercial"})

    assert [m.text for m in answer.context["page"].rows] == ["promo"]
    assert "Status: Select a valid choice. lost is not one of the available choices." in (
        answer.content.decode()
    )


def test_log_number_filter_matches_a_number_in_any_spelling_or_its_digits(console, connector):
    message_create(to=NUMBER, text="mine")
    message_create(to="+905551112233", text="other")

    spelled = console.get(reverse("messaging:list"), {"number": "0532 123 45 67"})
    digits = console.get(reverse("messaging:list"), {"number": "1112"})

    assert [m.text for m in spelled.context["page"].rows] == ["mine"]
    assert [m.text for m in digits.context["page"].rows] == ["other"]


def test_log_date_range_takes_whole_local_days_and_refuses_an_end_before_the_start(
    console, connector
):
    old = message_create(to=NUMBER, text="last week")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=7))
    message_create(to=NUMBER, text="today")
    today = timezone.localdate()

    todays = console.get(reverse("messaging:list"), {"date_from": today, "date_to": today})
    reversed_range = console.get(
        reverse("messaging:list"), {"date_from": today, "date_to": today - timedelta(days=1)}
    )

    assert [m.text for m in todays.context["page"].rows] == ["today"]
    assert "The end date is before the start date." in reversed_range.content.decode()


def test_csv_export_streams_the_filtered_set(console, connector):
    message_create(to=NUMBER, text="=HYPERLINK(1)")
    message_create(to="+905551112233", text="promo", kind="commercial")

    answer = console.get(reverse("messaging:export"), {"kind": "transactional"})

    assert isinstance(answer, StreamingHttpResponse)
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert [(r["to"], r["status"], r["text"]) for r in rows] == [
        (NUMBER, "queued", "'=HYPERLINK(1)")
    ]


def test_detail_polls_while_pending(console, connector):
    message = message_create(to=NUMBER, text="Hello")

    page = console.get(reverse("messaging:detail", args=[message.pk])).content.decode()
    assert f'hx-get="{reverse("messaging:status", args=[message.pk])}"' in page
    assert "Queued" in page

    Message.objects.filter(pk=message.pk).update(status="failed", error_detail="No credit")
    live = console.get(reverse("messaging:status", args=[message.pk])).content.decode()
    assert "hx-trigger" not in live
    assert "No credit" in live


def test_detail_of_an_unknown_message_is_404(console):
    assert console.get(reverse("messaging:detail", args=[424242])).status_code == 404
