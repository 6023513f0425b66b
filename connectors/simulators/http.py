"""A typical small SMS API for the generic HTTP connector: form, JSON or XML in, the same out."""

import json
from xml.etree import ElementTree

from django.http import HttpRequest, HttpResponse, JsonResponse

from connectors.simulators.endpoint import authorization, basic_pair, provider_endpoint
from connectors.simulators.models import SimulatedProvider, SimulatorAccount
from connectors.simulators.selectors import (
    simulator_account_authenticate,
    simulator_account_by_secret,
    simulator_balance,
)
from connectors.simulators.services import simulator_sms_receive

SLUG = "http"


def _fields(request: HttpRequest) -> dict[str, str] | None:
    """The request's fields whatever the content type, or None when the body cannot be read."""
    content_type = request.content_type
    try:
        if content_type == "application/json":
            data = json.loads(request.body)
            return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else None
        if content_type in ("application/xml", "text/xml"):
            # Expat 2.4+ refuses entity bombs; ElementTree never loads external entities.
            root = ElementTree.fromstring(request.body)  # noqa: S314
            return {child.tag: child.text or "" for child in root}
    except (ValueError, ElementTree.ParseError):
        return None
    return {**request.GET.dict(), **request.POST.dict()}


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
    """Fields to, text, from; credentials as Basic, Bearer <password>, or fields user and pass."""
    kind = request.content_type
    fields = _fields(request)
    if fields is None:
        return _answer(kind, 400, False, "The body could not be read.")
    account = _account(request, provider, fields)
    if account is None:
        return _answer(kind, 401, False, "Bad credentials.")
    to, text, sender = fields.get("to", ""), fields.get("text", ""), fields.get("from", "")
    if not to.lstrip("+").isdigit() or not text:
        return _answer(kind, 400, False, "Fields 'to' (digits) and 'text' are required.")
    if sender not in account.sender_titles:
        return _answer(kind, 400, False, f"Sender '{sender}' is not approved.")
    if simulator_balance(account=account) < 1:
        return _answer(kind, 402, False, "No credit left.")
    order_id = simulator_sms_receive(
        account=account, sender=sender, messages=[(to, text)], client_id=fields.get("ref", "")
    )
    if order_id is None:
        return _answer(kind, 402, False, "No credit left.")
    return _answer(kind, 200, True, str(order_id))
