"""Reads of the console's own data."""

from django.db.models import QuerySet

from smsconsole.models import ApiKey
from smsconsole.services import hash_api_key


def api_key_list() -> QuerySet[ApiKey]:
    """Every API key, newest first."""
    return ApiKey.objects.select_related("created_by").order_by("-created_at")


def api_key_get_active(*, key: str) -> ApiKey | None:
    """The active API key matching a presented key, if any."""
    return ApiKey.objects.filter(key_hash=hash_api_key(key), revoked_at__isnull=True).first()
