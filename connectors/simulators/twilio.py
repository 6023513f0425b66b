"""Twilio stand-in: the Messages resource (form in, JSON out, HTTP Basic) and the Account."""

import re

from django.http import HttpRequest, JsonResponse

from connectors.simulators.endpoint import authorization, basic_pair, provider_endpoint
from connectors.simulators.models import SimulatedProvider, SimulatorAccount
from connectors.simulators.selectors import simulator_account_authenticate, simulator_balance
from connectors.simulators.services import simulator_sms_receive

SLUG = "twilio"
CONTENT_TYPE = "application/json"
E164_RE = re.compile(r"^\+[1-9]\d{7,14}$")


def _error(status: int, code: int, message: str) -> JsonResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JsonResponse(body, status=status)


def _account(
    request: HttpRequest, provider: SimulatedProvider, account_sid: str
) -> SimulatorAccount | None:
    """The account the Basic credentials open, only for its own Accounts/<sid> path."""
    scheme, credentials = authorization(request)
    pair = basic_pair(credentials) if scheme == "Basic" else None
    if pair is None or pair[0] != account_sid:
        return None
    return simulator_account_authenticate(provider=provider, username=pair[0], password=pair[1])


@provider_endpoint(SLUG, content_type=CONTENT_TYPE, methods=("POST",))
def messages(request: HttpRequest, provider: SimulatedProvider, account_sid: str) -> JsonResponse:
    """Create a message: 201 with the message resource, or 400/401 with a Twilio error."""
    account = _account(request, provider, account_sid)
    if account is None:
        return _error(401, 20003, "Authenticate")
    to, body = request.POST.get("To", ""), request.POST.get("Body", "")
    sender = request.POST.get("From", "")
    service = request.POST.get("MessagingServiceSid", "")
    if not E164_RE.match(to):
        return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if not service and not sender:
        return _error(
            400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message"
        )
    if not service and sender not in account.sender_titles:
        return _error(
            400,
            21606,
            f"The From phone number {sender} is not a valid, SMS-capable inbound "
            "phone number or short code for your account.",
        )
    if not body:
        return _error(400, 21602, "Message body is required.")
    if len(body) > 1600:
        return _error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    if simulator_balance(account=account) < 1:
        return _error(400, 20005, "Account not active")
    order_id = simulator_sms_receive(
        account=account, sender=sender or service, messages=[(to, body)]
    )
    if order_id is None:
        return _error(400, 20005, "Account not active")
    sid = f"SM{order_id:032x}"
    resource = {
        "sid": sid,
        "account_sid": account_sid,
        "to": to,
        "from": sender or None,
        "messaging_service_sid": service or None,
        "body": body,
        "status": "queued",
        "num_segments": "1",
        "error_code": None,
        "error_message": None,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }
    return JsonResponse(resource, status=201)


@provider_endpoint(SLUG, content_type=CONTENT_TYPE, methods=("GET",))
def account(request: HttpRequest, provider: SimulatedProvider, account_sid: str) -> JsonResponse:
    """Fetch the account resource."""
    found = _account(request, provider, account_sid)
    if found is None:
        return _error(401, 20003, "Authenticate")
    status = "active" if simulator_balance(account=found) > 0 else "suspended"
    return JsonResponse(
        {
            "sid": account_sid,
            "friendly_name": f"Simulated {found.username}",
            "status": status,
            "type": "Full",
        }
    )
