"""The audit trail: services record who changed what, when and from which address.

Who and the address come from the current request: `AuditContextMiddleware` opens a context per
request, and the API key authentication names its caller there (DRF authenticates inside the view,
after every middleware). Outside a request (management commands, tasks) the actor is "system".

The address is the request's REMOTE_ADDR. Behind a reverse proxy that is the proxy's address, so
make the deployment pass the client's address as REMOTE_ADDR (e.g. the PROXY protocol, or a
middleware that takes the address a proxy you trust appended). X-Forwarded-For is not read here:
any client can send one.
"""

import copy
import ipaddress
from collections.abc import Iterable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest

from core.models import AuditEntry

SYSTEM_ACTOR = "system"
ANONYMOUS_ACTOR = "anonymous"
# What a secret field's entry holds instead of its old and new values.
SECRET_CHANGED = "changed"


@dataclass
class AuditContext:
    """The request being served, and the caller if an authentication class named one."""

    request: HttpRequest
    actor: str = ""


_context: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def audit_context_begin(request: HttpRequest) -> Token:
    """Start attributing audit entries to this request (the middleware calls it)."""
    return _context.set(AuditContext(request=request))


def audit_context_end(token: Token) -> None:
    """Stop attributing audit entries to the request started with `token`."""
    _context.reset(token)


def audit_set_actor(*, actor: str) -> None:
    """Name the caller of the current request, e.g. "api-key:smsc_ab12cd" (no-op outside one)."""
    if (context := _context.get()) is not None:
        context.actor = actor


def _client_ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _who() -> tuple[Any, str, str | None]:
    """(user or None, actor text, client IP) of the current context."""
    context = _context.get()
    if context is None:
        return None, SYSTEM_ACTOR, None
    ip = _client_ip(context.request)
    if context.actor:
        return None, context.actor, ip
    user = getattr(context.request, "user", None)
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return user, user.get_username(), ip
    if user is not None and user.is_authenticated:  # another principal, e.g. an API key
        return None, str(user), ip
    return None, ANONYMOUS_ACTOR, ip


def audit_record(
    *,
    action: str,
    target: models.Model,
    changes: dict | None = None,
    label: str = "",
    actor: str = "",
) -> AuditEntry:
    """Record a change to `target` (call it before a delete, while the object still has its id).

    `actor` names who acted when it is not the request's caller, e.g. "sms:+905321234567" for a
    stop word received from a phone.
    """
    user, caller, ip = _who()
    if actor:
        user, caller = None, actor
    return AuditEntry.objects.create(
        user=user,
        actor=caller[:150],
        action=action,
        target_type=target._meta.label_lower,
        target_id="" if target.pk is None else str(target.pk),
        target_label=(label or str(target))[:200],
        changes=changes or {},
        ip_address=ip,
    )


def audit_snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Current values of some fields, copied so later edits of the instance leave them alone."""
    return {name: copy.deepcopy(getattr(instance, name)) for name in fields}


def _masked(value: Any) -> Any:
    """A URL with its query values replaced by ***: webhooks often carry a token there."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return value
    parts = urlsplit(value)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    return urlunsplit(parts._replace(query=urlencode([(k, "***") for k, _ in pairs], safe="*")))


def audit_changes(
    before: dict[str, Any], after: dict[str, Any], *, secret_fields: Iterable[str] = ()
) -> dict[str, Any]:
    """{field: [old, new]} of the fields that differ; a secret field gets "changed", no values.

    URLs are recorded without their query values.
    """
    secret = set(secret_fields)
    changes: dict[str, Any] = {}
    for field in {**before, **after}:
        old, new = before.get(field), after.get(field)
        if old != new:
            changes[field] = SECRET_CHANGED if field in secret else [_masked(old), _masked(new)]
    return changes
