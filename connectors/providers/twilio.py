"""Twilio: form POST to the Messages resource, HTTP Basic (SID, auth token), JSON answers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import RegexValidator

from connectors.providers.base import Provider
from connectors.providers.http import HttpAnswer, ProviderClient, basic_authorization
from connectors.providers.types import (
    Answer,
    Call,
    CannotCarry,
    Category,
    CheckResult,
    DeliveryState,
    Exchange,
    OutboundSms,
    Outcome,
    ProviderError,
    Receipt,
    ReceiptRefused,
    ReceiptRequest,
    SendResult,
    answer_error,
)

if TYPE_CHECKING:
    from connectors.models import Connector

API_VERSION = "/2010-04-01"
MESSAGES_PATH = API_VERSION + "/Accounts/{account_sid}/Messages.json"
ACCOUNT_PATH = API_VERSION + "/Accounts/{account_sid}.json"
ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
# ValidityPeriod is in seconds, from 1 to 36,000 (10 hours); outside that Twilio answers 21624.
MAX_VALIDITY_SECONDS = 36_000
F = Outcome.FAILED

# Twilio error codes (the `code` of an error answer, or `error_code` of a failed message).
ERRORS: dict[int, Answer] = {
    20003: Answer(F, Category.CREDENTIALS, "Twilio rejected the account SID or auth token"),
    20005: Answer(F, Category.BALANCE, "The Twilio account is not active (often: out of funds)"),
    20404: Answer(F, Category.CREDENTIALS, "Twilio does not know this account SID"),
    20429: Answer(F, Category.RATE_LIMIT, "Too many requests to Twilio"),
    21211: Answer(F, Category.RECIPIENT, "Twilio says the 'To' number is not valid"),
    21214: Answer(F, Category.RECIPIENT, "The 'To' number cannot be reached"),
    21408: Answer(F, Category.RECIPIENT, "SMS to this region is not enabled on the account"),
    21610: Answer(F, Category.RECIPIENT, "The recipient unsubscribed (replied STOP)"),
    21612: Answer(F, Category.RECIPIENT, "The 'To' number is not reachable by SMS"),
    21614: Answer(F, Category.RECIPIENT, "The 'To' number is not a mobile number"),
    21212: Answer(F, Category.SENDER, "Twilio says the 'From' number is not valid"),
    21606: Answer(
        F, Category.SENDER, "The 'From' number is not an SMS-capable number of the account"
    ),
    21602: Answer(F, Category.CONTENT, "The message body is empty"),
    21617: Answer(F, Category.CONTENT, "The message body is longer than 1600 characters"),
    21624: Answer(F, Category.UNKNOWN, "Twilio refused the validity period (1 to 36,000 s)"),
    30001: Answer(F, Category.PROVIDER_ERROR, "Twilio's queue overflowed"),
    30002: Answer(F, Category.CREDENTIALS, "The Twilio account is suspended"),
    30003: Answer(F, Category.RECIPIENT, "The handset is unreachable"),
    30006: Answer(F, Category.RECIPIENT, "A landline or an unreachable carrier"),
    30007: Answer(F, Category.CONTENT, "The carrier filtered the message"),
}
UNKNOWN_ERROR = Answer(F, Category.UNKNOWN, "Twilio answered with an undocumented error")
# Message statuses right after creation that mean Twilio took the message.
ACCEPTED_STATUSES = frozenset({"accepted", "queued", "scheduled", "sending", "sent"})
# MessageStatus of a status callback.
RECEIPT_STATES = {
    **dict.fromkeys(ACCEPTED_STATUSES, DeliveryState.PENDING),
    "delivered": DeliveryState.DELIVERED,
    "read": DeliveryState.DELIVERED,
    "undelivered": DeliveryState.UNDELIVERED,
    "failed": DeliveryState.REJECTED,  # Twilio could not send it at all
    "canceled": DeliveryState.REJECTED,
}
UNSUBSCRIBED = "21610"  # the recipient replied STOP: Twilio sends them nothing more
SIGNATURE_HEADER = "X-Twilio-Signature"


class TwilioProvider(Provider):
    slug = "twilio"
    name = "Twilio"
    default_priority = 70
    default_base_url = "https://api.twilio.com"
    description = (
        "Global SMS platform. Sends from a Twilio number, an alphanumeric sender ID or a "
        "Messaging Service."
    )
    username_label = "Account SID"
    password_label = "Auth token"
    username_help = (
        "AC followed by 32 letters and digits; shown on the Twilio Console's account dashboard."
    )
    password_help = "Shown under the Account SID on the Twilio Console's account dashboard."
    max_text_length = 1600
    number_format = "E.164"
    too_long_code = "21617"
    validity_parameter = "ValidityPeriod"
    extra_option_fields = {
        "messaging_service_sid": forms.CharField(
            label="Messaging Service SID",
            required=False,
            max_length=34,
            validators=[
                RegexValidator(
                    r"^MG[0-9a-fA-F]{32}$",
                    "A Messaging Service SID is MG followed by 32 hex digits.",
                )
            ],
            help_text=(
                "Optional. When set, Twilio picks the sender from the service; "
                "the sender titles are not used."
            ),
        ),
    }

    def send(self, *, connector: Connector, message: OutboundSms, call: Call) -> SendResult:
        """Create a Message (From, or the Messaging Service); an early status means accepted."""
        service = _messaging_service(connector)
        fields = {"To": message.number, "Body": message.text}
        if (seconds := message.seconds_left()) is not None:
            fields["ValidityPeriod"] = str(min(max(seconds, 1), MAX_VALIDITY_SECONDS))
        if connector.receipt_url:
            fields["StatusCallback"] = connector.receipt_url
        if service:
            fields["MessagingServiceSid"] = service
        else:
            fields["From"] = message.sender
        client = self._client(connector, call.log)
        answer = client.request(
            "POST",
            MESSAGES_PATH.format(account_sid=connector.username),
            data=fields,
            headers=self._headers(connector),
        )
        data = _json(answer)
        if answer.status >= 300:
            raise _error(data.get("code"), data.get("message", ""), answer)
        if data.get("status") not in ACCEPTED_STATUSES:
            raise _error(
                data.get("error_code"), data.get("error_message") or data.get("status", ""), answer
            )
        return SendResult(
            provider_message_id=str(data.get("sid", "")),
            code=str(data.get("status", "")),
            detail=f"Twilio status {data.get('status')}",
            http_status=answer.status,
        )

    def check(self, *, connector: Connector, log: list[Exchange]) -> CheckResult:
        """Fetch the account: it proves the credentials and tells whether the account is active."""
        client = self._client(connector, log)
        try:
            answer = client.request(
                "GET",
                ACCOUNT_PATH.format(account_sid=connector.username),
                headers=self._headers(connector),
            )
            data = _json(answer)
            if answer.status >= 300:
                raise _error(data.get("code"), data.get("message", ""), answer)
        except ProviderError as error:
            return CheckResult(ok=False, detail=error.detail)
        active = data.get("status") == "active"
        state = data.get("status", "in an unknown state")
        detail = f"Account '{data.get('friendly_name', '')}' is {state}."
        return CheckResult(ok=active, detail=detail)

    # -- delivery reports -----------------------------------------------------------------------

    receipts_pushed = True  # status callbacks to the StatusCallback URL of each message

    def receipt_verify(self, connector: Connector, request: ReceiptRequest, *, url: str) -> None:
        """X-Twilio-Signature must be Twilio's: the callback URL and the form fields, signed."""
        given = next(
            (v for k, v in request.headers.items() if k.lower() == SIGNATURE_HEADER.lower()), ""
        )
        if not given:
            raise ReceiptRefused(f"no {SIGNATURE_HEADER} header.")
        if not hmac.compare_digest(
            twilio_signature(connector.password, url, request.fields).encode(), given.encode()
        ):
            raise ReceiptRefused(f"the {SIGNATURE_HEADER} does not match this connector's.")

    def receipt_parse(self, connector: Connector, request: ReceiptRequest) -> list[Receipt]:
        """A status callback: MessageSid, MessageStatus and ErrorCode form fields."""
        sid = request.fields.get("MessageSid") or request.fields.get("SmsSid") or ""
        status = request.fields.get("MessageStatus") or request.fields.get("SmsStatus") or ""
        if not sid or status not in RECEIPT_STATES:
            raise ValueError(f"not a Twilio status callback (status {status!r})")
        code = request.fields.get("ErrorCode", "")
        found = ERRORS.get(int(code)) if code.isdigit() else None
        return [
            Receipt(
                state=RECEIPT_STATES[status],
                provider_message_id=sid,
                number=request.fields.get("To", ""),
                code=code or status,
                detail=found.message if found else "",
                opted_out=code == UNSUBSCRIBED,
                raw=request.body.decode("utf-8", errors="replace"),
            )
        ]

    def sender_for(self, connector: Connector, message: OutboundSms) -> str:
        """No sender title when a Messaging Service picks the sender; else the listed one."""
        return "" if _messaging_service(connector) else super().sender_for(connector, message)

    def _client(self, connector: Connector, log: list[Exchange]) -> ProviderClient:
        if not ACCOUNT_SID_RE.match(connector.username):
            raise CannotCarry(
                Category.CREDENTIALS, "The account SID must be AC followed by 32 hex digits."
            )
        return self.client(connector, log)

    @staticmethod
    def _headers(connector: Connector) -> dict[str, str]:
        return {
            "Authorization": basic_authorization(connector.username, connector.password),
            "Accept": "application/json",
        }


def twilio_signature(auth_token: str, url: str, fields: dict[str, str]) -> str:
    """Twilio's request signature: HMAC-SHA1 of the URL and the sorted fields, in base64."""
    signed = url + "".join(f"{name}{fields[name]}" for name in sorted(fields))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _messaging_service(connector: Connector) -> str:
    return (connector.options or {}).get("messaging_service_sid", "")


def _json(answer: HttpAnswer) -> dict[str, Any]:
    try:
        data = json.loads(answer.text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise answer_error(
            UNKNOWN_ERROR,
            code=str(answer.status),
            detail="the answer is not JSON",
            http_status=answer.status,
        )
    return data


def _error(code: Any, text: str, answer: HttpAnswer) -> ProviderError:
    try:
        found = ERRORS.get(int(code), UNKNOWN_ERROR)
    except (TypeError, ValueError):
        found = UNKNOWN_ERROR
    return answer_error(
        found,
        code=str(code or answer.status),
        detail=text,
        http_status=answer.status,
    )
