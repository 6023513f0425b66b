"""Jet SMS stand-in: `POST /SMS-Web8/xmlsms` takes message-context XML, answers `<code> <text>`."""

import re
from xml.etree import ElementTree

from django.http import HttpRequest, HttpResponse

from connectors.simulators.endpoint import provider_endpoint
from connectors.simulators.models import SimulatedProvider
from connectors.simulators.selectors import simulator_account_authenticate, simulator_balance
from connectors.simulators.services import simulator_sms_receive

SLUG = "jetsms"
CONTENT_TYPE = "text/plain; charset=utf-8"
NUMBER_RE = re.compile(r"^(?:90)?(5\d{9})$")

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
    if not messages or not all(NUMBER_RE.match(number) for number, _ in messages):
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
    if simulator_balance(account=account) < len(messages):
        return _answer("no_limit")
    normalised = [("90" + NUMBER_RE.match(number).group(1), text) for number, text in messages]
    order_id = simulator_sms_receive(account=account, sender=title, messages=normalised)
    return _answer("no_limit" if order_id is None else f"00 {order_id}")


def _latin5(text: str) -> bool:
    """Whether Jet SMS can carry the text: its character set is ISO-8859-9."""
    try:
        text.encode("iso-8859-9")
    except UnicodeEncodeError:
        return False
    return True
