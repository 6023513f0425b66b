"""Infobip: JSON over HTTPS at the account's own base URL, `Authorization: App <API key>`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms

from connectors.providers.base import (
    Answer,
    Category,
    CheckResult,
    OutboundSms,
    Outcome,
    Provider,
    ProviderError,
    SendResult,
    answer_error,
)
from connectors.providers.http import basic_authorization

if TYPE_CHECKING:
    from connectors.models import Connector
    from connectors.providers.http import HttpAnswer, ProviderClient

SEND_PATH = "/sms/2/text/advanced"
BALANCE_PATH = "/account/1/balance"
A, F = Outcome.ACCEPTED, Outcome.FAILED

# Message status names (the `status.name` of each message in a 200 answer), from Infobip's
# "Message status codes" page.
STATUSES: dict[str, Answer] = {
    "PENDING_ACCEPTED": Answer(A, None, "Accepted, on its way to the operator"),
    "PENDING_ENROUTE": Answer(A, None, "Accepted and sent to the operator"),
    "PENDING_WAITING_DELIVERY": Answer(A, None, "Accepted, waiting for the delivery report"),
    "REJECTED_NETWORK": Answer(F, Category.RECIPIENT, "The network is not covered"),
    "REJECTED_PREFIX_MISSING": Answer(F, Category.RECIPIENT, "The number has no known prefix"),
    "REJECTED_DND": Answer(F, Category.RECIPIENT, "The recipient is on a do-not-disturb list"),
    "REJECTED_SOURCE": Answer(F, Category.SENDER, "The sender is not registered on the account"),
    "REJECTED_NOT_ENOUGH_CREDITS": Answer(F, Category.BALANCE, "Not enough credit on the account"),
    "REJECTED_SENDER": Answer(F, Category.SENDER, "The sender is blocklisted on the account"),
    "REJECTED_DESTINATION_BLOCKLISTED": Answer(
        F, Category.RECIPIENT, "The destination is blocklisted"
    ),
    "REJECTED_PREPAID_PACKAGE_EXPIRED": Answer(
        F, Category.BALANCE, "The account's credits have expired"
    ),
    "REJECTED_DESTINATION_NOT_REGISTERED": Answer(
        F, Category.RECIPIENT, "A test account may only send to its registered number"
    ),
    "REJECTED_ROUTE_NOT_AVAILABLE": Answer(
        F, Category.PROVIDER_ERROR, "The account has no route to the network"
    ),
    "REJECTED_FLOODING_FILTER": Answer(F, Category.RATE_LIMIT, "Stopped by the flooding filter"),
    "REJECTED_SYSTEM_ERROR": Answer(F, Category.PROVIDER_ERROR, "Infobip had a system error"),
    "REJECTED_INVALID_UDH": Answer(F, Category.CONTENT, "The message header (UDH) is invalid"),
    "REJECTED_MESSAGE_TOO_LONG": Answer(
        F, Category.CONTENT, "The text is longer than 25 parts or 4000 bytes"
    ),
    "MISSING_TO": Answer(F, Category.RECIPIENT, "The destination number is missing"),
    "REJECTED_DESTINATION": Answer(F, Category.RECIPIENT, "The destination number is invalid"),
    "SIGNALS_BLOCKED": Answer(F, Category.CONTENT, "Stopped by Infobip's anti-fraud filter"),
}
# When the status name is not in the table, its group decides (Infobip's documented status groups).
GROUPS: dict[str, Answer] = {
    "PENDING": Answer(A, None, "Accepted (pending)"),
    "REJECTED": Answer(F, Category.UNKNOWN, "Rejected by Infobip"),
    "UNDELIVERABLE": Answer(F, Category.PROVIDER_ERROR, "Undeliverable"),
    "EXPIRED": Answer(F, Category.PROVIDER_ERROR, "Expired before delivery"),
}
# requestError.serviceException.messageId of a 4xx answer.
REQUEST_ERRORS: dict[str, Answer] = {
    "UNAUTHORIZED": Answer(F, Category.CREDENTIALS, "Infobip rejected the API key"),
    "FORBIDDEN": Answer(F, Category.CREDENTIALS, "The API key may not send SMS"),
    "BAD_REQUEST": Answer(F, Category.CONTENT, "Infobip rejected the request"),
    "TOO_MANY_REQUESTS": Answer(F, Category.RATE_LIMIT, "Too many requests"),
}
UNREADABLE = Answer(F, Category.UNKNOWN, "Infobip answered with something that is not its JSON")


class InfobipProvider(Provider):
    slug = "infobip"
    name = "Infobip"
    default_priority = 40
    default_base_url = ""
    description = (
        "Global SMS platform. Each Infobip account has its own API address, shown on the "
        "Infobip portal's home page."
    )
    username_label = "Infobip user name"
    password_label = "API key or password"
    username_help = (
        "The user name you sign in to the Infobip portal with. Sent only when Authentication is "
        "“User name and password”."
    )
    password_help = (
        "An API key from the Infobip portal (Developers → API keys); with “User name and "
        "password” authentication, that user's password."
    )
    max_text_length = 1600
    number_format = "international digits without +"
    extra_option_fields = {
        "auth": forms.ChoiceField(
            label="Authentication",
            choices=[("app", "API key (recommended)"), ("basic", "User name and password")],
            initial="app",
            help_text="How the console signs in to Infobip.",
        ),
    }

    def option_fields(self) -> dict[str, forms.Field]:
        """The base fields; the base URL is required, as every account has its own."""
        fields = super().option_fields()
        fields["base_url"].required = True
        fields["base_url"].help_text = (
            "Your account's own API address from the Infobip portal, e.g. "
            "https://xyz12.api.infobip.com."
        )
        fields["base_url"].label = "API base URL"
        return fields

    def send(self, *, connector: Connector, message: OutboundSms) -> SendResult:
        """One message to /sms/2/text/advanced; its status name (or group) decides the outcome."""
        sender = self.sender_for(connector, message)
        client = self.client(connector)
        body = {
            "messages": [
                {
                    "from": sender,
                    "destinations": [
                        {"to": message.to.lstrip("+"), "messageId": f"sms-{message.id}"}
                    ],
                    "text": message.text,
                }
            ]
        }
        answer = client.request(
            "POST",
            SEND_PATH,
            body=json.dumps(body, ensure_ascii=False),
            headers={
                **self._auth(connector),
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        data = _json(answer, client)
        if answer.status >= 300:
            raise _request_error(data, answer, client)
        try:
            item = data["messages"][0]
            status = item["status"]
        except (KeyError, IndexError, TypeError):
            raise answer_error(
                UNREADABLE, code="", http_status=answer.status, exchanges=client.exchanges
            ) from None
        found = STATUSES.get(status.get("name")) or GROUPS.get(status.get("groupName"), UNREADABLE)
        if found.outcome != Outcome.ACCEPTED:
            raise answer_error(
                found,
                code=str(status.get("name", "")),
                detail=status.get("description", ""),
                http_status=answer.status,
                exchanges=client.exchanges,
            )
        return SendResult(
            provider_message_id=str(item.get("messageId", "")),
            code=str(status.get("name", "")),
            detail=found.message,
            http_status=answer.status,
            exchanges=client.exchanges,
        )

    def check(self, *, connector: Connector) -> CheckResult:
        """The account balance: proves the API key and tells the credit."""
        client = self.client(connector)
        try:
            answer = client.request(
                "GET", BALANCE_PATH, headers={**self._auth(connector), "Accept": "application/json"}
            )
            data = _json(answer, client)
            if answer.status >= 300:
                raise _request_error(data, answer, client)
        except ProviderError as error:
            return CheckResult(ok=False, detail=error.detail, exchanges=client.exchanges)
        balance = f"{data.get('balance')} {data.get('currency', '')}".strip()
        return CheckResult(
            ok=True, detail="The API key works.", balance=balance, exchanges=client.exchanges
        )

    def _auth(self, connector: Connector) -> dict[str, str]:
        if (connector.options or {}).get("auth") == "basic":
            return {"Authorization": basic_authorization(connector.username, connector.password)}
        return {"Authorization": f"App {connector.password}"}


def _json(answer: HttpAnswer, client: ProviderClient) -> Any:
    try:
        return json.loads(answer.text)
    except ValueError:
        raise answer_error(
            UNREADABLE,
            code=str(answer.status),
            http_status=answer.status,
            exchanges=client.exchanges,
        ) from None


def _request_error(data: Any, answer: HttpAnswer, client: ProviderClient) -> ProviderError:
    try:
        exception = data["requestError"]["serviceException"]
    except (KeyError, TypeError):
        return answer_error(
            UNREADABLE,
            code=str(answer.status),
            http_status=answer.status,
            exchanges=client.exchanges,
        )
    found = REQUEST_ERRORS.get(exception.get("messageId"), UNREADABLE)
    return answer_error(
        found,
        code=str(exception.get("messageId", "")),
        detail=exception.get("text", ""),
        http_status=answer.status,
        exchanges=client.exchanges,
    )
