from django.db import models
from django.utils import timezone

from smsconsole.crypto import EncryptedTextField


class HealthState(models.TextChoices):
    OK = "ok", "Healthy"
    TRIPPED = "tripped", "Tripped"
    CREDENTIALS_REJECTED = "credentials_rejected", "Credentials rejected"


class Connector(models.Model):
    """An outbound SMS provider account; messages go through the first usable one by priority."""

    name = models.CharField(max_length=100)
    provider = models.CharField(
        max_length=40, help_text="Slug of a provider in SMSCONSOLE_PROVIDERS."
    )
    priority = models.PositiveIntegerField(default=100, help_text="Lower goes first; ties by id.")
    is_active = models.BooleanField(default=True)
    username = models.CharField(max_length=255, blank=True)
    password = EncryptedTextField(blank=True)
    sender_list = models.JSONField(
        default=list, blank=True, help_text="Approved sender titles; the first is the default."
    )
    options = models.JSONField(default=dict, blank=True)
    # Provider session state (e.g. a JoSMS bearer token), encrypted like the password.
    session_token = EncryptedTextField(blank=True, default="")

    health_state = models.CharField(
        max_length=24, choices=HealthState.choices, default=HealthState.OK
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    tripped_until = models.DateTimeField(null=True, blank=True)

    last_check_ok = models.BooleanField(null=True, blank=True)
    last_check_detail = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "id"]
        indexes = [
            models.Index(fields=["is_active", "priority", "id"], name="connector_dispatch_idx")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def provider_class(self):
        from connectors.providers import get_provider

        return get_provider(self.provider)

    @property
    def provider_name(self) -> str:
        from connectors.providers import UnknownProvider, get_provider

        try:
            return get_provider(self.provider).name
        except UnknownProvider:
            return f"Unknown provider '{self.provider}'"

    @property
    def default_sender(self) -> str:
        return self.sender_list[0] if self.sender_list else ""

    @property
    def is_tripped(self) -> bool:
        """Skipped by the dispatcher right now."""
        if self.health_state == HealthState.CREDENTIALS_REJECTED:
            return True
        return self.health_state == HealthState.TRIPPED and (
            self.tripped_until is None or self.tripped_until > timezone.now()
        )

    @property
    def health(self) -> dict:
        return {
            "state": self.health_state,
            "consecutive_failures": self.consecutive_failures,
            "last_error": self.last_error,
            "tripped_until": self.tripped_until,
        }


class ConnectorSendSlot(models.Model):
    """When a connector may next be sent through (its max_per_second), shared by every worker."""

    connector = models.OneToOneField(
        Connector, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    next_at = models.FloatField(default=0.0, help_text="Unix time of the next free slot.")

    def __str__(self) -> str:
        return f"{self.connector_id}: next at {self.next_at}"
