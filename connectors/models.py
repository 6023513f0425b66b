import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connectors.providers import UnknownProvider, get_provider
from connectors.providers.base import Provider
from connectors.providers.types import ANY_DESTINATION
from core.crypto import EncryptedTextField

DEFAULT_MAX_IN_FLIGHT = 16
MAX_IN_FLIGHT_LIMIT = 1000

# Where providers push delivery reports for a connector (messaging serves it).
RECEIPT_PATH = "/dlr/{connector_id}/{token}/"


def receipt_token_generate() -> str:
    """A new receipt token: 48 hex characters, hard to guess, easy to paste into a panel."""
    return secrets.token_hex(24)


def list_of_any() -> list[str]:
    """Every destination: the default of a connector made outside the services (admin, tests)."""
    return [ANY_DESTINATION]


class HealthState(models.TextChoices):
    OK = "ok", _("Healthy")
    TRIPPED = "tripped", _("Tripped")
    CREDENTIALS_REJECTED = "credentials_rejected", _("Credentials rejected")


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
    # Provider requests one worker process keeps in flight through this connector at once (the
    # options' max_per_second bounds the rate across all workers).
    max_in_flight = models.PositiveIntegerField(
        default=DEFAULT_MAX_IN_FLIGHT,
        validators=[MinValueValidator(1)],
        help_text="Provider requests a worker keeps in flight through this connector at once.",
    )
    # Provider session state (e.g. a JoSMS bearer token), encrypted like the password.
    session_token = EncryptedTextField(blank=True, default="")
    # The secret in the connector's receipt URL; compared in constant time.
    receipt_token = models.CharField(max_length=64, default=receipt_token_generate)

    # Routing and cost (connectors/routing.py, connectors/routing_fields.py).
    destinations = models.JSONField(
        default=list_of_any,
        blank=True,
        help_text='Calling-code prefixes this connector carries, e.g. ["90"], or ["any"].',
    )
    iys_checked_by_account = models.BooleanField(
        default=False,
        help_text="An operator vouches that the provider checks İYS consent on its side for this "
        "account, so commercial Turkish messages may go through it.",
    )
    price_per_segment = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True, help_text="Blank: unknown."
    )
    country_prices = models.JSONField(
        default=dict, blank=True, help_text='Price per segment by country, e.g. {"JO": "0.0300"}.'
    )
    promotional_titles = models.JSONField(
        default=list,
        blank=True,
        help_text="Sender titles registered for promotional SMS (Jordan's ADV titles).",
    )

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
    def provider_class(self) -> Provider:
        return get_provider(self.provider)

    @property
    def provider_name(self) -> str:
        try:
            return get_provider(self.provider).name
        except UnknownProvider:
            return f"Unknown provider '{self.provider}'"

    @property
    def default_sender(self) -> str:
        return self.sender_list[0] if self.sender_list else ""

    @property
    def receipt_path(self) -> str:
        """The path providers push this connector's delivery reports to."""
        return RECEIPT_PATH.format(connector_id=self.pk, token=self.receipt_token)

    @property
    def receipt_url(self) -> str:
        """The full receipt URL sent to providers; "" until SMSCONSOLE_PUBLIC_URL is set."""
        base = settings.SMSCONSOLE_PUBLIC_URL.rstrip("/")
        return f"{base}{self.receipt_path}" if base and self.pk else ""

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


class Route(models.Model):
    """The order connectors are tried in for one destination country, instead of the global one."""

    country = models.CharField(max_length=2, unique=True, help_text="ISO region code, e.g. JO.")
    others_after = models.BooleanField(
        default=True,
        help_text="After the listed connectors, try the other connectors that carry the country, "
        "by priority.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return f"Route for {self.country}"


class RouteStep(models.Model):
    """One connector of a route, at its place."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="steps")
    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "connector"], name="route_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.route.country} {self.position}: {self.connector_id}"


class ConnectorSendSlot(models.Model):
    """When a connector may next be sent through (its max_per_second), shared by every worker."""

    connector = models.OneToOneField(
        Connector, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    next_at = models.FloatField(default=0.0, help_text="Unix time of the next free slot.")

    def __str__(self) -> str:
        return f"{self.connector_id}: next at {self.next_at}"
