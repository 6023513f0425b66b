"""Twilio: form POST to the Messages resource, HTTP Basic (SID, auth token), JSON answers."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import RegexValidator

from connectors.providers.base import (
    Answer,
    CannotCarry,
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

API_VERSION = "/2010-04-01"
ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
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
    30001: Answer(F, Category.PROVIDER_ERROR, "Twilio's queue overflowed"),
    30002: Answer(F, Category.CREDENTIALS, "The Twilio account is suspended"),
    30003: Answer(F, Category.RECIPIENT, "The handset is unreachable"),
    30006: Answer(F, Category.RECIPIENT, "A landline or an unreachable carrier"),
    30007: Answer(F, Category.CONTENT, "The carrier filtered the message"),
}
UNKNOWN_ERROR = Answer(F, Category.UNKNOWN, "Twilio answered with an undocumented error")
# Message statuses right after creation that mean Twilio took the message.
ACCEPTED_STATUSES = frozenset({"accepted", "queued", "scheduled", "sending", "sent"})


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

    def send(self, *, connector: Connector, message: OutboundSms) -> SendResult:
        """Create a Message (From, or the Messaging Service); an early status means accepted."""
        service = (connector.options or {}).get("messaging_service_sid", "")
        fields = {"To": message.to, "Body": message.text}
        if service:
            fields["MessagingServiceSid"] = service
        else:
            fields["From"] = self.sender_for(connector, message)
        client = self._client(connector)
        answer = client.request(
            "POST",
            f"{API_VERSION}/Accounts/{connector.username}/Messages.json",
            data=fields,
            headers=self._headers(connector),
        )
        data = _json(answer, client)
        if answer.status >= 300:
            raise _error(data.get("code"), data.get("message", ""), answer, client)
        if data.get("status") not in ACCEPTED_STATUSES:
            raise _error(
                data.get("error_code"),
                data.get("error_message") or data.get("status", ""),
                answer,
                client,
            )
        return SendResult(
            provider_message_id=str(data.get("sid", "")),
            code=str(data.get("status", "")),
            detail=f"Twilio status {data.get('status')}",
            http_status=answer.status,
            exchanges=client.exchanges,
        )

    def check(self, *, connector: Connector) -> CheckResult:
        """Fetch the account: it proves the credentials and tells whether the account is active."""
        client = self._client(connector)
        try:
            answer = client.request(
                "GET",
                f"{API_VERSION}/Accounts/{connector.username}.json",
                headers=self._headers(connector),
            )
            data = _json(answer, client)
            if answer.status >= 300:
                raise _error(data.get("code"), data.get("message", ""), answer, client)
        except ProviderError as error:
            return CheckResult(ok=False, detail=error.detail, exchanges=client.exchanges)
        active = data.get("status") == "active"
        state = data.get("status", "in an unknown state")
        detail = f"Account '{data.get('friendly_name', '')}' is {state}."
        return CheckResult(ok=active, detail=detail, exchanges=client.exchanges)

    def _client(self, connector: Connector) -> ProviderClient:
        if not ACCOUNT_SID_RE.match(connector.username):
            raise CannotCarry(
                Category.CREDENTIALS, "The account SID must be AC followed by 32 hex digits."
            )
        return self.client(connector)

    @staticmethod
    def _headers(connector: Connector) -> dict[str, str]:
        return {
            "Authorization": basic_authorization(connector.username, connector.password),
            "Accept": "application/json",
        }


def _json(answer: HttpAnswer, client: ProviderClient) -> dict[str, Any]:
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
            exchanges=client.exchanges,
        )
    return data


def _error(code: Any, text: str, answer: HttpAnswer, client: ProviderClient) -> ProviderError:
    try:
        found = ERRORS.get(int(code), UNKNOWN_ERROR)
    except (TypeError, ValueError):
        found = UNKNOWN_ERROR
    return answer_error(
        found,
        code=str(code or answer.status),
        detail=text,
        http_status=answer.status,
        exchanges=client.exchanges,
    )
