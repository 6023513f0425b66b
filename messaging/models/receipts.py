"""Delivery receipts as stored: pushed by a provider or answered to a report query."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connectors.providers.types import DeliveryState
from messaging.models.messages import Message


class ReceiptSource(models.TextChoices):
    PUSH = "push", _("Pushed by the provider")
    PULL = "pull", _("Report query")
    SMPP = "smpp", _("SMPP deliver_sm")


class DeliveryReport(models.Model):
    """One receipt from a provider as it came (redacted), what it says and the message it is for.

    A pushed receipt is stored raw first and read by a task; one push may carry several receipts,
    each then gets its own row. A receipt that matches no message is kept (message None).
    """

    connector = models.ForeignKey(
        "connectors.Connector",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delivery_reports",
    )
    source = models.CharField(max_length=8, choices=ReceiptSource.choices)
    message = models.ForeignKey(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delivery_reports",
    )
    provider_message_id = models.CharField(max_length=100, blank=True)
    number = models.CharField(max_length=40, blank=True)
    state = models.CharField(
        max_length=12, choices=DeliveryState.choices, blank=True, help_text="Blank: not read yet."
    )
    code = models.CharField(max_length=40, blank=True)
    detail = models.TextField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    raw = models.TextField(blank=True, help_text="What the provider sent, secrets redacted.")
    applied = models.BooleanField(
        default=False, help_text="It moved the message's delivery state (else late or repeated)."
    )
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # A reading task holds an unread push until then; one that died mid-batch leaves it to others.
    reading_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["message", "id"], name="delivery_report_message_idx"),
            # The Delivery reports page: receipts read and matched to no message, newest first.
            models.Index(
                fields=["-id"],
                condition=Q(message__isnull=True, processed_at__isnull=False),
                name="delivery_report_unmatched_idx",
            ),
            # Pushed receipts a task has not read yet (their kick was lost).
            models.Index(
                fields=["id"],
                condition=Q(processed_at__isnull=True),
                name="delivery_report_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Receipt {self.pk}: {self.state or 'unread'}"
