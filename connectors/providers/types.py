"""The values and errors of talking to a provider: outcomes, answers, messages, exchanges, results.

Nothing here talks to the network or knows a provider; base.py, http.py and every adapter build
on these types.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    FAILED = "failed", gettext_lazy("Failed")
    SKIPPED = "skipped", gettext_lazy("Skipped")


class Category(models.TextChoices):
    CREDENTIALS = "credentials", gettext_lazy("Credentials")
    BALANCE = "balance", gettext_lazy("Balance")
    SENDER = "sender", gettext_lazy("Sender title")
    CONTENT = "content", gettext_lazy("Content")
    RECIPIENT = "recipient", gettext_lazy("Recipient")
    RATE_LIMIT = "rate_limit", gettext_lazy("Rate limit")
    PROVIDER_ERROR = "provider_error", gettext_lazy("Provider error")
    TIMEOUT = "timeout", gettext_lazy("Timeout")
    NETWORK = "network", gettext_lazy("Network")
    EXPIRED = "expired", gettext_lazy("Expired")
    UNKNOWN = "unknown", gettext_lazy("Unknown")
    # Not a provider answer: a legal rule kept the connector from carrying the message (İYS).
    COMPLIANCE = "compliance", gettext_lazy("Compliance")


# İYS recipient types (Turkey): individuals and merchants.
IYS_RECIPIENT_TYPES = ("BIREYSEL", "TACIR")
# A connector destination that stands for every country.
ANY_DESTINATION = "any"

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
    iys_recipient_type: str = ""  # BIREYSEL or TACIR; "" means the connector's default
    # Set by Provider.preflight: the recipient as the provider is sent it (e.g. 905321234567).
    number: str = ""
    # After this moment the message must not be sent (None: no validity given).
    expires_at: datetime | None = None

    def seconds_left(self) -> int | None:
        """Whole seconds of validity left now (0 once expired); None when it has no validity."""
        if self.expires_at is None:
            return None
        return max(0, int((self.expires_at - timezone.now()).total_seconds()))

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


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
    ) -> None:
        super().__init__(detail)
        self.category = Category(category)
        self.detail = detail
        self.code = code
        self.http_status = http_status

    @property
    def transient(self) -> bool:
        """Whether the failure may pass by itself, so a later retry makes sense."""
        return self.category in TRANSIENT_CATEGORIES


class CannotCarry(ProviderError):
    """The connector cannot carry this message (number, sender title, text): nothing was sent."""

    outcome = Outcome.SKIPPED


def expired_detail(expires_at: datetime) -> str:
    """What is said of a message whose validity ran out before it was sent."""
    return gettext(
        "The message's validity ran out at %(moment)s before it could be sent, so it was not sent."
    ) % {"moment": f"{timezone.localtime(expires_at):%Y-%m-%d %H:%M:%S}"}


class MessageExpired(CannotCarry):
    """The message's validity ran out before it could be sent: nothing was sent, nor ever will be."""

    def __init__(self, message: OutboundSms) -> None:
        super().__init__(Category.EXPIRED, expired_detail(message.expires_at))


def answer_error(answer: Answer, *, code: str, detail: str = "", **kwargs: Any) -> ProviderError:
    """The typed error for a non-accepting entry of an answer table."""
    category = answer.category or Category.UNKNOWN
    text = answer.message if not answer.original else f"{answer.message} ({answer.original})"
    if detail:
        text = f"{text}: {detail}"
    error_class = CannotCarry if answer.outcome == Outcome.SKIPPED else ProviderError
    return error_class(category, text, code=code, **kwargs)


@dataclass
class SendResult:
    """An accepted message."""

    provider_message_id: str
    code: str = ""
    detail: str = ""
    http_status: int | None = None


@dataclass
class BulkItem:
    """The result for one message of a bulk request: a SendResult or a ProviderError."""

    message: OutboundSms
    result: SendResult | None = None
    error: ProviderError | None = None


