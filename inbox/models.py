import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.phone import MAX_NUMBER_LENGTH

MAX_KEYWORD_LENGTH = 100


def token_generate() -> str:
    """A new receiver token: 64 hex characters, like the jtel example."""
    return secrets.token_hex(32)


class Routing(models.TextChoices):
    INBOX = "inbox", _("Inbox")
    FORWARD = "forward", _("Inbox + forward to URL")
    NONE = "none", _("None (answers 502)")


class ReceiveConnector(models.Model):
    """An inbound entry point: the receiver numbers it serves, its token and where messages go."""

    name = models.CharField(max_length=100, unique=True)
    # Stored readable on purpose: the operator pastes it into the provider's panel.
    token = models.CharField(max_length=64, default=token_generate)
    require_token = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    routing = models.CharField(max_length=10, choices=Routing.choices, default=Routing.INBOX)
    forward_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def receiver_numbers(self) -> list[str]:
        return [number.number for number in self.numbers.all()]


class ReceiverNumber(models.Model):
    """A number a receive connector serves; each number belongs to exactly one connector."""

    connector = models.ForeignKey(
        ReceiveConnector, on_delete=models.CASCADE, related_name="numbers"
    )
    number = models.CharField(max_length=MAX_NUMBER_LENGTH, unique=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class ForwardState(models.TextChoices):
    NOT_FORWARDED = "", _("Not forwarded")
    PENDING = "pending", _("Pending")
    FORWARDED = "forwarded", _("Forwarded")
    FAILED = "failed", _("Failed")


class InboundMessage(models.Model):
    """An SMS received at /SMSReceiver."""

    # Kept when the connector is deleted: received messages are records, not configuration.
    connector = models.ForeignKey(
        ReceiveConnector, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    receiver = models.CharField(max_length=MAX_NUMBER_LENGTH)
    sender = models.CharField(max_length=MAX_NUMBER_LENGTH, db_index=True)
    text = models.TextField()
    keyword = models.CharField(max_length=MAX_KEYWORD_LENGTH, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    is_read = models.BooleanField(default=False)
    is_stop_word = models.BooleanField(
        default=False, help_text="The text was a stop word; the sender opted out."
    )
    # SHA-256 of connector, numbers, text, keyword: a provider retrying a request is stored once.
    fingerprint = models.CharField(max_length=64, editable=False)
    # The fingerprint while the message is the latest of its kind: unique, so two copies arriving
    # at once store one row without a lock; a copy after the dedupe window takes the key over.
    dedupe_key = models.CharField(max_length=64, null=True, unique=True, editable=False)
    forward_state = models.CharField(
        max_length=10, choices=ForwardState.choices, blank=True, default=""
    )
    forward_attempts = models.PositiveIntegerField(default=0)
    forward_error = models.TextField(blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["sender", "-received_at"], name="inbound_conversation_idx"),
            # The sidebar counts unread messages on every page: a partial index keeps that cheap.
            models.Index(
                fields=["is_read"], condition=models.Q(is_read=False), name="inbound_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.receiver}"
