from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from messaging.campaigns.rendering import placeholders_in
from messaging.models import IysRecipientType, MessageKind


class Template(models.Model):
    """A message text made in the panel, with {{placeholders}}, sent by key from the API."""

    key = models.SlugField(
        max_length=64,
        unique=True,
        help_text="What integrations send as notificationKey, e.g. order-shipped.",
    )
    name = models.CharField(max_length=100)
    text = models.TextField(help_text="Placeholders like {{first_name}} are filled per recipient.")
    kind = models.CharField(
        max_length=16, choices=MessageKind.choices, default=MessageKind.TRANSACTIONAL
    )
    sender = models.CharField(
        max_length=20, blank=True, help_text="Blank: the connector's default title."
    )
    iys_recipient_type = models.CharField(
        max_length=10,
        choices=IysRecipientType.choices,
        blank=True,
        help_text="İYS list for commercial Turkish messages; blank: the connector's default.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def placeholders(self) -> list[str]:
        return placeholders_in(self.text)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportStatus(models.TextChoices):
    DONE = "", _("Imported")
    IMPORTING = "importing", _("Importing")
    FAILED = "failed", _("Import failed")


class PauseReason(models.TextChoices):
    """Why the console paused a campaign by itself (blank: a person paused it)."""

    QUIET_HOURS = "quiet_hours", _("Quiet hours")
    SPEND_CAP = "spend_cap", _("Spend cap reached")


class Campaign(models.Model):
    """One text (or template) sent to a list of recipients, in chunks, now or at a set time."""

    name = models.CharField(max_length=120)
    template = models.ForeignKey(
        Template, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns"
    )
    # The text as it was when the campaign was made: editing the template later changes nothing here.
    text = models.TextField()
    kind = models.CharField(
        max_length=16, choices=MessageKind.choices, default=MessageKind.COMMERCIAL
    )
    sender = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the recipients came from."
    )
    iys_recipient_type = models.CharField(
        max_length=10,
        choices=IysRecipientType.choices,
        blank=True,
        help_text="İYS list for commercial Turkish messages; blank: the connector's default.",
    )

    # Spend and the rules that pause a campaign by themselves (messaging/campaigns/compliance.py).
    max_spend = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="Blank: no cap."
    )
    spend_reserved = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        default=0,
        help_text="The most the messages made so far can cost (each at its dearest connector).",
    )
    quiet_hours_override = models.BooleanField(
        default=False, help_text="Sends even in quiet hours (set by someone allowed to, audited)."
    )
    paused_reason = models.CharField(max_length=12, choices=PauseReason.choices, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True, help_text="When quiet hours end.")

    # The intake report, fixed when the recipients are imported.
    recipient_count = models.PositiveIntegerField(default=0)
    total_segments = models.PositiveBigIntegerField(default=0)
    min_segments = models.PositiveSmallIntegerField(default=0)
    max_segments = models.PositiveSmallIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    opted_out_count = models.PositiveIntegerField(default=0)
    # A large CSV upload is imported by a worker; the campaign page shows how far it got.
    import_status = models.CharField(
        max_length=10, choices=ImportStatus.choices, blank=True, default=ImportStatus.DONE
    )
    import_rows_read = models.PositiveIntegerField(default=0)
    import_rows_total = models.PositiveIntegerField(
        default=0, help_text="Lines of the upload after its header (a quoted cell may span lines)."
    )
    import_error = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        "smsconsole.ApiKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_chunk_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "last_chunk_at"], name="campaign_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def schedule_name(self) -> str:
        return f"campaign {self.pk}: start"

    @property
    def can_start(self) -> bool:
        return (
            self.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
            and self.recipient_count > 0
        )

    @property
    def can_pause(self) -> bool:
        return self.status in (CampaignStatus.SENDING, CampaignStatus.SCHEDULED)

    @property
    def can_resume(self) -> bool:
        return self.status == CampaignStatus.PAUSED

    @property
    def can_cancel(self) -> bool:
        return self.status in (
            CampaignStatus.DRAFT,
            CampaignStatus.SCHEDULED,
            CampaignStatus.SENDING,
            CampaignStatus.PAUSED,
        )


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    HANDED_OVER = "handed_over", _("Message created")
    SKIPPED = "skipped", _("Left out")
    CANCELLED = "cancelled", _("Cancelled")


class CampaignRecipient(models.Model):
    """One number of a campaign with its placeholder values; linked to its message once made."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    line = models.PositiveIntegerField(
        help_text="Line of the upload (or position in the list) it came from."
    )
    to = models.CharField(max_length=20, help_text="E.164.")
    params = models.JSONField(default=dict, blank=True)
    segments = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=12, choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    # The messages stay in the message log; this link is how the log (and this page) finds the campaign.
    message = models.OneToOneField(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_recipient",
    )
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["campaign", "status", "id"], name="recipient_next_idx"),
            # The message log filtered by campaign pages by message id within the campaign.
            models.Index(fields=["campaign", "-message"], name="recipient_message_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "to"], name="recipient_unique_per_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.to} ({self.status})"


class RejectionReason(models.TextChoices):
    INVALID = "invalid", _("Invalid")
    DUPLICATE = "duplicate", _("Duplicate")
    OPTED_OUT = "opted_out", _("Opted out")


class CampaignRejectedRow(models.Model):
    """A row of the upload that was left out, with its line number and why."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rejected_rows")
    line = models.PositiveIntegerField()
    value = models.CharField(max_length=200, blank=True, help_text="The number as given.")
    reason = models.CharField(max_length=10, choices=RejectionReason.choices)
    detail = models.CharField(max_length=300)

    class Meta:
        ordering = ["line", "id"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.detail}"


class CampaignUploadPart(models.Model):
    """A piece of a CSV upload waiting for a worker to import it; deleted once imported."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="upload_parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="upload_part_unique")
        ]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} part {self.number}"
