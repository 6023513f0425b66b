"""İleti Merkezi stand-in: GET /v1/send-sms/get/ (XML answers) and POST /v1/get-balance/json."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import re_path
from django.utils import timezone

from connectors.providers.iletimerkezi import BALANCE_PATH, REPORT_PATH, SEND_PATH
from connectors.simulators.endpoint import provider_endpoint, route
from connectors.simulators.models import ReceivedSms, SimulatedProvider
from connectors.simulators.receipts import (
    PushedReceipt,
    receipt_state_at,
    simulator_receipts_push_soon,
)
from connectors.simulators.selectors import (
    simulator_account_authenticate,
    simulator_balance,
    simulator_order_repeated,
)
from connectors.simulators.services import simulator_sms_receive
from connectors.simulators.setup import SimulatorSetup

SLUG = "iletimerkezi"
XML = "text/xml; charset=UTF-8"
JSON = "application/json"
NUMBER_RE = re.compile(r"^(?:\+?90|0)?(5\d{9})$")
REPEAT_WINDOW = timedelta(minutes=10)
PRICE_PER_SMS = Decimal("0.05")  # what the balance `amount` (TL) is derived from

SETUP = SimulatorSetup(
    provider=SLUG,
    username="demo-iletimerkezi-key",
    sender_titles=("ACME", "ACME INFO"),
    options={"iys_list": "BIREYSEL"},
    max_text_length=1071,
    text="Siparişiniz yola çıktı",
    redacted_as="key=***&hash=***",
    receipt_webhook=True,
)

# The vendor's status messages, by code (the English wording of the documentation).
MESSAGES = {
    200: "Operation Successful",
    400: "The request could not be parsed",
    401: "Membership information is incorrect",
    402: "Insufficient balance",
    404: "The API does not have the requested method",
    450: "The sent title is not suitable for use",
    451: "Repeated order",
    452: "Message recipients are incorrect",
    453: "Order size exceeded",
    454: "Message text is empty",
    455: "Order not found",
    468: "The iys field must be sent",
    469: "iysList must be BIREYSEL or TACIR",
}


def _xml(code: int, order_id: int | None = None) -> HttpResponse:
    order = f"<order><id>{order_id}</id></order>" if order_id is not None else ""
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<response><status><code>{code}</code>'
        f"<message>{escape(MESSAGES[code])}</message></status>{order}</response>"
    )
    return HttpResponse(body, status=code, content_type=XML)


def _json(code: int, **payload) -> JsonResponse:
    return JsonResponse(
        {"response": {"status": {"code": code, "message": MESSAGES[code]}, **payload}}, status=code
    )


@provider_endpoint(SLUG, content_type=XML, methods=("GET",))
def send_get(request: HttpRequest, provider: SimulatedProvider) -> HttpResponse:
    """The GET send API: key, hash, text, receipents, sender, iys, iysList."""
    params = request.GET
    account = simulator_account_authenticate(
        provider=provider, username=params.get("key", ""), password=params.get("hash", "")
    )
    if account is None:
        return _xml(401)
    if params.get("iys") not in ("0", "1"):
        return _xml(468)
    if params["iys"] == "1" and params.get("iysList") not in ("BIREYSEL", "TACIR"):
        return _xml(469)
    sender = params.get("sender", "")
    if sender not in account.sender_titles:  # exact: case and spaces matter
        return _xml(450)
    text = params.get("text", "")
    if not text.strip():
        return _xml(454)
    raw_numbers = [n.strip() for n in params.get("receipents", "").split(",") if n.strip()]
    matches = [NUMBER_RE.match(n) for n in raw_numbers]
    if not matches or not all(matches):
        return _xml(452)
    numbers = ["90" + m.group(1) for m in matches]
    if len(text) > account.max_text_length:
        return _xml(453)
    if simulator_order_repeated(account=account, text=text, numbers=numbers, window=REPEAT_WINDOW):
        return _xml(451)
    if simulator_balance(account=account) < len(numbers):
        return _xml(402)
    order_id = simulator_sms_receive(
        account=account, sender=sender, messages=[(n, text) for n in numbers]
    )
    if order_id is None:
        return _xml(402)
    if account.receipt_url:
        simulator_receipts_push_soon(provider=provider)
    return _xml(200, order_id)


@provider_endpoint(SLUG, content_type=JSON, methods=("POST",))
def balance(request: HttpRequest, provider: SimulatedProvider) -> JsonResponse:
    """The JSON balance API: `{"request": {"authentication": {"key", "hash"}}}`."""
    try:
        authentication = json.loads(request.body)["request"]["authentication"]
        key, secret = str(authentication["key"]), str(authentication["hash"])
    except (ValueError, KeyError, TypeError):
        return _json(400)
    account = simulator_account_authenticate(provider=provider, username=key, password=secret)
    if account is None:
        return _json(401)
    credits = simulator_balance(account=account)
    return _json(200, balance={"amount": f"{credits * PRICE_PER_SMS:.2f}", "sms": str(credits)})


# Message statuses of get-report: sending, delivered, undelivered; the order's by its messages.
REPORT_CODES = {"pending": 110, "delivered": 111, "undelivered": 112}


@provider_endpoint(SLUG, content_type=JSON, methods=("POST",))
def report(request: HttpRequest, provider: SimulatedProvider) -> JsonResponse:
    """get-report: `{"request": {"authentication", "order": {"id", "page", "rowCount"}}}`."""
    try:
        body = json.loads(request.body)["request"]
        key, secret = str(body["authentication"]["key"]), str(body["authentication"]["hash"])
        order = body["order"]
        order_id = int(order["id"])
        page, rows = int(order.get("page") or 1), min(int(order.get("rowCount") or 1000), 1000)
    except (ValueError, KeyError, TypeError):
        return _json(400)
    account = simulator_account_authenticate(provider=provider, username=key, password=secret)
    if account is None:
        return _json(401)
    received = list(ReceivedSms.objects.filter(account=account, order_id=order_id).order_by("id"))
    if not received:
        return _json(455)
    now = timezone.now()
    codes = [REPORT_CODES[receipt_state_at(r, now)] for r in received]
    status = 113 if 110 in codes else 114 if 111 in codes else 115
    shown = received[(page - 1) * rows : page * rows]
    messages = [
        {"number": r.number, "status": REPORT_CODES[receipt_state_at(r, now)]} for r in shown
    ]
    return _json(200, order={"id": order_id, "status": status, "message": messages})


def receipt_push(received: ReceivedSms) -> PushedReceipt:
    """The webhook İleti Merkezi posts per message."""
    report = {
        "id": received.pk,
        "packet_id": received.order_id,
        "status": received.receipt_state,
        "to": "+" + received.number,
        "body": received.text,
    }
    return PushedReceipt("application/json", json.dumps({"report": report}).encode())


@provider_endpoint(SLUG, content_type=XML, methods=("GET", "POST"))
def unknown_method(
    request: HttpRequest, provider: SimulatedProvider, path: str = ""
) -> HttpResponse:
    """Any other /v1/ path: 404, as the API answers for a method it does not have."""
    return _xml(404)


urlpatterns = [
    route(SEND_PATH, send_get, name="iletimerkezi-send-get"),
    route(BALANCE_PATH, balance, name="iletimerkezi-balance"),
    route(REPORT_PATH, report, name="iletimerkezi-report"),
    re_path(r"^v1/(?P<path>.*)$", unknown_method, name="iletimerkezi-404"),
]
