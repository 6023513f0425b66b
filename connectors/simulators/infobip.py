"""Infobip stand-in: `POST /sms/2/text/advanced` (JSON, App or Basic auth) and the balance call."""

import json
import re

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from connectors.providers.infobip import BALANCE_PATH, MAX_VALIDITY_MINUTES, REPORTS_PATH, SEND_PATH
from connectors.simulators.endpoint import authorization, basic_pair, provider_endpoint, route
from connectors.simulators.models import ReceivedSms, SimulatedProvider, SimulatorAccount
from connectors.simulators.receipts import (
    PushedReceipt,
    receipt_state_at,
    simulator_receipts_push_soon,
)
from connectors.simulators.selectors import (
    simulator_account_authenticate,
    simulator_account_by_secret,
    simulator_balance,
)
from connectors.simulators.services import simulator_receipts_handed_out, simulator_sms_receive
from connectors.simulators.setup import SimulatorSetup

SLUG = "infobip"
CONTENT_TYPE = "application/json"
NUMBER_RE = re.compile(r"^[1-9]\d{7,14}$")

SETUP = SimulatorSetup(
    provider=SLUG,
    username="demo-infobip",
    sender_titles=("ACME", "ACMEINFO"),
    options={"auth": "app"},
    max_text_length=1600,
    redacted_as="'Authorization': '***'",
)
PENDING = {
    "groupId": 1,
    "groupName": "PENDING",
    "id": 26,
    "name": "PENDING_ACCEPTED",
    "description": "Message accepted, pending for delivery",
}
# Status objects as Infobip's "Message status codes" page lists them (group 5 REJECTED).
REJECTED = {
    "sender": {
        "groupId": 5,
        "groupName": "REJECTED",
        "id": 11,
        "name": "REJECTED_SOURCE",
        "description": "Sender ID not registered on the account",
    },
    "destination": {
        "groupId": 5,
        "groupName": "REJECTED",
        "id": 52,
        "name": "REJECTED_DESTINATION",
        "description": "Invalid destination address",
    },
    "credit": {
        "groupId": 5,
        "groupName": "REJECTED",
        "id": 12,
        "name": "REJECTED_NOT_ENOUGH_CREDITS",
        "description": "Not enough credits",
    },
}


def _request_error(status: int, message_id: str, text: str) -> JsonResponse:
    body = {"requestError": {"serviceException": {"messageId": message_id, "text": text}}}
    return JsonResponse(body, status=status)


def _account(request: HttpRequest, provider: SimulatedProvider) -> SimulatorAccount | None:
    """The account of an `App <API key>` or Basic Authorization header."""
    scheme, credentials = authorization(request)
    if scheme == "App":
        return simulator_account_by_secret(provider=provider, secret=credentials)
    pair = basic_pair(credentials) if scheme == "Basic" else None
    if pair is None:
        return None
    return simulator_account_authenticate(provider=provider, username=pair[0], password=pair[1])


@provider_endpoint(SLUG, content_type=CONTENT_TYPE, methods=("POST",))
def send_advanced(request: HttpRequest, provider: SimulatedProvider) -> JsonResponse:
    """Send: every destination gets its own status; a rejected one is still a 200 answer."""
    account = _account(request, provider)
    if account is None:
        return _request_error(401, "UNAUTHORIZED", "Invalid login details")
    try:
        messages = json.loads(request.body)["messages"]
    except (ValueError, KeyError, TypeError):
        messages = None
    if not isinstance(messages, list) or not messages:
        return _request_error(
            400, "BAD_REQUEST", "Bad request: 'messages' must be a non-empty array"
        )
    results, notified = [], False
    for message in messages:
        sender, text = message.get("from", ""), message.get("text", "")
        notify_url = str(message.get("notifyUrl") or "")
        if not text:
            return _request_error(400, "BAD_REQUEST", "Bad request: 'text' is required")
        validity = message.get("validityPeriod")
        if validity is not None and (type(validity) is not int or validity < 1):
            return _request_error(
                400, "BAD_REQUEST", "Bad request: 'validityPeriod' must be a positive integer"
            )
        taken = []  # the destinations the sender and number checks let through
        for destination in message.get("destinations") or []:
            to = str(destination.get("to", ""))
            result = {"to": to, "messageId": destination.get("messageId") or f"ib-{to}"}
            results.append(result)
            if sender not in account.sender_titles:
                result["status"] = REJECTED["sender"]
            elif not NUMBER_RE.match(to):
                result["status"] = REJECTED["destination"]
            else:
                taken.append(result)
        # A credit each while the balance lasts, as Infobip charges per destination: in one write.
        paid = taken[: max(0, simulator_balance(account=account))]
        order_id = None
        if paid:
            order_id = simulator_sms_receive(
                account=account,
                sender=sender,
                messages=[(result["to"], text) for result in paid],
                client_ids=[result["messageId"] for result in paid],
                receipt_url=notify_url,
                # Infobip takes anything longer than 48 hours as 48 hours.
                validity="" if validity is None else str(min(validity, MAX_VALIDITY_MINUTES)),
            )
        for index, result in enumerate(taken):
            accepted = order_id is not None and index < len(paid)
            result["status"] = PENDING if accepted else REJECTED["credit"]
        notified = notified or bool(notify_url and order_id is not None)
    if notified:
        simulator_receipts_push_soon(provider=provider)
    return JsonResponse({"bulkId": f"bulk-{len(results)}", "messages": results})


