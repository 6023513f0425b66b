"""Generic HTTP connector: any provider described by a URL, a body template and answer rules.

The module is not named http.py because connectors/providers/http.py is the HTTP client.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from connectors.providers.base import Provider
from connectors.providers.bulk import one_result
from connectors.providers.generic_receipts import (
    RECEIPT_OPTION_FIELDS,
    receipt_rules_set,
    receipts_by_rules,
)
from connectors.providers.generic_templates import (
    LIST_OPTION_FIELDS,
    MAX_LIST_SIZE,
    PLACEHOLDER_RE,
    PLACEHOLDERS,
    RECIPIENTS,
    fill,
    list_problems,
    list_size,
    recipient_values,
    recipients_value,
    template_problem,
)
from connectors.providers.http import basic_authorization
from connectors.providers.types import (
    Answer,
    BulkItem,
    Call,
    Category,
    CheckResult,
    Exchange,
    OutboundSms,
    Outcome,
    Receipt,
    ReceiptRequest,
    SendResult,
    answer_error,
)

if TYPE_CHECKING:
    from connectors.models import Connector

CONTENT_TYPES = {
    "form": "application/x-www-form-urlencoded",
    "json": "application/json; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}
F = Outcome.FAILED

# Non-2xx answers: the HTTP status is all a generic connector can go by (5xx is the client's).
HTTP_STATUSES: dict[int, Answer] = {
    400: Answer(F, Category.UNKNOWN, "The provider rejected the request (HTTP 400)"),
    401: Answer(F, Category.CREDENTIALS, "The provider rejected the credentials (HTTP 401)"),
    402: Answer(F, Category.BALANCE, "The provider asks for payment (HTTP 402)"),
    403: Answer(F, Category.CREDENTIALS, "The provider refused access (HTTP 403)"),
    404: Answer(F, Category.PROVIDER_ERROR, "The send URL does not exist (HTTP 404)"),
    408: Answer(F, Category.TIMEOUT, "The provider timed out the request (HTTP 408)"),
    429: Answer(F, Category.RATE_LIMIT, "Too many requests (HTTP 429)"),
}
OTHER_STATUS = Answer(F, Category.UNKNOWN, "The provider did not accept the message")
NO_MATCH = Answer(F, Category.UNKNOWN, "The answer does not match the success pattern")
NO_ID = Answer(F, Category.UNKNOWN, "The answer holds no message id where the rules say")

FORM_EXAMPLE = "to={{to_no_plus}}&text={{text}}&from={{sender}}&user={{username}}&pass={{password}}"


def _regex(value: str) -> None:
    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(f"This is not a valid regular expression: {error}.") from None


class GenericHttpProvider(Provider):
    slug = "http"
    name = "Generic HTTP"
    default_priority = 90
    default_base_url = ""
    description = (
        "Any provider with an HTTP send API and no dedicated connector: describe the request and "
        "how to read the answer."
    )
    username_label = "User name / API key ID"
    password_label = "Password / API key"
    username_help = "Used as {{username}} in the body template or with Basic authentication."
    password_help = "Used as {{password}}, with Basic authentication or in the credential header."
    number_format = "E.164 ({{to}}) or digits ({{to_no_plus}})"
    redacted_names = Provider.redacted_names | {
        "pass",
        "pwd",
        "secret",
        "user",
        "username",
        "sifre",
    }
    extra_option_fields = {
        "method": forms.ChoiceField(
            label="Method", choices=[("POST", "POST"), ("GET", "GET")], initial="POST"
        ),
        "content_type": forms.ChoiceField(
            label="Content type",
            choices=[("form", "Form (urlencoded)"), ("json", "JSON"), ("xml", "XML")],
            initial="form",
            help_text=(
                "How the body template is read and values escaped. GET sends a form as the query."
            ),
        ),
        "body_template": forms.CharField(
            label="Body template",
            widget=forms.Textarea(attrs={"rows": 4}),
            initial=FORM_EXAMPLE,
            help_text=(
                "Placeholders: {{to}} {{to_no_plus}} {{text}} {{sender}} {{id}} {{username}} "
                "{{password}}, and {{recipients}} with a recipient list template (below). Values "
                "are escaped for the content type. Never type a secret here: use {{password}}."
            ),
        ),
        "auth": forms.ChoiceField(
            label="Credentials",
            choices=[
                ("fields", "In the body, via {{username}} / {{password}}"),
                ("basic", "HTTP Basic"),
                ("header", "A header carrying the password"),
            ],
            initial="fields",
        ),
        "auth_header_name": forms.CharField(
            label="Credential header",
            required=False,
            max_length=60,
            initial="Authorization",
            validators=[RegexValidator(r"^[A-Za-z0-9-]+$", "Letters, digits and dashes only.")],
            help_text="Only when the password goes in a header: the header's name.",
        ),
        "auth_header_prefix": forms.RegexField(
            label="Header value prefix",
            required=False,
            max_length=20,
            regex=r"^[A-Za-z]*$",
            help_text=(
                "Only with a credential header: a word put before the password, e.g. Bearer, App "
                "or Token."
            ),
            error_messages={
                "invalid": "Letters only (a scheme such as Bearer); the secret is the password."
            },
        ),
        "success_pattern": forms.CharField(
            label="Success pattern",
            required=False,
            max_length=200,
            validators=[_regex],
            help_text=(
                "Optional. A regular expression the answer must match to count as sent, e.g. ^OK. "
                "Without it, any 2xx answer counts as sent."
            ),
        ),
        "id_pattern": forms.CharField(
            label="Message id pattern",
            required=False,
            max_length=200,
            validators=[_regex],
            help_text=(
                "Optional. Where the provider's message id is in a text answer: a regular "
                "expression whose first (…) group is the id, e.g. ID:(\\d+)."
            ),
        ),
        "id_json_path": forms.RegexField(
            label="Message id JSON path",
            required=False,
            max_length=200,
            regex=r"^\$?[\w.\[\]-]+$",
            help_text=(
                "Optional. Where the message id is in a JSON answer, e.g. data.messages.0.id. "
                "Used before the id pattern."
            ),
        ),
        **LIST_OPTION_FIELDS,
        **RECEIPT_OPTION_FIELDS,
    }
    supports_bulk = True  # with a recipient list template; one number per request otherwise
    max_recipients_per_request = MAX_LIST_SIZE
    receipts_pushed = True  # when the connector's receipt rules say where id and state are

    def option_fields(self) -> dict[str, forms.Field]:
        """The base fields, the base URL being the full send URL."""
        fields = super().option_fields()
        fields["base_url"] = forms.URLField(
            label="Send URL",
            initial=self.default_base_url,
            assume_scheme="https",
            help_text="The full URL of the provider's send API.",
        )
        return fields

    def clean_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """The base checks, then a template that yields a valid body and usable answer rules."""
        cleaned = super().clean_options(options)
        errors: dict[str, list[str]] = {}
        template = cleaned["body_template"]
        unknown = sorted(set(PLACEHOLDER_RE.findall(template)) - set(PLACEHOLDERS))
        if unknown:
            errors["options.body_template"] = [
                f"Unknown placeholder(s): {', '.join(unknown)}. Use: {', '.join(PLACEHOLDERS)}."
            ]
        elif problems := list_problems(cleaned):
            errors.update({f"options.{name}": [problem] for name, problem in problems.items()})
        elif problem := template_problem(cleaned):
            errors["options.body_template"] = [problem]
        if cleaned.get("id_pattern") and re.compile(cleaned["id_pattern"]).groups < 1:
            errors["options.id_pattern"] = ["Put the id in a group: (...)."]
        if cleaned["auth"] == "header" and not cleaned.get("auth_header_name"):
            errors["options.auth_header_name"] = ["Name the header that carries the password."]
        if errors:
            raise ValidationError(errors)
        return cleaned

    def send(self, *, connector: Connector, message: OutboundSms, call: Call) -> SendResult:
        """Fill the template; a 2xx answer matching the success pattern, with an id, is accepted."""
        if (connector.options or {}).get("list_template"):
            return one_result(self._send_list(connector, call, [message]))
        return self._request(connector, call, _message_values(connector, message))

    def send_bulk(
        self, *, connector: Connector, messages: list[OutboundSms], call: Call
    ) -> list[BulkItem]:
        """With a recipient list template, up to the connector's list size per request (the one
        answer, and its id, holds for each number); without one, one number per request."""
        options = connector.options or {}
        if not options.get("list_template"):
            return super().send_bulk(connector=connector, messages=messages, call=call)
        return self.send_lists(
            messages,
            lambda chunk: self._send_list(connector, call, chunk),
            size=list_size(options),
        )

    def _send_list(
        self, connector: Connector, call: Call, messages: list[OutboundSms]
    ) -> list[SendResult]:
        options = connector.options or {}
        kind = options.get("content_type", "form")
        values = _message_values(connector, messages[0], recipients=True)
        values[RECIPIENTS] = recipients_value(
            options,
            [recipient_values(message) for message in messages],
            lambda template, value: fill(template, value, kind),
        )
        return [self._request(connector, call, values)] * len(messages)

    def _request(self, connector: Connector, call: Call, values: dict[str, str]) -> SendResult:
        """One request from the templates filled with these values, read by the answer rules."""
        options = connector.options or {}
        content_type = options.get("content_type", "form")
        client = self.client(connector, call.log)
        headers = self._auth_headers(connector)
        method = options.get("method", "POST")
        template = options.get("body_template", FORM_EXAMPLE)
        if content_type == "form" or method == "GET":
            pairs = [
                (k, fill(v, values, "form")) for k, v in parse_qsl(template, keep_blank_values=True)
            ]
            if method == "GET":
                answer = client.request("GET", "", params=pairs, headers=headers)
            else:
                answer = client.request("POST", "", data=pairs, headers=headers)
        else:
            body = fill(template, values, content_type)
            answer = client.request(
                method,
                "",
                body=body,
                headers={**headers, "Content-Type": CONTENT_TYPES[content_type]},
            )
        common = {"http_status": answer.status}
        if not 200 <= answer.status < 300:
            raise answer_error(
                HTTP_STATUSES.get(answer.status, OTHER_STATUS), code=str(answer.status), **common
            )
        pattern = options.get("success_pattern")
        if pattern and not re.search(pattern, answer.text):
            raise answer_error(NO_MATCH, code=str(answer.status), detail=f"/{pattern}/", **common)
        provider_id = _message_id(answer.text, options)
        if provider_id is None:
            raise answer_error(NO_ID, code=str(answer.status), **common)
        return SendResult(provider_message_id=provider_id, code=str(answer.status), **common)

    def check(self, *, connector: Connector, log: list[Exchange]) -> CheckResult:
        """A generic API has no known check call: validate the configuration and say so."""
        try:
            self.clean_options(connector.options)
        except ValidationError as error:
            return CheckResult(ok=False, detail=" ".join(error.messages))
        return CheckResult(
            ok=True,
            detail=(
                "The configuration is valid. A generic HTTP API has no test call: "
                "send a test message to verify."
            ),
        )

    def sends_receipts(self, connector: Connector) -> bool:
        """Only a connector whose receipt rules say where the id and the state are."""
        return receipt_rules_set(connector.options or {})

    def receipt_parse(self, connector: Connector, request: ReceiptRequest) -> list[Receipt]:
        """A push read by the connector's receipt rules."""
        return receipts_by_rules(connector.options or {}, request)

    def _auth_headers(self, connector: Connector) -> dict[str, str]:
        options = connector.options or {}
        if options.get("auth") == "basic":
            return {"Authorization": basic_authorization(connector.username, connector.password)}
        if options.get("auth") == "header":
            name = options.get("auth_header_name") or "Authorization"
            prefix = options.get("auth_header_prefix", "")
            return {name: f"{prefix} {connector.password}".strip()}
        return {}


