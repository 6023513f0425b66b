"""JoSMS stand-in: token, SingleSMS3 and SingleSMS_General3 sends (XML-wrapped answers), bulk send,
balance (plain text)."""

import re
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse

from connectors.providers.josms import (
    BALANCE_PATH,
    BULK_PATH,
    GENERAL_PATH,
    OTP_PATH,
    TOKEN_PATH,
)
from connectors.simulators.endpoint import authorization, provider_endpoint, route
from connectors.simulators.models import SimulatedProvider, SimulatorAccount
from connectors.simulators.selectors import (
    simulator_account_authenticate,
    simulator_account_by_token,
    simulator_balance,
    simulator_client_id_seen,
)
from connectors.simulators.services import simulator_sms_receive, simulator_token_issue
from connectors.simulators.setup import SimulatorSetup

SLUG = "josms"
TEXT = "text/html; charset=UTF-8"  # what ColdFusion pages answer with
XML = "text/xml; charset=utf-8"  # what ASP.NET web services answer with
NUMBER_RE = re.compile(r"^9627[789]\d{7}$")
BULK_LIMIT = 120
# JoSMS documents the token call under two names; the adapter uses TOKEN_PATH.
OLD_TOKEN_PATH = "/sms/api/GetToken.cfm"

SETUP = SimulatorSetup(
    provider=SLUG,
    username="demo-josms",
    sender_titles=("ACME", "ACME JO"),
    max_text_length=800,
    to="+962791234567",
    text="Your code is 1234",
    redacted_as="'Authorization': '***'",
)

ANSWERS = {
    "credentials": "Invalid user name or password",
    "sender": "Invalid Sender ID",
    "number": "Invalid Mobile Number",
    "numbers": "Invalid Number",
    "error": "Error exists please try again",
    "connection": "Connection Failed, please try again",
}


def _params(request: HttpRequest) -> dict[str, str]:
    """Query and form fields by lower-case name: JoSMS ignores the case of parameter names."""
    return {key.lower(): value for key, value in [*request.GET.items(), *request.POST.items()]}


def _numbers(value: str) -> list[str]:
    # The vendor's own examples end the list with a comma.
    return [number.strip() for number in value.split(",") if number.strip()]


def _asmx(text: str) -> HttpResponse:
    body = f'<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="http://tempuri.org/">{escape(text)}</string>'
    return HttpResponse(body, content_type=XML)


def _text(text: str) -> HttpResponse:
    return HttpResponse(text, content_type=TEXT)


def _login(provider: SimulatedProvider, params: dict[str, str]) -> SimulatorAccount | None:
    """The account of the accname and accpass fields."""
    return simulator_account_authenticate(
        provider=provider, username=params.get("accname", ""), password=params.get("accpass", "")
    )


@provider_endpoint(SLUG, content_type=TEXT, methods=("GET", "POST"))
def generate_token(request: HttpRequest, provider: SimulatedProvider) -> HttpResponse:
    """GenerateToken.cfm / GetToken.cfm: a few lines, one of them `Bearer <token>`."""
    account = _login(provider, _params(request))
    if account is None:
        return _text(ANSWERS["credentials"])
    token = simulator_token_issue(account=account)
    return _text(f"Token generated successfully\r\nBearer {token}\r\n")


@provider_endpoint(SLUG, content_type=XML, methods=("GET", "POST"))
def single_send(request: HttpRequest, provider: SimulatedProvider) -> HttpResponse:
    """SingleSMS3 (OTP) or SingleSMS_General3 SendSMS: one number, a bearer token, an optional
    client `id` against repeats. Both gateways answer alike; the log shows which was called."""
    params = _params(request)
    scheme, token = authorization(request)
    account = (
        simulator_account_by_token(provider=provider, token=token) if scheme == "Bearer" else None
    )
    if account is None:
        return _asmx(ANSWERS["credentials"])
    if params.get("senderid", "") not in account.sender_titles:
        return _asmx(ANSWERS["sender"])
    numbers = _numbers(params.get("numbers", ""))
    if len(numbers) != 1 or not NUMBER_RE.match(numbers[0]):
        return _asmx(ANSWERS["number"])
    client_id = params.get("id", "").strip()
    if simulator_client_id_seen(account=account, client_id=client_id):
        return _asmx(f"Message Ignored, Duplicate ID {client_id}")
    text = params.get("msg", "")
    if not text.strip() or len(text) > account.max_text_length:
        return _asmx(ANSWERS["error"])
    order_id = simulator_sms_receive(
        account=account,
        sender=params["senderid"],
        messages=[(numbers[0], text)],
        client_id=client_id,
    )
    return _asmx(ANSWERS["error"] if order_id is None else f"MsgID = {order_id}")


@provider_endpoint(SLUG, content_type=TEXT, methods=("GET", "POST"))
def bulk_send(request: HttpRequest, provider: SimulatedProvider) -> HttpResponse:
    """SendBulkMessages.cfm: one text to up to 120 numbers; invalid numbers are left out."""
    params = _params(request)
    account = _login(provider, params)
    if account is None:
        return _text(ANSWERS["credentials"])
    if params.get("senderid", "") not in account.sender_titles:
        return _text(ANSWERS["sender"])
    numbers = [number for number in _numbers(params.get("numbers", "")) if NUMBER_RE.match(number)]
    if not numbers:
        return _text(ANSWERS["numbers"])
    text = params.get("msg", "")
    if len(numbers) > BULK_LIMIT or not text.strip() or len(text) > account.max_text_length:
        return _text(ANSWERS["error"])
    if simulator_balance(account=account) < len(numbers):
        return _text(ANSWERS["error"])
    order_id = simulator_sms_receive(
        account=account, sender=params["senderid"], messages=[(number, text) for number in numbers]
    )
    return _text(ANSWERS["error"] if order_id is None else f"MsgID = {order_id}")


@provider_endpoint(SLUG, content_type=TEXT, methods=("GET",))
def balance(request: HttpRequest, provider: SimulatedProvider) -> HttpResponse:
    """GetBalance.cfm: the balance as a number in double quotes."""
    account = _login(provider, _params(request))
    if account is None:
        return _text(ANSWERS["credentials"])
    return _text(f'"{simulator_balance(account=account)}"')


urlpatterns = [
    route(TOKEN_PATH, generate_token, name="josms-generate-token"),
    route(OLD_TOKEN_PATH, generate_token, name="josms-get-token"),
    route(OTP_PATH, single_send, name="josms-single-send"),
    route(GENERAL_PATH, single_send, name="josms-single-send-general"),
    route(BULK_PATH, bulk_send, name="josms-bulk-send"),
    route(BALANCE_PATH, balance, name="josms-balance"),
]
