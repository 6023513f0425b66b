"""A marketer asks "Where would this number go?" on the Routes page, in a real browser."""

from pathlib import Path

from playwright.sync_api import expect

from connectors.models import Route, RouteStep
from messaging.routing.models import CountryFooter
from tests.factories import ConnectorFactory

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "routes.png"


def _platform_connectors():
    made = {}
    for name, provider, priority, destinations in [
        ("İleti Merkezi", "iletimerkezi", 10, ["90"]),
        ("Mobildev", "mobildev", 20, ["90"]),
        ("FigenSoft", "figensoft", 30, ["any"]),
        ("Infobip", "infobip", 40, ["any"]),
        ("Jet SMS", "jetsms", 60, ["90"]),
        ("JoSMS", "josms", 80, ["962"]),
    ]:
        made[name] = ConnectorFactory(
            name=name, provider=provider, priority=priority, destinations=destinations,
            sender_list=["ACME"],
        )  # fmt: skip
    route = Route.objects.create(country="JO")
    RouteStep.objects.create(route=route, connector=made["JoSMS"], position=0)
    CountryFooter.objects.create(country="TR", text="Ret için İPTAL yazıp 4609'a gönderin")
    return made


def _chain(page) -> list[tuple[str, str]]:
    rows = page.locator("#explain-chain tbody tr")
    pairs = rows.evaluate_all("rows => rows.map(r => [r.dataset.connector, r.dataset.skip])")
    return [tuple(pair) for pair in pairs]


def test_where_would_this_number_go(signed_in_page, live_server, seeded_windows):
    page = signed_in_page
    _platform_connectors()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/routes/")
    expect(page.locator("#route-JO .route-chip").first).to_contain_text("JoSMS")
    expect(page.locator("#route-TR")).to_contain_text("Ret için İPTAL")

    page.fill("#id_to", "+962 79 123 4567")
    page.select_option("#id_kind", "transactional")
    page.evaluate("window.samePage = true")
    page.get_by_role("button", name="Show the route").click()
    expect(page.locator("#explain-head")).to_contain_text("+962791234567 · Jordan")
    assert _chain(page)[:3] == [("JoSMS", ""), ("FigenSoft", ""), ("Infobip", "")]
    expect(page.locator("#explain-chain tbody tr").first).to_contain_text("Carries it")
    expect(page.locator("[data-connector='İleti Merkezi']")).to_contain_text(
        "Does not carry this country"
    )

    page.fill("#id_to", "0532 123 45 67")
    page.select_option("#id_kind", "commercial")
    page.get_by_role("button", name="Show the route").click()
    expect(page.locator("#explain-head")).to_contain_text("+905321234567 · Turkey")
    chain = dict(_chain(page))
    assert (chain["İleti Merkezi"], chain["FigenSoft"]) == ("", "iys")
    expect(page.locator("[data-connector='Infobip']")).to_contain_text("No İYS check")
    expect(page.locator("#explain-result")).to_contain_text("Footer added")
    assert page.evaluate("window.samePage") is True  # answered in place by htmx
    assert errors == []

    page.screenshot(path=str(SCREENSHOT), full_page=True)
