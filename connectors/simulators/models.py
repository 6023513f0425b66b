"""State of the provider simulators: accounts, failure modes and the messages they received."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FailureMode(models.TextChoices):
    NONE = "none", _("Working normally")
    WRONG_CREDENTIALS = "wrong_credentials", _("Reject every credential")
    NO_BALANCE = "no_balance", _("Out of balance")
    HTTP_500 = "http_500", _("Server error (HTTP 500)")
    SLOW = "slow", _("Slow answers")
    FIXED_ANSWER = "fixed_answer", _("Fixed answer to every request")
    DROP = "drop", _("Drop every connection")


# The SMSC simulator speaks SMPP over TCP: its modes read in SMPP terms, and only it can drop a
# connection (a Django view cannot cut its TCP connection).
SMPP_SLUG = "smsc"
SMPP_MODE_LABELS = {
    FailureMode.WRONG_CREDENTIALS: _("Refuse every bind (ESME_RBINDFAIL)"),
    FailureMode.NO_BALANCE: _("Out of balance (ESME_RSUBMITFAIL)"),
    FailureMode.HTTP_500: _("System error (ESME_RSYSERR)"),
    FailureMode.FIXED_ANSWER: _("Fixed command status to every submit_sm"),
    FailureMode.DROP: _("Drop every connection (SMSC down)"),
}


def failure_mode_choices(slug: str) -> list[tuple[str, str]]:
    """The failure modes a simulated provider offers, labelled in its protocol's terms."""
    if slug == SMPP_SLUG:
        return [(mode, SMPP_MODE_LABELS.get(mode, label)) for mode, label in FailureMode.choices]
    return [(mode, label) for mode, label in FailureMode.choices if mode != FailureMode.DROP]


def default_delivered_percent() -> int:
    """New simulated providers deliver this share of messages (the rest are undelivered)."""
    return settings.SMSCONSOLE_SIMULATOR_DELIVERED_PERCENT


def default_receipt_delay() -> int:
    """New simulated providers report a message final this many seconds after taking it."""
    return settings.SMSCONSOLE_SIMULATOR_RECEIPT_DELAY_SECONDS


class ReceiptState(models.TextChoices):
    """What a simulator decided became of a message (its receipt once the delay is over)."""

    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Undelivered")


class SimulatedProvider(models.Model):
    """One simulated provider (by slug) and the failure mode it is in."""

    slug = models.SlugField(max_length=40, unique=True)
    failure_mode = models.CharField(
        max_length=24, choices=FailureMode.choices, default=FailureMode.NONE
    )
    slow_seconds = models.PositiveIntegerField(
        default=15, help_text="How long a slow answer takes, in seconds."
    )
    fixed_status = models.PositiveIntegerField(
        default=200, help_text="HTTP status of the fixed answer."
    )
    fixed_body = models.TextField(blank=True, help_text="Body of the fixed answer, sent as is.")
    delivered_percent = models.PositiveSmallIntegerField(
        default=default_delivered_percent,
        help_text="Share of messages delivered; the others are undelivered.",
    )
    receipt_delay_seconds = models.PositiveIntegerField(
        default=default_receipt_delay,
        help_text="How long after taking a message its receipt is pushed or reported final.",
    )
    latency_ms = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How long every answer takes, in milliseconds (± the jitter); blank: the "
        "default, SMSCONSOLE_SIMULATOR_LATENCY_MS.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def answer_after_ms(self) -> int:
        """The latency its answers take: its own, else the default setting."""
        return (
            settings.SMSCONSOLE_SIMULATOR_LATENCY_MS if self.latency_ms is None else self.latency_ms
        )


class SimulatorAccount(models.Model):
    """An account at a simulated provider: what a connector's credentials must match."""

    provider = models.ForeignKey(
        SimulatedProvider, on_delete=models.CASCADE, related_name="accounts"
    )
    # A simulator stands in for a remote system's user table, so it compares plain values.
    username = models.CharField(max_length=255)
    password = models.CharField(max_length=255)
    balance = models.PositiveIntegerField(default=1000, help_text="SMS credits left.")
    sender_titles = models.JSONField(default=list, blank=True, help_text="Approved sender titles.")
    max_text_length = models.PositiveIntegerField(
        default=612, help_text="Longest text the account may send, in characters."
    )
    # Tokens issued to this account (JoSMS); an empty value means none is valid.
    token = models.CharField(max_length=64, blank=True)
    receipt_url = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where receipts are pushed, as set in the provider's panel (a webhook URL).",
    )

    class Meta:
        ordering = ["provider__slug", "username"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "username"], name="simulator_account_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider.slug}:{self.username}"


class ReceivedSms(models.Model):
    """One message (to one number) a simulator accepted."""

    account = models.ForeignKey(SimulatorAccount, on_delete=models.CASCADE, related_name="received")
    order_id = models.PositiveBigIntegerField(
        db_index=True, help_text="The id the provider answered with."
    )
    client_id = models.CharField(
        max_length=64, blank=True, help_text="The caller's own message id, if sent."
    )
    sender = models.CharField(max_length=40)
    number = models.CharField(max_length=32)
    text = models.TextField()
    validity = models.CharField(
        max_length=32,
        blank=True,
        help_text="How long the message may wait to be sent, as the request gave it (the "
        "provider's own field and unit); blank when it gave none.",
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Its delivery: decided on arrival, final at receipt_due_at; pushed to receipt_url, if any.
    receipt_state = models.CharField(max_length=12, choices=ReceiptState.choices, blank=True)
    receipt_due_at = models.DateTimeField(null=True, blank=True)
    receipt_url = models.CharField(max_length=500, blank=True)
    receipt_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the receipt was pushed or handed out."
    )
    receipt_answer = models.CharField(
        max_length=200, blank=True, help_text="What the push was answered."
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "client_id"], name="simulator_client_id_idx"),
            models.Index(
                fields=["receipt_due_at"],
                condition=~models.Q(receipt_url="") & models.Q(receipt_sent_at__isnull=True),
                name="simulator_receipt_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.number}"
