import ipaddress
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField

# What an API key may be allowed to do. "admin" covers everything, including operations no other
# scope names (a key made without scopes gets every scope, so it has full access).
API_SCOPES = {
    "messages:send": _("Send messages (POST /messages/, sendNotification)"),
    "messages:read": _("Read messages and their provider attempts"),
    "campaigns": _("Templates and campaigns"),
    "inbox": _("Received messages and opt-outs"),
    "connectors:read": _("Read connectors, without their credentials"),
    "connectors:write": _(
        "Add, change, test and delete connectors and see their settings (includes connectors:read)"
    ),
    "admin": _("Everything"),
}
FULL_ACCESS_SCOPE = "admin"
# Scopes that come with others: whoever may change connectors may read them.
SCOPE_INCLUDES = {"connectors:write": ("connectors:read",)}


def all_scopes() -> list[str]:
    """Every scope: full access (keys made before scopes existed have it too)."""
    return list(API_SCOPES)


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
    scopes = models.JSONField(default=all_scopes, help_text="What the key may do (API_SCOPES).")
    allowed_networks = models.JSONField(
        default=list,
        blank=True,
        help_text="Client addresses (CIDR) the key may be used from; empty: any address.",
    )
    callback_url = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where events of messages sent with this key are posted when a message names "
        "no callback_url of its own; empty: only to the URLs messages name.",
    )
    # Signs every callback (HMAC-SHA256); encrypted at rest, shown to the creator and Admins.
    callback_secret = EncryptedTextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def has_full_access(self) -> bool:
        return FULL_ACCESS_SCOPE in self.scopes

    def has_scope(self, scope: str) -> bool:
        return self.has_full_access or any(
            scope == held or scope in SCOPE_INCLUDES.get(held, ()) for held in self.scopes
        )

    def allows_address(self, address: str) -> bool:
        """Whether a request from this client address may use the key."""
        if not self.allowed_networks:
            return True
        try:
            client = ipaddress.ip_address(address)
        except ValueError:
            return False
        if client.version == 6 and client.ipv4_mapped:  # a dual-stack server's view of IPv4
            client = client.ipv4_mapped
        return any(client in ipaddress.ip_network(network) for network in self.allowed_networks)


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
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
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
