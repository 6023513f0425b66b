"""Jet SMS stand-in: `POST /SMS-Web8/xmlsms` takes message-context XML, answers `<code> <text>`."""

import re
from datetime import datetime
from xml.etree import ElementTree

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from connectors.providers.jetsms import DATE_FORMAT, REPORT_PATH, SEND_PATH, SOAP_NS
from connectors.simulators.endpoint import provider_endpoint, route
from connectors.simulators.models import ReceivedSms, SimulatedProvider
from connectors.simulators.receipts import receipt_state_at
from connectors.simulators.selectors import simulator_account_authenticate, simulator_balance
from connectors.simulators.services import simulator_sms_receive
from connectors.simulators.setup import SimulatorSetup
from core.text import digits_only

SLUG = "jetsms"
CONTENT_TYPE = "text/plain; charset=utf-8"
NUMBER_RE = re.compile(r"^(?:90)?(5\d{9})$")

SETUP = SimulatorSetup(
    provider=SLUG,
    username="demo-jetsms",
    sender_titles=("ACME", "ACMEINFO"),
    options={"max_length": 612},
    redacted_as="<password>***</password>",
)

# The answers of the Jet SMS code table the simulator can produce by itself (others: fixed answer).
ANSWERS = {
    "no_xml": "90 XML null",
    "wrong_user": "10 wrong user",
    "no_limit": "11 not enough limit",
    "wrong_title": "12 wrong title",
    "empty_title": "30 Mesaj Basligi Bos",
    "no_number": "31 Mesaj Gonderilecek Gsm Numarasi yok",
    "empty_text": "38 Mesaj metni bos",
    "bad_characters": "80 XML Error : Unexpected SMS characters",
}


def _answer(key_or_text: str) -> HttpResponse:
    return HttpResponse(ANSWERS.get(key_or_text, key_or_text), content_type=CONTENT_TYPE)


def _messages(root: ElementTree.Element) -> list[tuple[str, str]] | None:
    """(number, text) pairs of the request, or None when the type is not one Jet SMS knows."""
    kind = root.get("type")
    if kind == "smmgsd":
        # Some clients put text and gsmnos under the root, others wrap them in <message>.
        text = root.findtext("text") or root.findtext("message/text") or ""
        numbers = root.findtext("gsmnos") or root.findtext("message/gsmnos") or ""
        return [(number.strip(), text) for number in numbers.split(",") if number.strip()]
    if kind == "mmmgsd":
        return [
            ((m.findtext("gsmno") or "").strip(), m.findtext("text") or "")
            for m in root.findall("message")
        ]
    return None


@provider_endpoint(SLUG, content_type=CONTENT_TYPE, methods=("POST",))
def xmlsms(request: HttpRequest, provider: SimulatedProvider) -> HttpResponse:
    """The XML send API; an empty number list answers 31 after checking credentials and title."""
    if not request.body.strip():
        return _answer("no_xml")
    try:
        # Expat (2.4+) refuses entity-expansion bombs and ElementTree never loads external entities.
        root = ElementTree.fromstring(request.body)  # noqa: S314
    except ElementTree.ParseError as error:
        return _answer(f"90 XML Parser Hatasi : {error}")
    messages = _messages(root) if root.tag == "message-context" else None
    if messages is None:
        return _answer('90 XML Parser Hatasi : root must be <message-context type="smmgsd|mmmgsd">')
    account = simulator_account_authenticate(
        provider=provider,
        username=(root.findtext("username") or "").strip(),
        password=(root.findtext("password") or "").strip(),
    )
    if account is None:
        return _answer("wrong_user")
    title = (root.findtext("outbox-name") or "").strip()
    if not title:
        return _answer("empty_title")
    if title not in account.sender_titles:
        return _answer("wrong_title")
    # Numbers Jet SMS cannot read are left out of a list; 31 ("no GSM number to send to") only
    # when none is left (assumed from its wording: docs/providers.md).
    messages = [(number, text) for number, text in messages if NUMBER_RE.match(number)]
    if not messages:
        return _answer("no_number")
    texts = [text for _, text in messages]
    if not all(text.strip() for text in texts):
        return _answer("empty_text")
    if not all(_latin5(text) for text in texts):
        return _answer("bad_characters")
    if any(len(text) > (limit := account.max_text_length) for text in texts):
        return _answer(
            f"85 Mesaj {limit} den uzun. Max 612 olabilir.Musteri Hizmetlerini arayiniz."
        )
    expire_date = (root.findtext("expire-date") or "").strip()
    if expire_date and not _is_date(expire_date):
        # Assumed: Jet SMS documents no code of its own for a malformed date.
        return _answer(f"90 XML Parser Hatasi : expire-date {expire_date!r} is not ddMMyyyyHHmm")
    if simulator_balance(account=account) < len(messages):
        return _answer("no_limit")
    normalised = [("90" + NUMBER_RE.match(number).group(1), text) for number, text in messages]
    order_id = simulator_sms_receive(
        account=account, sender=title, messages=normalised, validity=expire_date
    )
    return _answer("no_limit" if order_id is None else f"00 {order_id}")


