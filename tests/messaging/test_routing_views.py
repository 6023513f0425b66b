"""The Routes page, "Where would this number go?" (console and API) and a country's rules form."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.roles import RoleName
from connectors.models import HealthState, Route
from core.models import AuditEntry
from messaging.routing.models import CountryFooter, SendWindow
from tests.factories import ConnectorFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def platform(db):
    """İleti Merkezi (Turkey), Infobip (any country), JoSMS (Jordan), and Jordan's quiet hours."""
    SendWindow.objects.update_or_create(
        country="JO",
        defaults={"start": time(7), "end": time(21), "time_zone": "Asia/Amman", "enforced": True},
    )
    return {
        "ileti": ConnectorFactory(name="İleti", provider="iletimerkezi", priority=10,
                                  destinations=["90"], sender_list=["ACME"]),
        "infobip": ConnectorFactory(name="Infobip", provider="infobip", priority=40,
                                    sender_list=["ACME"]),
        "josms": ConnectorFactory(name="JoSMS", provider="josms", priority=80,
                                  destinations=["962"], sender_list=["ACME JO"]),
    }  # fmt: skip


def explain(console, **query):
    answer = console.get(reverse("routes:explain"), query, **HTMX)
    assert answer.status_code == 200
    return answer.context["explanation"]


def reasons(explanation) -> list[tuple[str, str]]:
    return [(step.connector.name, step.skip) for step in explanation.steps]


def test_routes_page_lists_each_country_with_its_connectors_in_order(console, platform):
    page = console.get(reverse("routes:list"))

    assert page.status_code == 200
    rows = {row.country.region: row for row in page.context["countries"]}
    assert [s.connector.name for s in rows["JO"].steps] == ["Infobip", "JoSMS"]
    assert [s.connector.name for s in rows["TR"].steps] == ["İleti", "Infobip"]
    assert rows["JO"].window.enforced
    assert [c.name for c in page.context["anywhere"]] == ["Infobip"]


def test_routes_page_needs_a_sign_in(client):
    assert client.get(reverse("routes:list")).status_code == 302


def test_explain_gives_each_connectors_reason(console, platform, compliance_clock):
    compliance_clock(datetime(2026, 1, 14, 12, tzinfo=ZoneInfo("Asia/Amman")))
    platform["infobip"].health_state = HealthState.CREDENTIALS_REJECTED
    platform["infobip"].save()

    jordan = explain(console, to="+962791234567", kind="transactional", sender="ACME JO")
    assert reasons(jordan) == [("Infobip", "tripped"), ("JoSMS", ""), ("İleti", "no_destination")]
    assert jordan.carrier.connector.name == "JoSMS"

    platform["infobip"].health_state = HealthState.OK
    platform["infobip"].save()
    turkey = explain(console, to="05321234567", kind="commercial", sender="ACME")
    assert reasons(turkey) == [("İleti", ""), ("Infobip", "iys"), ("JoSMS", "no_destination")]

    long_text = explain(console, to="05321234567", kind="transactional", text="x" * 1100)
    assert reasons(long_text)[0] == ("İleti", "length")
    unknown_title = explain(console, to="+962791234567", kind="transactional", sender="NOPE")
    assert {skip for _, skip in reasons(unknown_title)} == {"sender", "no_destination"}
    platform["josms"].is_active = False
    platform["josms"].save()
    off = explain(console, to="+962791234567", kind="transactional")
    assert ("JoSMS", "off") in reasons(off)


def test_explain_shows_quiet_hours_for_commercial_only(console, platform, compliance_clock):
    compliance_clock(datetime(2026, 1, 14, 22, tzinfo=ZoneInfo("Asia/Amman")))

    commercial = explain(console, to="+962791234567", kind="commercial", sender="ACME JO")
    transactional = explain(console, to="+962791234567", kind="transactional", sender="ACME JO")

    assert commercial.hold.reason == "held until 07:00 (Jordan quiet hours)"
    assert transactional.hold is None
    page = console.get(
        reverse("routes:explain"), {"to": "+962791234567", "kind": "commercial"}, **HTMX
    )
    assert "Quiet hours: waits" in page.content.decode()


def test_explain_says_what_is_wrong_with_a_bad_number(console, platform):
    assert "not a phone number" in explain(console, to="hello", kind="commercial").error


