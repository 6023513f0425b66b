"""State changes of the console itself: API keys."""

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from smsconsole.audit import audit_record
from smsconsole.models import ApiKey

KEY_PREFIX = "smsc_"


def hash_api_key(key: str) -> str:
    """SHA-256 of a key: keys are 256-bit random, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    key: str


@transaction.atomic
def api_key_create(*, name: str, created_by=None) -> IssuedApiKey:
    """Create an API key; the plaintext key is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValueError("Give the API key a name, e.g. the integration that will use it.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name[:100],
        prefix=key[: len(KEY_PREFIX) + 6],
        key_hash=hash_api_key(key),
        created_by=created_by,
    )
    audit_record(action="create", target=api_key, changes={"name": [None, api_key.name]})
    return IssuedApiKey(api_key=api_key, key=key)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key: requests with it are refused from now on."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        changes = {"revoked_at": [None, api_key.revoked_at]}
        audit_record(action="revoke", target=api_key, changes=changes)
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use, at most once a minute per key so the API path stays write-light."""
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
