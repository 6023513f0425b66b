from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime


class ApiKey(models.Model):
    """A key for the REST API. Only its SHA-256 is stored; the key itself is shown once."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=12, db_index=True, help_text="First characters, to recognise a key."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEntry(models.Model):
    """One recorded change: who did what to which object, when and from which address."""

    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(
        max_length=150, help_text='A username, "api-key:<prefix>" or "system" (commands, tasks).'
    )
    action = models.CharField(max_length=40, help_text="create, update, delete, or e.g. revoke.")
    target_type = models.CharField(max_length=100, help_text="app_label.model of the object.")
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    # {field: [old, new]}; a secret field holds the string "changed" and never a value.
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [
            # The log page is newest first by id (keyset); each filter has an index ending in id.
            models.Index(fields=["created_at"], name="audit_created_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
            models.Index(fields=["target_type", "target_id", "-id"], name="audit_target_idx"),
            models.Index(fields=["action", "-id"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.target_type} {self.target_label}"

    @property
    def action_label(self) -> str:
        return self.action.replace("_", " ")

    @property
    def actor_icon(self) -> str:
        """A Bootstrap icon name for the kind of actor."""
        if self.user_id:
            return "person"
        kind = self.actor.split(":", 1)[0]
        return {"api-key": "key", "sms": "phone", "system": "gear"}.get(kind, "person-dash")

    @property
    def change_rows(self) -> list[dict[str, Any]]:
        """The changes as readable rows: field, old and new text, and whether it is a secret."""
        rows = []
        for field, change in self.changes.items():
            secret = not isinstance(change, list)
            old, new = ("", "") if secret else (_readable(change[0]), _readable(change[1]))
            label = field.replace("_", " ")
            rows.append({"field": label, "old": old, "new": new, "secret": secret})
        return rows

    @property
    def target_type_label(self) -> str:
        """The model's readable name, e.g. "connector"; the stored label if the model is gone."""
        try:
            return apps.get_model(self.target_type)._meta.verbose_name
        except (LookupError, ValueError):
            return self.target_type


def _readable(value: Any) -> str:
    """A stored change value as short text: lists joined, dicts as key=value, times local."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_readable(item) for item in value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{key}={_readable(item)}" for key, item in value.items()) or "(none)"
    if isinstance(value, str) and (moment := _parsed_datetime(value)):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _parsed_datetime(value: str):
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None


class HourlyStat(models.Model):
    """The dashboard's counters of one UTC hour (see smsconsole/services.py for how they are kept).

    A message row (connector_name "") counts the messages created in the hour by status and the
    SMS received in it; a connector row counts the attempts made for the messages created in the
    hour (by outcome, failovers) and a histogram of its provider call durations.
    """

    hour = models.DateTimeField(help_text="Start of the hour, UTC.")
    connector = models.ForeignKey(
        "connectors.Connector", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connector_name = models.CharField(
        max_length=100, blank=True, help_text="The attempts' connector name; blank on message rows."
    )
    queued = models.PositiveIntegerField(default=0)
    sending = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0, help_text="Messages sent, or attempts accepted.")
    failed = models.PositiveIntegerField(default=0, help_text="Messages or attempts failed.")
    skipped = models.PositiveIntegerField(default=0)
    failover = models.PositiveIntegerField(default=0)
    inbound = models.PositiveIntegerField(default=0)
    # {bucket index: provider calls}; the buckets are smsconsole.services.LATENCY_BUCKETS.
    latency_histogram = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["hour", "connector_name"]
        indexes = [
            models.Index(fields=["hour", "connector_name"], name="hourly_stat_hour_idx"),
            # The rollup recounts the hours whose messages are still queued or sending.
            models.Index(
                fields=["hour"],
                condition=models.Q(queued__gt=0) | models.Q(sending__gt=0),
                name="hourly_stat_moving_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} UTC {self.connector_name or 'messages'}"


class StatsWatermark(models.Model):
    """How far the hourly rollup has read each table (one row): ids up to these are in HourlyStat."""

    message_id = models.BigIntegerField(default=0)
    attempt_id = models.BigIntegerField(default=0)
    inbound_id = models.BigIntegerField(default=0)
    # The highest ids seen at the last run: the next run rolls up to them (see services.py).
    message_seen = models.BigIntegerField(default=0)
    attempt_seen = models.BigIntegerField(default=0)
    inbound_seen = models.BigIntegerField(default=0)
    rolled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"messages ≤ {self.message_id}, attempts ≤ {self.attempt_id}"