# Final statuses of delivery reports, as Infobip's "Message status codes" page lists them.
FINAL_STATUSES = {
    "delivered": (
        {
            "groupId": 3,
            "groupName": "DELIVERED",
            "id": 5,
            "name": "DELIVERED_TO_HANDSET",
            "description": "Message delivered to handset",
        },
        {"groupId": 0, "groupName": "OK", "id": 0, "name": "NO_ERROR", "permanent": False},
    ),
    "undelivered": (
        {
            "groupId": 2,
            "groupName": "UNDELIVERABLE",
            "id": 9,
            "name": "UNDELIVERABLE_NOT_DELIVERED",
            "description": "Message sent not delivered",
        },
        {
            "groupId": 1,
            "groupName": "HANDSET_ERRORS",
            "id": 27,
            "name": "EC_ABSENT_SUBSCRIBER",
            "description": "Absent subscriber",
            "permanent": False,
        },
    ),
}


def _report(received: ReceivedSms) -> dict:
    status, error = FINAL_STATUSES[received.receipt_state]
    done = received.receipt_due_at or timezone.now()
    return {
        "bulkId": f"bulk-{received.order_id}",
        "messageId": received.client_id,
        "to": received.number,
        "sentAt": received.received_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "doneAt": done.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "smsCount": 1,
        "price": {"pricePerMessage": 0.01, "currency": "EUR"},
        "status": {**status},
        "error": {**error, "description": error.get("description", "No Error")},
    }


def receipt_push(received: ReceivedSms) -> PushedReceipt:
    """The delivery report Infobip posts to the message's notifyUrl."""
    return PushedReceipt("application/json", json.dumps({"results": [_report(received)]}).encode())


@provider_endpoint(SLUG, content_type=CONTENT_TYPE, methods=("GET",))
def reports(request: HttpRequest, provider: SimulatedProvider) -> JsonResponse:
    """Delivery reports not handed out yet (each once, pushed ones too), at most `limit`."""
    account = _account(request, provider)
    if account is None:
        return _request_error(401, "UNAUTHORIZED", "Invalid login details")
    limit = min(int(request.GET["limit"]) if request.GET.get("limit", "").isdigit() else 50, 1000)
    now = timezone.now()
    candidates = ReceivedSms.objects.filter(
        account=account, receipt_sent_at__isnull=True, receipt_due_at__lte=now
    ).order_by("id")[:limit]
    due = [r for r in candidates if receipt_state_at(r, now) != "pending"]
    simulator_receipts_handed_out(received=due)
    return JsonResponse({"results": [_report(r) for r in due]})


@provider_endpoint(SLUG, content_type=CONTENT_TYPE, methods=("GET",))
def balance(request: HttpRequest, provider: SimulatedProvider) -> JsonResponse:
    """The account's credit in EUR."""
    account = _account(request, provider)
    if account is None:
        return _request_error(401, "UNAUTHORIZED", "Invalid login details")
    return JsonResponse({"balance": float(simulator_balance(account=account)), "currency": "EUR"})


urlpatterns = [
    route(SEND_PATH, send_advanced, name="infobip-send"),
    route(BALANCE_PATH, balance, name="infobip-balance"),
    route(REPORTS_PATH, reports, name="infobip-reports"),
]
