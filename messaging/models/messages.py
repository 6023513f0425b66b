"""Messages, the provider requests that carry them and each message's attempts."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connectors.providers.types import Category, DeliveryState, Outcome
from core.text import ENCODINGS, GSM_7


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class MessageKind(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Transactional")
    COMMERCIAL = "commercial", _("Commercial")


# Message-level errors when no connector was even tried (provider categories cover the rest).
NO_CONNECTOR = "no_connector"
OPTED_OUT = "opted_out"  # the number opted out while the commercial message waited: cancelled


class IysRecipientType(models.TextChoices):
    BIREYSEL = "BIREYSEL", _("BIREYSEL (individuals)")
    TACIR = "TACIR", _("TACIR (merchants)")


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
    iys_recipient_type = models.CharField(
        max_length=10,
        choices=IysRecipientType.choices,
        blank=True,
        help_text="İYS list of a commercial Turkish message; blank: the connector's default.",
    )
    quiet_hours_override = models.BooleanField(
        default=False, help_text="Sent even in its country's quiet hours (an audited override)."
    )
    hold_reason = models.CharField(
        max_length=200, blank=True, help_text="Why it waits until due_at, e.g. quiet hours."
    )
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

    # After this it is failed as expired, never sent late (None: it may wait as long as it takes).
    expires_at = models.DateTimeField(null=True, blank=True)
    # Where its events are posted, signed with its API key's callback secret (API messages only).
    callback_url = models.CharField(max_length=500, blank=True)

    # Dispatch bookkeeping: when it may go next, who holds it until when, how often it was retried.
    due_at = models.DateTimeField()
    kicked_at = models.DateTimeField(null=True, blank=True)
    # Kicked with the others of its batch (a campaign chunk), whose bulk requests it should share:
    # a single message's kick does not take it along.
    in_batch = models.BooleanField(default=False)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    retries = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    # Delivery, a second axis after sending: what the provider's receipts say (monotonic).
    delivery_state = models.CharField(
        max_length=12, choices=DeliveryState.choices, default=DeliveryState.NONE
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_code = models.CharField(
        max_length=40, blank=True, help_text="The provider's own code of the last receipt."
    )
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    # When a report query last asked about it (providers whose receipts are pulled).
    report_polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["delivery_state", "-id"], name="message_delivery_idx"),
            # Receipts find their message by the id the provider gave it.
            models.Index(fields=["provider_message_id"], name="message_provider_id_idx"),
            # The dashboard's rollup: messages by when they reached a final delivery state.
            models.Index(
                fields=["delivery_updated_at"],
                condition=Q(delivery_state__in=["delivered", "undelivered", "expired", "rejected"]),
                name="message_delivery_final_idx",
            ),
            # Report polling and the wait's end: pending messages by when they were sent.
            models.Index(
                fields=["connector", "sent_at"],
                condition=Q(delivery_state="pending"),
                name="message_delivery_pending_idx",
            ),
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
            return _("No usable connector")
        if self.error_category == OPTED_OUT:
            return _("Cancelled: opted out")
        if self.error_category in Category.values:
            return Category(self.error_category).label
        return self.error_category or _("Error")

    @property
    def error(self) -> dict:
        return {
            "category": self.error_category,
            "code": self.error_code,
            "detail": self.error_detail,
        }


class ProviderRequest(models.Model):
    """One request to a provider with its redacted exchanges, shared by the attempts of the
    messages it carried (a bulk request's 150 KB are stored once, not once per number).

    Written just before the request goes out (in flight, with the ids it carries) and completed
    with the answer: a worker that takes over a message of a request left in flight by a dead
    worker knows the provider may have taken it (messaging.services.inflight).
    """

    connector = models.ForeignKey(
        "connectors.Connector", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    message_count = models.PositiveIntegerField(default=1, help_text="Messages it carried.")
    message_ids = models.JSONField(default=list, blank=True, help_text="Ids of the messages.")
    in_flight = models.BooleanField(
        default=False, help_text="Gone out, and no answer recorded (yet, or ever: a worker died)."
    )
    exchanges = models.JSONField(
        default=list, blank=True, help_text="Redacted requests and answers."
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["in_flight"], condition=Q(in_flight=True), name="request_in_flight_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Provider request {self.pk} ({self.message_count} messages)"


class Attempt(models.Model):
    """One try of one connector for one message; its provider request holds the exchanges."""

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
    cost = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Segments × the connector's price for the country, on an accepted attempt.",
    )
    request = models.ForeignKey(
        ProviderRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attempts",
        help_text="Empty when no request was made (decided without the network).",
    )
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.connector_name}: {self.outcome}"

    @property
    def exchanges(self) -> list[dict]:
        """The redacted exchanges of the request that carried it ([] when none was made)."""
        return self.request.exchanges if self.request_id else []


class WorkerHeartbeat(models.Model):
    """When a worker last ran the sweeper, so the console can tell when no worker is running."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