def _is_date(text: str) -> bool:
    """Whether a start-date or expire-date is written as Jet SMS reads them (ddMMyyyyHHmm)."""
    try:
        datetime.strptime(text, DATE_FORMAT)
    except ValueError:
        return False
    return len(text) == 12


SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
# ReportSMS Status per number: 1 delivered, 9 failed, 2 still waiting.
REPORT_STATUSES = {"delivered": "1", "undelivered": "9", "pending": "2"}


def _soap(body: ElementTree.Element, status: int = 200) -> HttpResponse:
    envelope = ElementTree.Element(f"{{{SOAP_ENV}}}Envelope")
    ElementTree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(body)
    text = '<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(
        envelope, encoding="unicode"
    )
    return HttpResponse(text, status=status, content_type="text/xml; charset=utf-8")


def _fault(text: str) -> HttpResponse:
    fault = ElementTree.Element(f"{{{SOAP_ENV}}}Fault")
    ElementTree.SubElement(fault, "faultcode").text = "soap:Client"
    ElementTree.SubElement(fault, "faultstring").text = text
    return _soap(fault, status=500)


@provider_endpoint(SLUG, content_type="text/xml; charset=utf-8", methods=("POST",))
def soap(request: HttpRequest, provider: SimulatedProvider) -> HttpResponse:
    """The SOAP web service's ReportSMS(user, password, groupid, status): a row per number."""
    try:
        root = ElementTree.fromstring(request.body)  # noqa: S314 (expat: no entity expansion)
    except ElementTree.ParseError:
        return _fault("The request is not XML.")
    call = root.find(f".//{{{SOAP_NS}}}ReportSMS")
    if call is None:
        return _fault("Only ReportSMS is simulated.")
    value = {child.tag.rpartition("}")[2]: (child.text or "").strip() for child in call}
    account = simulator_account_authenticate(
        provider=provider, username=value.get("user", ""), password=value.get("password", "")
    )
    answer = ElementTree.Element(f"{{{SOAP_NS}}}ReportSMSResponse")
    rows = ElementTree.SubElement(answer, f"{{{SOAP_NS}}}ReportSMSResult")
    group_id = value.get("groupid", "")
    if account is None or not digits_only(group_id):
        return _soap(answer)  # an empty report, as for an unknown group
    now = timezone.now()
    for received in ReceivedSms.objects.filter(account=account, order_id=int(group_id)):
        row = ElementTree.SubElement(rows, f"{{{SOAP_NS}}}ReportSMSResult")
        state = receipt_state_at(received, now)
        for name, text in (
            ("ID", str(received.order_id)),
            ("Phone", received.number),
            ("Status", REPORT_STATUSES[state]),
            ("SendDate", received.received_at.strftime("%d.%m.%Y %H:%M:%S")),
            ("DeliveredDate", now.strftime("%d.%m.%Y %H:%M:%S") if state == "delivered" else ""),
        ):
            ElementTree.SubElement(row, f"{{{SOAP_NS}}}{name}").text = text
    return _soap(answer)


def _latin5(text: str) -> bool:
    """Whether Jet SMS can carry the text: its character set is ISO-8859-9."""
    try:
        text.encode("iso-8859-9")
    except UnicodeEncodeError:
        return False
    return True


urlpatterns = [
    route(SEND_PATH, xmlsms, name="jetsms-xmlsms"),
    route(REPORT_PATH, soap, name="jetsms-soap"),
]
