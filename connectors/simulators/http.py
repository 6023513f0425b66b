"""A typical small SMS API for the generic HTTP connector: form, JSON or XML in, the same out."""

import json
from xml.etree import ElementTree

from django.http import HttpRequest, HttpResponse, JsonResponse

from connectors.simulators.endpoint import authorization, basic_pair, provider_endpoint, route
from connectors.simulators.models import ReceivedSms, SimulatedProvider, SimulatorAccount
from connectors.simulators.receipts import PushedReceipt, simulator_receipts_push_soon
from connectors.simulators.selectors import (
    simulator_account_authenticate,
    simulator_account_by_secret,
    simulator_balance,
)
from connectors.simulators.services import simulator_sms_receive
from connectors.simulators.setup import SimulatorSetup

SLUG = "http"
SEND_PATH = "/send"  # the generic connector is given this whole URL as its base URL

# Where this simulator's pushed receipts hold the id and the state (it posts JSON to the
# account's webhook URL), as an operator would describe them on a generic connector.
RECEIPT_RULES = {
    "receipt_id_field": "message_id",
    "receipt_state_field": "status",
    "receipt_number_field": "to",
    "receipt_delivered_values": "DELIVERED",
    "receipt_undelivered_values": "UNDELIVERED",
}
# Answer rules for this simulator, as an operator would enter them on a generic connector.
FORM_RULES = {
    "method": "POST",
    "content_type": "form",
    "body_template": (
        "to={{to_no_plus}}&text={{text}}&from={{sender}}&ref={{id}}"
        "&user={{username}}&pass={{password}}"
    ),
    "auth": "fields",
    "success_pattern": "^OK",
    "id_pattern": r"^OK (\d+)",
    **RECEIPT_RULES,
}
JSON_RULES = {
    "method": "POST",
    "content_type": "json",
    "body_template": '{"to": "{{to}}", "text": "{{text}}", "from": "{{sender}}", "ref": "{{id}}"}',
    "auth": "basic",
    "success_pattern": r'"status":\s*"OK"',
    "id_json_path": "message_id",
    **RECEIPT_RULES,
}

SETUP = SimulatorSetup(
    provider=SLUG,
    username="demo-generic",
    sender_titles=("ACME", "ACMEINFO"),
    options=JSON_RULES,
    max_text_length=918,
    path=SEND_PATH,
    redacted_as="'Authorization': '***'",
    receipt_webhook=True,
)


def _fields(request: HttpRequest) -> dict[str, str] | None:
    """The request's fields whatever the content type, or None when the body cannot be read.

    A list (a JSON array, repeated XML elements or form fields) reads as its items joined by
    commas, as a comma list of numbers is written.
    """
    content_type = request.content_type
    try:
        if content_type == "application/json":
            data = json.loads(request.body)
            return {k: _joined(v) for k, v in data.items()} if isinstance(data, dict) else None
        if content_type in ("application/xml", "text/xml"):
            # Expat 2.4+ refuses entity bombs; ElementTree never loads external entities.
            root = ElementTree.fromstring(request.body)  # noqa: S314
            tags = {child.tag for child in root}
            return {tag: _joined([c.text or "" for c in root.findall(tag)]) for tag in tags}
    except (ValueError, ElementTree.ParseError):
        return None
    fields = {**dict(request.GET.lists()), **dict(request.POST.lists())}
    return {name: _joined(values) for name, values in fields.items()}


def _joined(value: object) -> str:
    return ",".join(str(item) for item in value) if isinstance(value, list) else str(value)


def _answer(kind: str, status: int, ok: bool, detail: str) -> HttpResponse:
    """OK <id> / ERROR <text> as text, {"status": ...} as JSON or <result> as XML, as asked."""
    word = "OK" if ok else "ERROR"
    if kind == "application/json":
        key = "message_id" if ok else "error"
        return JsonResponse({"status": word, key: detail}, status=status)
    if kind in ("application/xml", "text/xml"):
        root = ElementTree.Element("result")
        ElementTree.SubElement(root, "status").text = word
        ElementTree.SubElement(root, "id" if ok else "error").text = detail
        return HttpResponse(
            ElementTree.tostring(root), status=status, content_type="application/xml"
        )
    return HttpResponse(f"{word} {detail}", status=status, content_type="text/plain; charset=utf-8")


def _account(
    request: HttpRequest, provider: SimulatedProvider, fields: dict[str, str]
) -> SimulatorAccount | None:
    """The account of Basic credentials, a Bearer password, or the fields user and pass."""
    scheme, credentials = authorization(request)
    if scheme == "Basic":
        pair = basic_pair(credentials)
        if pair is None:
            return None
        return simulator_account_authenticate(provider=provider, username=pair[0], password=pair[1])
    if scheme == "Bearer":
        return simulator_account_by_secret(provider=provider, secret=credentials)
    return simulator_account_authenticate(
        provider=provider, username=fields.get("user", ""), password=fields.get("pass", "")
    )


@provider_endpoint(SLUG, content_type="text/plain; charset=utf-8", methods=("GET", "POST"))
def send(request: HttpRequest, provider: SimulatedProvider) -> HttpResponse:
    """Fields to (one number or a comma list), text, from; credentials as Basic, Bearer
    <password>, or fields user and pass. One answer for the request, whatever the count."""
    kind = request.content_type
    fields = _fields(request)
    if fields is None:
        return _answer(kind, 400, False, "The body could not be read.")
    account = _account(request, provider, fields)
    if account is None:
        return _answer(kind, 401, False, "Bad credentials.")
    text, sender = fields.get("text", ""), fields.get("from", "")
    numbers = [number.strip() for number in fields.get("to", "").split(",") if number.strip()]
    if not numbers or not all(n.lstrip("+").isdigit() for n in numbers) or not text:
        return _answer(kind, 400, False, "Fields 'to' (digits) and 'text' are required.")
    if sender not in account.sender_titles:
        return _answer(kind, 400, False, f"Sender '{sender}' is not approved.")
    if simulator_balance(account=account) < len(numbers):
        return _answer(kind, 402, False, "No credit left.")
    order_id = simulator_sms_receive(
        account=account,
        sender=sender,
        messages=[(number, text) for number in numbers],
        client_id=fields.get("ref", "") if len(numbers) == 1 else "",
    )
    if order_id is None:
        return _answer(kind, 402, False, "No credit left.")
    if account.receipt_url:
        simulator_receipts_push_soon(provider=provider)
    return _answer(kind, 200, True, str(order_id))


def receipt_push(received: ReceivedSms) -> PushedReceipt:
    """A JSON receipt to the account's webhook: the message id and DELIVERED or UNDELIVERED."""
    body = {
        "message_id": str(received.order_id),
        "ref": received.client_id,
        "to": received.number,
        "status": received.receipt_state.upper(),
    }
    return PushedReceipt("application/json", json.dumps(body).encode())


urlpatterns = [route(SEND_PATH, send, name="http-send")]
