"""Mobildev stand-in: `POST /com.mobilus` takes MainmsgBody / MainReportRoot XML, answers text."""

import re
from xml.etree import ElementTree

from django.http import HttpRequest, HttpResponse

from connectors.simulators.endpoint import provider_endpoint
from connectors.simulators.models import SimulatedProvider
from connectors.simulators.selectors import simulator_account_authenticate, simulator_balance
from connectors.simulators.services import simulator_sms_receive

SLUG = "mobildev"
CONTENT_TYPE = "text/plain; charset=utf-8"
NUMBER_RE = re.compile(r"^0?(5\d{9})$")


def _answer(text: str) -> HttpResponse:
    return HttpResponse(text, content_type=CONTENT_TYPE)


@provider_endpoint(SLUG, content_type=CONTENT_TYPE, methods=("POST",))
def mobilus(request: HttpRequest, provider: SimulatedProvider) -> HttpResponse:
    """Send (MainmsgBody, Action 0) or user info (MainReportRoot, Action 4), codes as documented."""
    if not request.body.strip():
        return _answer("04")
    try:
        # Expat (2.4+) refuses entity-expansion bombs and ElementTree never loads external entities.
        root = ElementTree.fromstring(request.body)  # noqa: S314
    except ElementTree.ParseError:
        return _answer("05")
    user, _, company = (root.findtext("UserName") or "").rpartition("-")
    account = simulator_account_authenticate(
        provider=provider,
        username=f"{user}-{company}" if user else "",
        password=root.findtext("PassWord") or "",
    )
    if account is None:
        return _answer("01")
    action = (root.findtext("Action") or "").strip()
    if root.tag == "MainReportRoot" and action == "4":
        # The credit, then one approved originator per line.
        lines = [str(simulator_balance(account=account)), *account.sender_titles]
        return _answer("\n".join(lines))
    if root.tag != "MainmsgBody" or action != "0":
        return _answer("03")
    text = root.findtext("Mesgbody")
    numbers = [n.strip() for n in (root.findtext("Numbers") or "").split(",") if n.strip()]
    if text is None or not numbers:
        return _answer("05")
    if not text or not all(NUMBER_RE.match(n) for n in numbers):
        return _answer("10")
    originator = (root.findtext("Originator") or "").strip()
    if originator not in account.sender_titles:
        return _answer("06")
    if simulator_balance(account=account) < len(numbers):
        return _answer("02")
    normalised = [("90" + NUMBER_RE.match(n).group(1), text) for n in numbers]
    order_id = simulator_sms_receive(account=account, sender=originator, messages=normalised)
    return _answer("02" if order_id is None else f"ID:{order_id}")
