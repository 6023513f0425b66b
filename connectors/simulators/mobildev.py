"""Mobildev stand-in: `POST /com.mobilus` takes MainmsgBody / MainReportRoot XML, answers text."""

import re
from xml.etree import ElementTree

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from connectors.providers.mobildev import SEND_PATH
from connectors.simulators.endpoint import provider_endpoint, route
from connectors.simulators.models import ReceivedSms, SimulatedProvider
from connectors.simulators.receipts import receipt_state_at
from connectors.simulators.selectors import simulator_account_authenticate, simulator_balance
from connectors.simulators.services import simulator_sms_receive
from connectors.simulators.setup import SimulatorSetup

SLUG = "mobildev"
CONTENT_TYPE = "text/plain; charset=utf-8"
NUMBER_RE = re.compile(r"^0?(5\d{9})$")
COMPANY_CODE = "mb1000"
# The report's status per number (the assumed format: docs/providers.md).
REPORT_STATUSES = {"pending": "0", "delivered": "1", "undelivered": "2"}

# Mobildev signs in as <user>-<company code>; the connector keeps the code as an option.
SETUP = SimulatorSetup(
    provider=SLUG,
    username="acme",
    sender_titles=("ACME", "ACMEINFO"),
    options={"company_code": COMPANY_CODE},
    account_username=f"acme-{COMPANY_CODE}",
    max_text_length=1000,
    redacted_as="<PassWord>***</PassWord>",
)


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
    if root.tag == "MainReportRoot" and action == "3":
        message_id = (root.findtext("MsgID") or "").strip()
        if not message_id.isdigit():
            return _answer("07")
        received = ReceivedSms.objects.filter(account=account, order_id=int(message_id))
        now = timezone.now()
        lines = [f"{r.number} {REPORT_STATUSES[receipt_state_at(r, now)]}" for r in received]
        return _answer("\n".join(lines) or "07")
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


urlpatterns = [route(SEND_PATH, mobilus, name="mobildev-mobilus")]
