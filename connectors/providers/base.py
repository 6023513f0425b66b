"""What every provider declares and implements, and the typed results and errors of a send."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

if TYPE_CHECKING:
    from connectors.models import Connector
    from connectors.providers.http import ProviderClient


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Category(models.TextChoices):
    CREDENTIALS = "credentials", "Credentials"
    BALANCE = "balance", "Balance"
    SENDER = "sender", "Sender title"
    CONTENT = "content", "Content"
    RECIPIENT = "recipient", "Recipient"
    RATE_LIMIT = "rate_limit", "Rate limit"
    PROVIDER_ERROR = "provider_error", "Provider error"
    TIMEOUT = "timeout", "Timeout"
    NETWORK = "network", "Network"
    UNKNOWN = "unknown", "Unknown"


TURKISH_MOBILE_RE = re.compile(r"^\+90(5\d{9})$")

# Failures that may pass by themselves: worth a retry later when every connector failed this way.
TRANSIENT_CATEGORIES = frozenset(
    {Category.TIMEOUT, Category.NETWORK, Category.PROVIDER_ERROR, Category.RATE_LIMIT}
)


@dataclass(frozen=True)
class Answer:
    """How one documented provider answer is read: an entry of a provider's answer table."""

    outcome: Outcome
    category: Category | None
    message: str
    original: str = ""  # the provider's own wording, e.g. the Turkish text of a Jet SMS code


@dataclass(frozen=True)
class OutboundSms:
    """A message as a provider sees it: no ORM object, so adapters stay independent of messaging."""

    id: int
    to: str  # E.164, e.g. +905321234567
    text: str
    sender: str = ""  # requested sender title; "" means the connector's default
    kind: str = "transactional"  # or "commercial"
    encoding: str = "GSM-7"
    segments: int = 1


