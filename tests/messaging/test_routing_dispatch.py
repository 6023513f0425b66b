"""Routing by destination and the rules of Turkish and Jordanian SMS, through the real dispatcher
and the provider simulators over HTTP: destinations, routes, İYS, quiet hours, opt-outs, JoSMS
endpoints, footers and cost."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from connectors.models import Route, RouteStep
from connectors.providers.types import Category, Outcome
from connectors.services import connector_update
from connectors.simulators.models import ReceivedSms
from core.models import AuditEntry
from messaging.models import OPTED_OUT, Message, MessageStatus
from messaging.routing.models import CountryFooter
from messaging.services import message_create, message_dispatch, optout_create
from tests.connectors.providers.harness import SETUPS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded_windows")]

AMMAN = ZoneInfo("Asia/Amman")
JORDANIAN, TURKISH = "+962791234567", "+905321234567"


def connect(slug: str, live_server, **fields):
    """A working connector to a provider's simulator (FigenSoft rides on the generic one)."""
    setup = SETUPS[slug]
    setup.account()
    return setup.connector(live_server.url, name=fields.pop("name", slug), **fields)


def send(**fields) -> Message:
    message = message_create(to=fields.pop("to", TURKISH), text=fields.pop("text", "Hi"), **fields)
    message.refresh_from_db()
    return message


def outcomes(message: Message) -> list[tuple[str, str, str]]:
    return [(a.connector_name, a.outcome, a.category) for a in message.attempts.order_by("id")]


def received_by(slug: str) -> int:
    return ReceivedSms.objects.filter(account__provider__slug=slug).count()


@pytest.fixture
def amman_clock(compliance_clock):
    """set(hour, minute) → the window rules read that time in Amman (14 January 2026)."""

    def set_time(hour: int, minute: int = 0) -> datetime:
        return compliance_clock(datetime(2026, 1, 14, hour, minute, tzinfo=AMMAN))

    return set_time


# -- destinations and routes ----------------------------------------------------------------------


def test_jordanian_number_goes_to_josms_while_figensoft_and_infobip_are_ahead(live_server):
    connect("figensoft", live_server, name="FigenSoft", priority=30, destinations=["90"])
    connect("infobip", live_server, name="Infobip", priority=40, destinations=["90"])
    connect("josms", live_server, name="JoSMS", priority=80, destinations=["962"])

    jordanian = send(to=JORDANIAN, sender="ACME")
    turkish = send(to=TURKISH, sender="ACME")

    assert outcomes(jordanian) == [("JoSMS", Outcome.ACCEPTED, "")]
    assert outcomes(turkish) == [("FigenSoft", Outcome.ACCEPTED, "")]
    assert (received_by("josms"), received_by("infobip"), received_by("http")) == (1, 0, 1)


def test_a_country_route_puts_josms_first_and_the_others_follow_by_priority(live_server):
    figensoft = connect("figensoft", live_server, name="FigenSoft", priority=30)
    connect("infobip", live_server, name="Infobip", priority=40)
    josms = connect("josms", live_server, name="JoSMS", priority=80, destinations=["962"])
    route = Route.objects.create(country="JO", others_after=True)
    RouteStep.objects.create(route=route, connector=josms, position=0)

    assert outcomes(send(to=JORDANIAN, sender="ACME")) == [("JoSMS", Outcome.ACCEPTED, "")]
    assert outcomes(send(to=TURKISH, sender="ACME")) == [("FigenSoft", Outcome.ACCEPTED, "")]

    josms.password = "wrong"
    josms.save()
    failed_over = send(to=JORDANIAN, sender="ACME")
    assert outcomes(failed_over) == [
        ("JoSMS", Outcome.FAILED, Category.CREDENTIALS),
        ("FigenSoft", Outcome.ACCEPTED, ""),
    ]
    assert failed_over.connector == figensoft


def test_no_connector_carrying_the_country_fails_the_message_saying_so(live_server):
    connect("jetsms", live_server, name="Jet SMS", destinations=["90"])

    message = send(to=JORDANIAN, sender="ACME")

    assert message.status == MessageStatus.FAILED
    assert message.attempts.count() == 0
    assert "carry numbers of Jordan (+962)" in message.error_detail


# -- İYS --------------------------------------------------------------------------------------


def test_commercial_turkish_message_never_goes_through_a_connector_without_iys(live_server):
    connect("infobip", live_server, name="Infobip", priority=10)
    connect("iletimerkezi", live_server, name="İleti Merkezi", priority=20,
            options={"iys_list": "TACIR"})  # fmt: skip

    commercial = send(kind="commercial", sender="ACME", text="İndirim başladı")

    assert outcomes(commercial) == [
        ("Infobip", Outcome.SKIPPED, Category.COMPLIANCE),
        ("İleti Merkezi", Outcome.ACCEPTED, ""),
    ]
    skipped = commercial.attempts.order_by("id").first()
    assert "does not check İYS consent" in skipped.detail
    assert skipped.exchanges == []
    assert received_by("infobip") == 0
    sent = commercial.attempts.order_by("id").last()
    assert "iys=1&iysList=TACIR" in sent.exchanges[0]["url"]  # the connector's default list


def test_commercial_turkish_message_fails_when_no_connector_checks_iys(live_server):
    connect("infobip", live_server, name="Infobip")

    message = send(kind="commercial", sender="ACME")

    assert message.status == MessageStatus.FAILED
    assert message.error_category == Category.COMPLIANCE
    assert outcomes(message) == [("Infobip", Outcome.SKIPPED, Category.COMPLIANCE)]
    assert received_by("infobip") == 0


