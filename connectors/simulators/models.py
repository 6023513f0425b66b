"""State of the provider simulators: accounts, failure modes and the messages they received."""

from django.db import models


class FailureMode(models.TextChoices):
    NONE = "none", "Working normally"
    WRONG_CREDENTIALS = "wrong_credentials", "Reject every credential"
    NO_BALANCE = "no_balance", "Out of balance"
    HTTP_500 = "http_500", "Server error (HTTP 500)"
    SLOW = "slow", "Slow answers"
    FIXED_ANSWER = "fixed_answer", "Fixed answer to every request"
    DROP = "drop", "Drop every connection"


# The SMSC simulator speaks SMPP over TCP: its modes read in SMPP terms, and only it can drop a
# connection (a Django view cannot cut its TCP connection).
SMPP_SLUG = "smsc"
SMPP_MODE_LABELS = {
    FailureMode.WRONG_CREDENTIALS: "Refuse every bind (ESME_RBINDFAIL)",
    FailureMode.NO_BALANCE: "Out of balance (ESME_RSUBMITFAIL)",
    FailureMode.HTTP_500: "System error (ESME_RSYSERR)",
    FailureMode.FIXED_ANSWER: "Fixed command status to every submit_sm",
    FailureMode.DROP: "Drop every connection (SMSC down)",
}


def failure_mode_choices(slug: str) -> list[tuple[str, str]]:
    """The failure modes a simulated provider offers, labelled in its protocol's terms."""
    if slug == SMPP_SLUG:
        return [(mode, SMPP_MODE_LABELS.get(mode, label)) for mode, label in FailureMode.choices]
    return [(mode, label) for mode, label in FailureMode.choices if mode != FailureMode.DROP]


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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


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
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "client_id"], name="simulator_client_id_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.number}"
