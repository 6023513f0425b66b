"""State changes of the console's bottom layer: API keys."""

import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import audit_changes, audit_record
from core.models import API_SCOPES, ApiKey, all_scopes
from core.outbound import url_allowed_error

KEY_PREFIX = "smsc_"


def hash_api_key(key: str) -> str:
    """SHA-256 of a key: keys are 256-bit random, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    key: str


def _checked_scopes(scopes: Iterable[str] | None) -> list[str]:
    if scopes is None:
        return all_scopes()
    chosen = set(scopes)
    if unknown := sorted(chosen - set(API_SCOPES)):
        raise ValueError(
            gettext("Unknown scope %(unknown)s. The scopes are: %(scopes)s.")
            % {"unknown": ", ".join(unknown), "scopes": ", ".join(API_SCOPES)}
        )
    if not chosen:
        raise ValueError(gettext("Choose at least one scope: a key without any could do nothing."))
    return [scope for scope in API_SCOPES if scope in chosen]


def _checked_networks(networks: Iterable[str]) -> list[str]:
    checked = []
    for text in networks:
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            raise ValueError(
                gettext(
                    "“%(value)s” is not an address or a network, e.g. 203.0.113.7 or "
                    "203.0.113.0/24."
                )
                % {"value": text.strip()}
            ) from None
        if str(network) not in checked:
            checked.append(str(network))
    return checked


def callback_url_problem(url: str) -> str:
    """Why a callback URL cannot be used (the outbound policy of forward URLs), or ""."""
    if len(url) > ApiKey._meta.get_field("callback_url").max_length:
        return gettext("A callback URL may be at most 500 characters.")
    return url_allowed_error(url)


@transaction.atomic
def api_key_create(
    *,
    name: str,
    created_by=None,
    scopes: Iterable[str] | None = None,
    allowed_networks: Iterable[str] = (),
    callback_url: str = "",
) -> IssuedApiKey:
    """Create an API key; the plaintext key is returned once and never stored.

    Without scopes the key has every scope (full access); without networks any address may use it.
    The key gets its own callback secret; `callback_url` is where events of the messages sent
    with it go when a message names no URL of its own.
    """
    name = name.strip()
    if not name:
        raise ValueError(gettext("Give the API key a name, e.g. the integration that will use it."))
    checked_scopes = _checked_scopes(scopes)
    networks = _checked_networks(allowed_networks)
    callback_url = callback_url.strip()
    if callback_url and (problem := callback_url_problem(callback_url)):
        raise ValueError(gettext("Callback URL: %(problem)s") % {"problem": problem})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name[:100],
        prefix=key[: len(KEY_PREFIX) + 6],
        key_hash=hash_api_key(key),
        created_by=created_by,
        scopes=checked_scopes,
        allowed_networks=networks,
        callback_url=callback_url,
        callback_secret=secrets.token_urlsafe(32),
    )
    after = {
        "name": api_key.name,
        "scopes": checked_scopes,
        "allowed_networks": networks,
        "callback_url": callback_url,  # recorded without its query values (they may be tokens)
    }
    audit_record(action="create", target=api_key, changes=audit_changes({}, after))
    return IssuedApiKey(api_key=api_key, key=key)


def api_key_may_manage(*, api_key: ApiKey, user) -> bool:
    """Whether a user may revoke a key or see its callback secret: its creator, or whoever may
    change every key."""
    return api_key.created_by_id == user.pk or user.has_perm("smsconsole.change_apikey")


def api_key_reveal_callback_secret(*, api_key: ApiKey, user) -> str:
    """The key's callback secret, for its creator or an Admin; each reveal is audited."""
    if not api_key_may_manage(api_key=api_key, user=user):
        raise PermissionDenied(
            gettext("Only the person who created “%(name)s” or an Admin may see its secret.")
            % {"name": api_key.name}
        )
    audit_record(action="reveal_secret", target=api_key, changes={})
    return api_key.callback_secret


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, revoked_by=None) -> ApiKey:
    """Revoke a key: requests with it are refused from now on.

    `revoked_by` is the console user asking (None for commands): only the key's creator or an
    Admin may revoke it.
    """
    if revoked_by is not None and not api_key_may_manage(api_key=api_key, user=revoked_by):
        raise PermissionDenied(
            gettext("Only the person who created “%(name)s” or an Admin may revoke it.")
            % {"name": api_key.name}
        )
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
        # An update, not a save: the keys each process keeps (ACTIVE_API_KEYS) stay valid.
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
