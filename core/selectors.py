"""Reads of the console's bottom layer: API keys and the audit log."""

from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from core.models import ApiKey, AuditEntry
from core.process_cache import ProcessCache
from core.services import hash_api_key

# Every API request looks its key up: kept per process, read again once any key is saved or deleted.
ACTIVE_API_KEYS: ProcessCache[ApiKey | None] = ProcessCache("active-api-keys")


def api_key_list() -> QuerySet[ApiKey]:
    """Every API key, newest first."""
    return ApiKey.objects.select_related("created_by").order_by("-created_at")


def api_key_get_active(*, key: str) -> ApiKey | None:
    """The active API key matching a presented key, if any (revoking a key saves it: seen at once)."""
    key_hash = hash_api_key(key)
    return ACTIVE_API_KEYS.get(
        key_hash,
        lambda: ApiKey.objects.filter(key_hash=key_hash, revoked_at__isnull=True).first(),
    )


def audit_entry_list(
    *,
    actor: str = "",
    target_type: str = "",
    target_id: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """Audit entries matching the log's filters, newest first (each filter has an index)."""
    entries = AuditEntry.objects.select_related("user").order_by("-id")
    if actor:
        entries = entries.filter(actor=actor)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(created_at__gte=_local_midnight(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=_local_midnight(date_to + timedelta(days=1)))
    if text := text.strip():
        entries = entries.filter(
            Q(target_label__icontains=text)
            | Q(target_id=text)
            | Q(actor__icontains=text)
            | Q(changes__icontains=text)
        )
    return entries


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The values each audit filter offers: the actors, object types and actions seen so far."""

    def distinct(field: str) -> list[str]:
        return list(AuditEntry.objects.order_by(field).values_list(field, flat=True).distinct())

    return {
        "actor": [(actor, actor) for actor in distinct("actor")],
        "target_type": [(label, _model_label(label)) for label in distinct("target_type")],
        "action": [(action, action.replace("_", " ")) for action in distinct("action")],
    }


def _model_label(label: str) -> str:
    try:
        return capfirst(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label