class FigenSoftProvider(GenericHttpProvider):
    """FigenSoft publishes no send API: it is configured like the generic HTTP connector."""

    slug = "figensoft"
    name = "FigenSoft"
    default_priority = 30
    description = (
        "Turkish SMS gateway. FigenSoft's send API is not public: enter the URL, body template and "
        "answer rules from your FigenSoft integration document."
    )
    username_label = "FigenSoft user name"
    password_label = "FigenSoft password / API key"


def _message_values(
    connector: Connector, message: OutboundSms, *, recipients: bool = False
) -> dict[str, str]:
    """The placeholders' values for a message (the recipient's ones in the list, for a list)."""
    values = {
        "text": message.text,
        "sender": message.sender,
        "username": connector.username,
        "password": connector.password,
    }
    return values if recipients else {**values, **recipient_values(message)}


def _message_id(text: str, options: dict[str, Any]) -> str | None:
    """The provider's message id by the rules: "" when there is no rule, None when not found."""
    if path := options.get("id_json_path"):
        try:
            node: Any = json.loads(text)
        except ValueError:
            return None
        for step in re.findall(r"[^.\[\]$]+", path):
            if isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            elif isinstance(node, dict) and step in node:
                node = node[step]
            else:
                return None
        return None if isinstance(node, (dict, list)) or node is None else str(node)
    if pattern := options.get("id_pattern"):
        found = re.search(pattern, text)
        return found.group(1) if found else None
    return ""