def test_transactional_turkish_and_commercial_foreign_messages_need_no_iys(live_server):
    connect("infobip", live_server, name="Infobip")

    assert send(kind="transactional", sender="ACME").status == MessageStatus.SENT
    assert send(kind="commercial", to="+4915123456789", sender="ACME").status == MessageStatus.SENT


def test_vouching_for_iys_lets_the_connector_carry_commercial_turkish_and_is_audited(
    live_server,
):
    infobip = connect("infobip", live_server, name="Infobip")

    connector_update(connector=infobip, iys_checked_by_account=True)

    entry = AuditEntry.objects.filter(target_type="connectors.connector", action="update").get()
    assert entry.changes["iys_checked_by_account"] == [False, True]
    assert outcomes(send(kind="commercial", sender="ACME")) == [("Infobip", Outcome.ACCEPTED, "")]


def test_the_messages_iys_recipient_type_wins_over_the_connector_default(live_server):
    connect("iletimerkezi", live_server, name="İleti Merkezi", options={"iys_list": "TACIR"})

    message = send(kind="commercial", sender="ACME", iys_recipient_type="BIREYSEL")

    assert "iysList=BIREYSEL" in message.attempts.get().exchanges[0]["url"]


# -- quiet hours ------------------------------------------------------------------------------


def test_commercial_jordanian_message_at_22_amman_is_held_until_07(live_server, amman_clock):
    connect("josms", live_server, name="JoSMS")
    amman_clock(22)

    message = send(to=JORDANIAN, kind="commercial", sender="ACME")

    assert message.status == MessageStatus.QUEUED
    assert message.due_at == datetime(2026, 1, 15, 7, 0, tzinfo=AMMAN)
    assert message.hold_reason == "held until 07:00 (Jordan quiet hours)"
    assert message.attempts.count() == 0
    assert received_by("josms") == 0

    amman_clock(6, 59)
    assert message_dispatch(message_id=message.pk).status == MessageStatus.QUEUED
    amman_clock(7)
    assert message_dispatch(message_id=message.pk).status == MessageStatus.SENT
    assert received_by("josms") == 1


def test_transactional_jordanian_message_at_22_amman_is_sent(live_server, amman_clock):
    connect("josms", live_server, name="JoSMS")
    amman_clock(22)

    message = send(to=JORDANIAN, kind="transactional", sender="ACME")

    assert message.status == MessageStatus.SENT
    assert message.hold_reason == ""


def test_turkish_window_is_off_by_default_so_commercial_goes_at_night(live_server, amman_clock):
    connect("iletimerkezi", live_server, name="İleti Merkezi")
    amman_clock(23)

    assert send(kind="commercial", sender="ACME").status == MessageStatus.SENT


# -- opt-outs, JoSMS endpoints, footers, cost -------------------------------------------------


def test_an_opt_out_arriving_after_queueing_cancels_the_send(live_server):
    connect("iletimerkezi", live_server, name="İleti Merkezi")
    queued = message_create(to=TURKISH, text="Kampanya", kind="commercial", enqueue=False)
    optout_create(number=TURKISH, keyword="IPTAL")

    message = message_dispatch(message_id=queued.pk)

    assert message.status == MessageStatus.FAILED
    assert message.error_category == OPTED_OUT
    assert message.error_category_label == "Cancelled: opted out"
    assert message.attempts.count() == 0
    assert received_by("iletimerkezi") == 0


@pytest.mark.parametrize(
    ("kind", "gateway"),
    [("commercial", "/SingleSMS_General3/"), ("transactional", "/SingleSMS3/")],
)
def test_josms_sends_commercial_through_the_general_gateway_and_codes_through_otp(
    live_server, amman_clock, kind, gateway
):
    connect("josms", live_server, name="JoSMS")
    amman_clock(12)

    message = send(to=JORDANIAN, kind=kind, sender="ACME")

    assert message.status == MessageStatus.SENT
    assert gateway in message.attempts.get().exchanges[-1]["url"]


def test_commercial_text_gets_its_countrys_footer_counted_in_its_segments(live_server):
    connect("iletimerkezi", live_server, name="İleti Merkezi")
    footer = "Ret için İPTAL yazıp 4609'a gönderin"
    CountryFooter.objects.create(country="TR", text=footer)
    text = "x" * 140

    commercial = send(kind="commercial", sender="ACME", text=text)
    transactional = send(kind="transactional", sender="ACME", text=text)

    assert commercial.text == f"{text}\n{footer}"
    assert (commercial.segments, transactional.segments) == (2, 1)  # 140 + 37 > 155 septets
    assert transactional.text == text
    assert ReceivedSms.objects.filter(text=commercial.text).count() == 1


def test_each_accepted_attempt_stores_its_cost_by_country_price(live_server):
    connect("infobip", live_server, name="Infobip", price_per_segment=Decimal("0.0500"),
            country_prices={"JO": "0.0300"})  # fmt: skip

    jordanian = send(to=JORDANIAN, sender="ACME", text="y" * 200)  # two segments
    turkish = send(to=TURKISH, sender="ACME")

    assert jordanian.attempts.get().cost == Decimal("0.0600")
    assert turkish.attempts.get().cost == Decimal("0.0500")