def test_explain_api_lists_the_steps(api, platform):
    answer = api.get("/api/v1/routes/explain/", {"to": "+962791234567", "sender": "ACME JO"})

    assert answer.status_code == 200
    body = answer.json()
    assert body["country"] == "JO"
    assert [(s["connector"]["name"], s["used"], s["skip"]) for s in body["steps"]] == [
        ("Infobip", False, "sender"),
        ("JoSMS", True, ""),
        ("İleti", False, "no_destination"),
    ]
    assert api.get("/api/v1/routes/explain/", {"to": "x"}).status_code == 400


def test_country_rules_are_saved_and_audited_by_someone_allowed(console, platform):
    answer = console.post(
        reverse("routes:country", args=["JO"]),
        {
            f"step_{platform['josms'].pk}": "1",
            f"step_{platform['infobip'].pk}": "2",
            "window_start": "08:00",
            "window_end": "20:00",
            "time_zone": "Asia/Amman",
            "enforced": "on",
            "footer": "للإلغاء أرسل STOP",
        },
    )

    assert answer.status_code == 302
    route = Route.objects.get(country="JO")
    assert [s.connector.name for s in route.steps.order_by("position")] == ["JoSMS", "Infobip"]
    assert not route.others_after
    window = SendWindow.objects.get(country="JO")
    assert (window.start, window.end, window.enforced) == (time(8), time(20), True)
    assert CountryFooter.objects.get(country="JO").text == "للإلغاء أرسل STOP"
    audited = set(AuditEntry.objects.values_list("target_type", "action"))
    assert {
        ("connectors.route", "create"),
        ("messaging.sendwindow", "update"),
        ("messaging.countryfooter", "create"),
    } <= audited


def test_country_rules_need_the_routing_permission(client, platform):
    client.force_login(UserFactory(role=RoleName.MARKETER))  # sees connectors, not routing

    page = client.get(reverse("routes:country", args=["JO"]))
    refused = client.post(reverse("routes:country", args=["JO"]), {"footer": "x"})

    assert "routing permission" in page.content.decode()
    assert refused.status_code == 403
    assert not CountryFooter.objects.exists()


def test_connector_form_saves_destinations_prices_and_audits_iys_vouching(console, platform):
    infobip = platform["infobip"]
    form = {
        "name": "Infobip",
        "priority": "40",
        "is_active": "on",
        "username": "acme",
        "sender_list": "ACME",
        "destinations": "90, 962",
        "iys_checked_by_account": "on",
        "price_per_segment": "0,05",
        "country_prices": "JO 0.03",
        "promotional_titles": "ADV-ACME",
        "opt_base_url": "http://127.0.0.1:9",
        "opt_timeout_seconds": "5",
        "opt_auth": "app",
    }

    answer = console.post(reverse("connectors:edit", args=[infobip.pk]), form)

    assert answer.status_code == 302, answer.context["form"].errors
    infobip.refresh_from_db()
    assert infobip.destinations == ["90", "962"]
    assert str(infobip.price_per_segment) == "0.0500"
    assert infobip.country_prices == {"JO": "0.0300"}
    assert infobip.promotional_titles == ["ADV-ACME"]
    entry = AuditEntry.objects.get(target_type="connectors.connector", action="update")
    assert entry.changes["iys_checked_by_account"] == [False, True]

    bad = console.post(
        reverse("connectors:edit", args=[infobip.pk]), {**form, "destinations": "+90x"}
    )
    assert bad.status_code == 400
    assert "calling-code prefix" in bad.content.decode()


def test_compose_counter_counts_the_footer_of_a_commercial_text(console):
    CountryFooter.objects.create(country="TR", text="Ret için İPTAL yazıp 4609'a gönderin")
    query = {"text": "x" * 140, "to": "0532 123 45 67"}

    commercial = console.get(reverse("messaging:compose-counter"), {**query, "kind": "commercial"})
    transactional = console.get(
        reverse("messaging:compose-counter"), {**query, "kind": "transactional"}
    )

    assert commercial.context["preview"].measure.segments == 2
    assert "Ret için İPTAL" in commercial.content.decode()
    assert transactional.context["preview"].measure.segments == 1
