"""The transitions of a message posted to its callback URL, and each post's attempts."""

from django.db import models
from django.utils.translation import gettext_lazy

from messaging.models.messages import Message


class EventType(models.TextChoices):
    SENT = "message.sent", gettext_lazy("Sent")
    FAILED = "message.failed", gettext_lazy("Failed")
    EXPIRED = "message.expired", gettext_lazy("Expired")
    DELIVERED = "message.delivered", gettext_lazy("Delivered")
    UNDELIVERED = "message.undelivered", gettext_lazy("Undelivered")


class CallbackState(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    DELIVERED = "delivered", gettext_lazy("Delivered")
    FAILED = "failed", gettext_lazy("Given up")


class MessageEvent(models.Model):
    """One transition of a message with a callback URL, posted there (signed) until it is taken."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=24, choices=EventType.choices)
    # The JSON posted, fixed when the event happened, so every retry signs the same body.
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=CallbackState.choices, default=CallbackState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One event per transition, however often a worker records it.
            models.UniqueConstraint(fields=["message", "event"], name="message_event_once"),
        ]
        indexes = [
            # The sweeper: pending events whose attempt is overdue.
            models.Index(fields=["state", "next_attempt_at"], name="message_event_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} of SMS {self.message_id} ({self.state})"


class CallbackAttempt(models.Model):
    """One POST of an event: the answer's status code and our own words, never its body."""

    event = models.ForeignKey(MessageEvent, on_delete=models.CASCADE, related_name="deliveries")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.event.event} attempt {self.number}"