@dataclass
class CheckResult:
    """The answer to "Test connection"; the caller adds the exchanges it logged."""

    ok: bool
    detail: str
    balance: str = ""
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass(frozen=True)
class TokenStore:
    """Where an adapter keeps a provider session token between sends; the gateway hands one in."""

    stored: Callable[[], str]  # the token stored now (another worker may have replaced it)
    store: Callable[[str], None]


# No store: a token lives on the connector object for this call only.
NO_TOKEN_STORE = TokenStore(stored=lambda: "", store=lambda token: None)


@dataclass(frozen=True)
class Call:
    """What the caller hands an adapter for one provider request: the exchange log to append to
    (the caller's, so exchanges made before a failure or a crash are kept) and the token store."""

    log: list[Exchange]
    tokens: TokenStore = NO_TOKEN_STORE


@dataclass
class MessageResult:
    """What one provider request made of one message, ready to record as an attempt."""

    message: OutboundSms
    outcome: Outcome
    category: str = ""  # a Category; "" when accepted
    code: str = ""  # the provider's own code, when it gave one
    detail: str = ""
    http_status: int | None = None
    provider_message_id: str = ""
    exchanges: list[Exchange] = field(default_factory=list)

    @classmethod
    def of(
        cls, message: OutboundSms, outcome: SendResult | ProviderError, exchanges: list[Exchange]
    ) -> "MessageResult":
        """The result of a message from what its adapter (or preflight) returned or raised."""
        accepted = isinstance(outcome, SendResult)
        return cls(
            message,
            Outcome.ACCEPTED if accepted else outcome.outcome,
            category="" if accepted else outcome.category,
            code=outcome.code,
            detail=outcome.detail,
            http_status=outcome.http_status,
            provider_message_id=outcome.provider_message_id if accepted else "",
            exchanges=exchanges,
        )

    @property
    def transient(self) -> bool:
        """Whether a failure may pass by itself, so a later retry makes sense."""
        return self.outcome == Outcome.FAILED and self.category in TRANSIENT_CATEGORIES


# -- delivery reports ------------------------------------------------------------------------------


class DeliveryState(models.TextChoices):
    """What became of a sent message at the handset, as its provider's receipts tell."""

    NONE = "none", gettext_lazy("Not sent")
    PENDING = "pending", gettext_lazy("Pending")
    DELIVERED = "delivered", gettext_lazy("Delivered")
    UNDELIVERED = "undelivered", gettext_lazy("Undelivered")
    EXPIRED = "expired", gettext_lazy("Expired")
    REJECTED = "rejected", gettext_lazy("Rejected")
    UNKNOWN = "unknown", gettext_lazy("Unknown")


# States a receipt ends a message's delivery in: they never move.
FINAL_DELIVERY_STATES = frozenset(
    {
        DeliveryState.DELIVERED,
        DeliveryState.UNDELIVERED,
        DeliveryState.EXPIRED,
        DeliveryState.REJECTED,
    }
)


@dataclass
class Receipt:
    """One delivery report of one message, read from a provider's push, report answer or PDU."""

    state: str  # a DeliveryState
    provider_message_id: str = ""
    number: str = ""  # the recipient in E.164 ("" when the provider gives none)
    message_id: int | None = None  # our own id, where the provider echoes it back
    code: str = ""  # the provider's own status or error code
    detail: str = ""
    occurred_at: datetime | None = None  # when the provider says it happened
    opted_out: bool = False  # the recipient unsubscribed (e.g. Twilio 21610)
    raw: str = ""  # this receipt's part of what the provider sent
    # The same provider id written otherwise (SMPP ids in hex or decimal).
    alternative_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReceiptRequest:
    """A receipt pushed to the console, as it came: the URL asked for, headers and body."""

    url: str
    content_type: str
    body: bytes
    fields: dict[str, str]  # form fields (urlencoded bodies) and query parameters
    headers: dict[str, str]


@dataclass(frozen=True)
class SentSms:
    """A sent message whose delivery is still pending, as a report query needs it."""

    id: int
    provider_message_id: str
    to: str  # E.164


class ReceiptRefused(Exception):
    """A pushed receipt that fails the provider's own check (e.g. a bad signature): not stored."""
