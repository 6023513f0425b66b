"""Twilio stand-in: the Messages resource (form in, JSON out, HTTP Basic) and the Account."""

import re
from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse

from connectors.providers.twilio import (
    ACCOUNT_PATH,
    MAX_VALIDITY_SECONDS,
    MESSAGES_PATH,
    SIGNATURE_HEADER,
    twilio_signature,
)
from connectors.simulators.endpoint import authorization, basic_pair, provider_endpoint, route
from connectors.simulators.models import ReceivedSms, SimulatedProvider, SimulatorAccount
from connectors.simulators.receipts import PushedReceipt, simulator_receipts_push_soon
from connectors.simulators.selectors import simulator_account_authenticate, simulator_balance
from connectors.simulators.services import simulator_sms_receive
from connectors.simulators.setup import SimulatorSetup

SLUG = "twilio"
CONTENT_TYPE = "application/json"
E164_RE = re.compile(r"^\+[1-9]\d{7,14}$")

SETUP = SimulatorSetup(
    provider=SLUG,
    username="AC" + "5ca1ab1e" * 4,  # an account SID is AC and 32 hex digits
    sender_titles=("ACME", "ACMEINFO"),
    max_text_length=1600,
    redacted_as="/Accounts/***/Messages.json",
)


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
    validity = request.POST.get("ValidityPeriod", "")
    if validity and not (validity.isdigit() and 1 <= int(validity) <= MAX_VALIDITY_SECONDS):
        return _error(400, 21624, "Invalid validity period value")
    if len(body) > 1600:
        return _error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    if simulator_balance(account=account) < 1:
        return _error(400, 20005, "Account not active")
    callback = request.POST.get("StatusCallback", "")
    order_id = simulator_sms_receive(
        account=account,
        sender=sender or service,
        messages=[(to, body)],
        validity=validity,
        receipt_url=callback,
    )
    if order_id is None:
        return _error(400, 20005, "Account not active")
    if callback:
        simulator_receipts_push_soon(provider=provider)
    sid = _sid(order_id)
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


def _sid(order_id: int) -> str:
    return f"SM{order_id:032x}"


def receipt_push(received: ReceivedSms) -> PushedReceipt:
    """A status callback: form fields, signed with the account's auth token for the URL."""
    fields = {
        "AccountSid": received.account.username,
        "ApiVersion": "2010-04-01",
        "From": received.sender,
        "MessageSid": _sid(received.order_id),
        "MessageStatus": received.receipt_state,
        "SmsSid": _sid(received.order_id),
        "SmsStatus": received.receipt_state,
        "To": received.number,
    }
    if received.receipt_state == "undelivered":
        fields["ErrorCode"] = "30003"  # unreachable destination handset
    signature = twilio_signature(received.account.password, received.receipt_url, fields)
    return PushedReceipt(
        "application/x-www-form-urlencoded",
        urlencode(fields).encode(),
        {SIGNATURE_HEADER: signature},
    )


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


urlpatterns = [
    route(MESSAGES_PATH, messages, name="twilio-messages"),
    route(ACCOUNT_PATH, account, name="twilio-account"),
]
