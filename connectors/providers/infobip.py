"""Infobip: JSON over HTTPS at the account's own base URL, `Authorization: App <API key>`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django import forms

from connectors.providers.base import Provider
from connectors.providers.bulk import one_result
from connectors.providers.http import HttpAnswer, basic_authorization
from connectors.providers.types import (
    Answer,
    BulkItem,
    Call,
    Category,
    CheckResult,
    DeliveryState,
    Exchange,
    OutboundSms,
    Outcome,
    ProviderError,
    Receipt,
    ReceiptRequest,
    SendResult,
    SentSms,
    answer_error,
)

if TYPE_CHECKING:
    from connectors.models import Connector

SEND_PATH = "/sms/2/text/advanced"
# validityPeriod is in minutes; Infobip sets a longer one back to 48 hours.
MAX_VALIDITY_MINUTES = 48 * 60
BALANCE_PATH = "/account/1/balance"
REPORTS_PATH = "/sms/1/reports"
OWN_MESSAGE_ID_RE = re.compile(r"^sms-(\d+)$")  # the messageId we give each destination
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
# Delivery report status groups (Infobip's "Message status codes").
RECEIPT_GROUPS = {
    "PENDING": DeliveryState.PENDING,
    "DELIVERED": DeliveryState.DELIVERED,
    "UNDELIVERABLE": DeliveryState.UNDELIVERED,
    "EXPIRED": DeliveryState.EXPIRED,
    "REJECTED": DeliveryState.REJECTED,
}


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
    supports_bulk = True
    max_recipients_per_request = 1000  # assumed: no count in the documents we hold (providers.md)
    number_format = "international digits without +"
    receipts_pushed = True  # to the notifyUrl each request carries
    receipts_polled = True  # GET /sms/1/reports, a safety net for pushes that did not arrive
    report_batch = 1000
    too_long_code = "REJECTED_MESSAGE_TOO_LONG"
    validity_parameter = "validityPeriod"
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

    def send(self, *, connector: Connector, message: OutboundSms, call: Call) -> SendResult:
        """One message to /sms/2/text/advanced; its status name (or group) decides the outcome."""
        return one_result(self._send_list(connector, call, [message]))

    def send_bulk(
        self, *, connector: Connector, messages: list[OutboundSms], call: Call
    ) -> list[BulkItem]:
        """Up to 1,000 `destinations` per request, each with our own messageId: Infobip answers a
        status per destination, so each number is accepted or refused on its own."""
        return self.send_lists(messages, lambda chunk: self._send_list(connector, call, chunk))

    def _send_list(
        self, connector: Connector, call: Call, messages: list[OutboundSms]
    ) -> list[SendResult | ProviderError]:
        first = messages[0]
        request = {
            "from": first.sender,
            "destinations": [
                {"to": message.to.lstrip("+"), "messageId": own_message_id(message)}
                for message in messages
            ],
            "text": first.text,
            **_notify(connector, messages),
        }
        if (seconds := first.seconds_left()) is not None:
            request["validityPeriod"] = validity_minutes(seconds)
        answer = self.client(connector, call.log).request(
            "POST",
            SEND_PATH,
            body=json.dumps({"messages": [request]}, ensure_ascii=False),
            headers={
                **self._auth(connector),
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        data = _json(answer)
        if answer.status >= 300:
            raise _request_error(data, answer)
        try:
            items = {str(item["messageId"]): item["status"] for item in data["messages"]}
        except (KeyError, TypeError):
            raise answer_error(UNREADABLE, code="", http_status=answer.status) from None
        return [
            _outcome(own_message_id(message), items.get(own_message_id(message)), answer.status)
            for message in messages
        ]

    def check(self, *, connector: Connector, log: list[Exchange]) -> CheckResult:
        """The account balance: proves the API key and tells the credit."""
        client = self.client(connector, log)
        try:
            answer = client.request(
                "GET", BALANCE_PATH, headers={**self._auth(connector), "Accept": "application/json"}
            )
            data = _json(answer)
            if answer.status >= 300:
                raise _request_error(data, answer)
        except ProviderError as error:
            return CheckResult(ok=False, detail=error.detail)
        balance = f"{data.get('balance')} {data.get('currency', '')}".strip()
        return CheckResult(ok=True, detail="The API key works.", balance=balance)

    # -- delivery reports -----------------------------------------------------------------------

    def receipt_parse(self, connector: Connector, request: ReceiptRequest) -> list[Receipt]:
        """A push to notifyUrl: `{"results": [{messageId, to, status, error, doneAt, ...}]}`."""
        try:
            results = json.loads(request.body)["results"]
        except (ValueError, KeyError, TypeError):
            raise ValueError("not an Infobip delivery report") from None
        if not isinstance(results, list):
            raise ValueError("its results are not a list")
        return [_receipt(result) for result in results if isinstance(result, dict)]

    def reports_poll(
        self, *, connector: Connector, messages: list[SentSms], call: Call
    ) -> list[Receipt]:
        """GET /sms/1/reports: the reports Infobip has not handed out yet (each comes once)."""
        answer = self.client(connector, call.log).request(
            "GET",
            REPORTS_PATH,
            params={"limit": str(self.report_batch)},
            headers={**self._auth(connector), "Accept": "application/json"},
        )
        data = _json(answer)
        if answer.status >= 300:
            raise _request_error(data, answer)
        results = data.get("results") if isinstance(data, dict) else None
        return [_receipt(r) for r in results or [] if isinstance(r, dict)]

    def _auth(self, connector: Connector) -> dict[str, str]:
        if (connector.options or {}).get("auth") == "basic":
            return {"Authorization": basic_authorization(connector.username, connector.password)}
        return {"Authorization": f"App {connector.password}"}


def validity_minutes(seconds: int) -> int:
    """validityPeriod for the validity left: whole minutes rounded down, 1 to 48 hours."""
    return min(max(seconds // 60, 1), MAX_VALIDITY_MINUTES)


def _json(answer: HttpAnswer) -> Any:
    try:
        return json.loads(answer.text)
    except ValueError:
        raise answer_error(UNREADABLE, code=str(answer.status), http_status=answer.status) from None


def _request_error(data: Any, answer: HttpAnswer) -> ProviderError:
    try:
        exception = data["requestError"]["serviceException"]
    except (KeyError, TypeError):
        return answer_error(UNREADABLE, code=str(answer.status), http_status=answer.status)
    found = REQUEST_ERRORS.get(exception.get("messageId"), UNREADABLE)
    return answer_error(
        found,
        code=str(exception.get("messageId", "")),
        detail=exception.get("text", ""),
        http_status=answer.status,
    )


def _notify(connector: Connector, messages: list[OutboundSms]) -> dict[str, str]:
    """Where Infobip pushes the delivery reports; a lone message also gets our id as callbackData
    (in a list, each destination's messageId carries our id back)."""
    if not connector.receipt_url:
        return {}
    notify = {"notifyUrl": connector.receipt_url, "notifyContentType": "application/json"}
    if len(messages) == 1:
        notify["callbackData"] = str(messages[0].id)
    return notify


def own_message_id(message: OutboundSms) -> str:
    """The messageId we give a destination: receipts carry it back with our id in it."""
    return f"sms-{message.id}"


def _outcome(message_id: str, status: Any, http_status: int) -> SendResult | ProviderError:
    """One destination's status in the answer: its name (or group) decides."""
    if not isinstance(status, dict):
        return answer_error(
            UNREADABLE, code="", detail=f"no status for {message_id}", http_status=http_status
        )
    found = STATUSES.get(status.get("name")) or GROUPS.get(status.get("groupName"), UNREADABLE)
    if found.outcome != Outcome.ACCEPTED:
        return answer_error(
            found,
            code=str(status.get("name", "")),
            detail=status.get("description", ""),
            http_status=http_status,
        )
    return SendResult(
        provider_message_id=message_id,
        code=str(status.get("name", "")),
        detail=found.message,
        http_status=http_status,
    )


def _receipt(result: dict) -> Receipt:
    """One delivery report of a push or a pull."""
    status = result.get("status") if isinstance(result.get("status"), dict) else {}
    error = result.get("error") if isinstance(result.get("error"), dict) else {}
    message_id = str(result.get("messageId", ""))
    own = OWN_MESSAGE_ID_RE.match(message_id)
    callback = str(result.get("callbackData") or "")
    failed = error.get("id") not in (None, 0, "0")
    return Receipt(
        state=RECEIPT_GROUPS.get(str(status.get("groupName", "")), DeliveryState.PENDING),
        provider_message_id=message_id,
        number="+" + str(result["to"]).lstrip("+") if result.get("to") else "",
        message_id=int(callback) if callback.isdigit() else int(own.group(1)) if own else None,
        code=str(status.get("name", "")),
        detail=str(error.get("description") if failed else status.get("description", "")),
        occurred_at=_when(result.get("doneAt")),
        raw=json.dumps(result, ensure_ascii=False),
    )


def _when(value: Any) -> datetime | None:
    """Infobip's 2024-03-05T10:15:30.000+0000 (or any ISO 8601 time), None when unreadable."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