@dataclass
class Exchange:
    """One HTTP (or TCP) exchange with a provider, already redacted."""

    method: str
    url: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str = ""
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    duration_ms: int = 0
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The exchange as stored with an attempt (JSON)."""
        return {
            "method": self.method,
            "url": self.url,
            "request_headers": self.request_headers,
            "request_body": self.request_body,
            "status": self.status,
            "response_headers": self.response_headers,
            "response_body": self.response_body,
            "duration_ms": self.duration_ms,
            "error": self.error,
        }


class ProviderError(Exception):
    """A send or check that did not succeed, with the category the dispatcher acts on."""

    outcome: Outcome = Outcome.FAILED

    def __init__(
        self,
        category: Category,
        detail: str,
        *,
        code: str = "",
        http_status: int | None = None,
        exchanges: list[Exchange] | None = None,
    ) -> None:
        super().__init__(detail)
        self.category = Category(category)
        self.detail = detail
        self.code = code
        self.http_status = http_status
        self.exchanges = list(exchanges or [])

    @property
    def transient(self) -> bool:
        """Whether the failure may pass by itself, so a later retry makes sense."""
        return self.category in TRANSIENT_CATEGORIES


class CannotCarry(ProviderError):
    """The connector cannot carry this message (number, sender title, length): nothing was sent."""

    outcome = Outcome.SKIPPED


@dataclass
class SendResult:
    """An accepted message."""

    provider_message_id: str
    code: str = ""
    detail: str = ""
    http_status: int | None = None
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass
class BulkItem:
    """The result for one message of a bulk request: a SendResult or a ProviderError."""

    message: OutboundSms
    result: SendResult | None = None
    error: ProviderError | None = None


@dataclass
class CheckResult:
    """The answer to "Test connection"."""

    ok: bool
    detail: str
    balance: str = ""
    exchanges: list[Exchange] = field(default_factory=list)


def turkish_mobile(provider_name: str, e164: str) -> str:
    """The ten digits 5xxxxxxxxx of a Turkish mobile number; CannotCarry for any other number."""
    match = TURKISH_MOBILE_RE.match(e164)
    if not match:
        raise CannotCarry(
            Category.RECIPIENT,
            f"{provider_name} carries Turkish mobile numbers (+90 5xx…) only, not {e164}.",
        )
    return match.group(1)


def answer_error(answer: Answer, *, code: str, detail: str = "", **kwargs: Any) -> ProviderError:
    """The typed error for a non-accepting entry of an answer table."""
    category = answer.category or Category.UNKNOWN
    text = answer.message if not answer.original else f"{answer.message} ({answer.original})"
    if detail:
        text = f"{text}: {detail}"
    error_class = CannotCarry if answer.outcome == Outcome.SKIPPED else ProviderError
    return error_class(category, text, code=code, **kwargs)


class Provider:
    """Base of every provider: declarations first, then send/check."""

    slug: ClassVar[str]
    name: ClassVar[str]
    default_priority: ClassVar[int]
    default_base_url: ClassVar[str]
    description: ClassVar[str] = ""
    username_label: ClassVar[str] = "Username"
    password_label: ClassVar[str] = "Password"
    username_help: ClassVar[str] = ""
    password_help: ClassVar[str] = ""
    # Option fields beyond base_url and timeout_seconds, as Django form fields.
    extra_option_fields: ClassVar[dict[str, forms.Field]] = {}
    # Request parameter / header / XML element names whose values are redacted in exchange logs.
    redacted_names: ClassVar[frozenset[str]] = frozenset(
        {"password", "authorization", "token", "key", "hash", "apikey", "api_key"}
    )
    max_sender_length: ClassVar[int] = 11
    max_recipients_per_request: ClassVar[int] = 1
    max_text_length: ClassVar[int] = 1600  # characters the provider takes in one message
    number_format: ClassVar[str] = "E.164"
    supports_client_id: ClassVar[bool] = False
    supports_bulk: ClassVar[bool] = False

    # -- declarations ---------------------------------------------------------------------------

    def option_fields(self) -> dict[str, forms.Field]:
        """Every option field, base ones first."""
        return {
            "base_url": forms.URLField(
                label="Base URL",
                initial=self.default_base_url,
                help_text="Scheme and host of the provider API; the documented paths are kept.",
                assume_scheme="https",
            ),
            "timeout_seconds": forms.IntegerField(
                label="Timeout (seconds)",
                initial=10,
                min_value=1,
                max_value=30,
                help_text="How long to wait for the provider before trying the next connector.",
            ),
            "max_per_second": forms.IntegerField(
                label="Max requests per second",
                required=False,
                min_value=1,
                max_value=1000,
                help_text="Provider requests per second; a bulk request counts once. Leave empty "
                "for no limit. Shared by every worker sending through this connector.",
            ),
            **self.extra_option_fields,
        }

    def default_options(self) -> dict[str, Any]:
        """Options of a new connector."""
        return {
            name: f.initial for name, f in self.option_fields().items() if f.initial is not None
        }

    def clean_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Validate options; raise ValidationError with a message per bad option."""
        options = options or {}
        fields = self.option_fields()
        unknown = sorted(set(options) - set(fields))
        data = {**self.default_options(), **{k: v for k, v in options.items() if k in fields}}
        form = forms.Form(data={k: "" if v is None else v for k, v in data.items()})
        form.fields = dict(fields)
        errors: dict[str, list[str]] = {}
        if not form.is_valid():
            errors = {f"options.{name}": list(msgs) for name, msgs in form.errors.items()}
        if unknown:
            errors["options"] = [f"Unknown option(s) for {self.name}: {', '.join(unknown)}."]
        from connectors.providers.http import url_allowed_error

        # A provider that does not speak HTTP (SMPP) declares no base_url.
        if (
            not errors
            and "base_url" in fields
            and (problem := url_allowed_error(form.cleaned_data["base_url"]))
        ):
            errors["options.base_url"] = [problem]
        if errors:
            raise ValidationError(errors)
        return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}

    def limits(self) -> dict[str, Any]:
        """What the API and the compose page tell about this provider."""
        return {
            "max_sender_length": self.max_sender_length,
            "max_recipients_per_request": self.max_recipients_per_request,
            "max_text_length": self.max_text_length,
            "number_format": self.number_format,
            "supports_bulk": self.supports_bulk,
        }

    # -- helpers for adapters -------------------------------------------------------------------

    def client(
        self, connector: Connector, *, extra_secrets: tuple[str, ...] = ()
    ) -> ProviderClient:
        """An HTTP client bound to the connector: its base URL, timeout and secrets to redact."""
        from connectors.providers.http import ProviderClient

        options = connector.options or {}
        return ProviderClient(
            base_url=options.get("base_url") or self.default_base_url,
            timeout=float(options.get("timeout_seconds") or 10),
            secrets=(connector.username, connector.password, *extra_secrets),
            redacted_names=self.redacted_names,
        )

    def sender_for(self, connector: Connector, message: OutboundSms) -> str:
        """The sender title to use, or CannotCarry when the connector does not list it."""
        titles = list(connector.sender_list or [])
        if not message.sender:
            if not titles:
                raise CannotCarry(Category.SENDER, "The connector has no sender title configured.")
            return titles[0]
        if message.sender not in titles:
            raise CannotCarry(
                Category.SENDER,
                f"Sender title '{message.sender}' is not in this connector's approved list.",
            )
        return message.sender

    def text_limit_for(self, connector: Connector) -> int:
        """Characters this connector carries in one message (connector options may lower it)."""
        return self.max_text_length

    # -- behaviour ------------------------------------------------------------------------------

    def send(self, *, connector: Connector, message: OutboundSms) -> SendResult:
        """Send one message; raise ProviderError (or CannotCarry) when it is not accepted."""
        raise NotImplementedError

    def send_bulk(self, *, connector: Connector, messages: list[OutboundSms]) -> list[BulkItem]:
        """Send messages sharing one text in as few requests as the provider allows."""
        items = []
        for message in messages:
            try:
                items.append(
                    BulkItem(message, result=self.send(connector=connector, message=message))
                )
            except ProviderError as error:
                items.append(BulkItem(message, error=error))
        return items

    def check(self, *, connector: Connector) -> CheckResult:
        """Test the connection and credentials without sending an SMS."""
        raise NotImplementedError
