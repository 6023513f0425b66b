from django.db import models
from django.db.models import Q

from connectors.providers.base import Category, Outcome
from messaging.text import ENCODINGS, GSM_7


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class MessageKind(models.TextChoices):
    TRANSACTIONAL = "transactional", "Transactional"
    COMMERCIAL = "commercial", "Commercial"


# Message-level error when no connector was even tried (provider categories cover the rest).
NO_CONNECTOR = "no_connector"


class Message(models.Model):
    """One outbound SMS; the source of truth for its sending (a task is only a kick)."""

    to = models.CharField(max_length=20, help_text="E.164, e.g. +905321234567.")
    text = models.TextField()
    sender = models.CharField(
        max_length=20, blank=True, help_text="Blank: the connector's default title."
    )
    kind = models.CharField(
        max_length=16, choices=MessageKind.choices, default=MessageKind.TRANSACTIONAL
    )
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    encoding = models.CharField(max_length=16, choices=[(e, e) for e in ENCODINGS], default=GSM_7)
    segments = models.PositiveSmallIntegerField(default=1)
    connector = models.ForeignKey(
        "connectors.Connector",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        help_text=(
            "While queued: the pinned connector (blank = any). Once sent: the one that carried it."
        ),
    )
    pinned = models.BooleanField(default=False, help_text="Only the chosen connector may carry it.")
    provider_message_id = models.CharField(max_length=100, blank=True)
    error_category = models.CharField(max_length=20, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_detail = models.TextField(blank=True)

    idempotency_key = models.CharField(max_length=100, blank=True)
    api_key = models.ForeignKey(
        "smsconsole.ApiKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )

    # Dispatch bookkeeping: when it may go next, who holds it until when, how often it was retried.
    due_at = models.DateTimeField()
    kicked_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    retries = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The log pages newest first by id (keyset); each filter has an index ending in id.
            models.Index(fields=["status", "-id"], name="message_status_idx"),
            models.Index(fields=["connector", "-id"], name="message_connector_idx"),
            models.Index(fields=["kind", "-id"], name="message_kind_idx"),
            models.Index(fields=["to", "-id"], name="message_to_idx"),
            models.Index(fields=["created_at"], name="message_created_idx"),
            # The sweeper: queued messages that are due, sending ones whose lease ran out.
            models.Index(fields=["status", "due_at"], name="message_due_idx"),
            models.Index(fields=["status", "lease_expires_at"], name="message_lease_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "idempotency_key"],
                condition=~Q(idempotency_key="") & Q(api_key__isnull=False),
                name="message_idempotency_per_api_key",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key="") & Q(api_key__isnull=True),
                name="message_idempotency_console",
            ),
        ]

    def __str__(self) -> str:
        return f"SMS {self.pk} to {self.to} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in (MessageStatus.QUEUED, MessageStatus.SENDING)

    @property
    def campaign(self):
        """The campaign this message was made for, or None (through its campaign recipient)."""
        recipient = getattr(self, "campaign_recipient", None)  # None when it has no recipient
        return recipient.campaign if recipient else None

    @property
    def error_category_label(self) -> str:
        if self.error_category == NO_CONNECTOR:
            return "No usable connector"
        if self.error_category in Category.values:
            return Category(self.error_category).label
        return self.error_category or "Error"

    @property
    def error(self) -> dict:
        return {
            "category": self.error_category,
            "code": self.error_code,
            "detail": self.error_detail,
        }


class Attempt(models.Model):
    """One try of one connector for one message, with the redacted provider exchanges."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts")
    connector = models.ForeignKey(
        "connectors.Connector",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attempts",
    )
    connector_name = models.CharField(max_length=100)
    provider = models.CharField(max_length=40)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    provider_code = models.CharField(max_length=40, blank=True)
    detail = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    exchanges = models.JSONField(
        default=list, blank=True, help_text="Redacted requests and answers."
    )
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.connector_name}: {self.outcome}"


class WorkerHeartbeat(models.Model):
    """When a worker last ran the sweeper, so the console can tell when no worker is running."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
