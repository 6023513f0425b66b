"""Infobip stand-in: `POST /sms/2/text/advanced` (JSON, App or Basic auth) and the balance call."""

import json
import re

from django.http import HttpRequest, JsonResponse

from connectors.simulators.endpoint import authorization, basic_pair, provider_endpoint
from connectors.simulators.models import SimulatedProvider, SimulatorAccount
from connectors.simulators.selectors import (
    simulator_account_authenticate,
    simulator_account_by_secret,
    simulator_balance,
)
from connectors.simulators.services import simulator_sms_receive

SLUG = "infobip"
CONTENT_TYPE = "application/json"
NUMBER_RE = re.compile(r"^[1-9]\d{7,14}$")
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
    results = []
    for message in messages:
        sender, text = message.get("from", ""), message.get("text", "")
        if not text:
            return _request_error(400, "BAD_REQUEST", "Bad request: 'text' is required")
        for destination in message.get("destinations") or []:
            to = str(destination.get("to", ""))
            if sender not in account.sender_titles:
                status = REJECTED["sender"]
            elif not NUMBER_RE.match(to):
                status = REJECTED["destination"]
            elif simulator_balance(account=account) < 1:
                status = REJECTED["credit"]
            else:
                order_id = simulator_sms_receive(
                    account=account,
                    sender=sender,
                    messages=[(to, text)],
                    client_id=destination.get("messageId", ""),
                )
                status = PENDING if order_id is not None else REJECTED["credit"]
            message_id = destination.get("messageId") or f"ib-{to}"
            results.append({"to": to, "messageId": message_id, "status": status})
    return JsonResponse({"bulkId": f"bulk-{len(results)}", "messages": results})


@provider_endpoint(SLUG, content_type=CONTENT_TYPE, methods=("GET",))
def balance(request: HttpRequest, provider: SimulatedProvider) -> JsonResponse:
    """The account's credit in EUR."""
    account = _account(request, provider)
    if account is None:
        return _request_error(401, "UNAUTHORIZED", "Invalid login details")
    return JsonResponse({"balance": float(simulator_balance(account=account)), "currency": "EUR"})
