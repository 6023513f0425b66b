"""Every state change of connectors."""

import re
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from connectors.models import Connector, ConnectorSendSlot, HealthState
from connectors.providers import UnknownProvider, get_provider
from connectors.providers.base import TRANSIENT_CATEGORIES, Category, CheckResult, ProviderError
from smsconsole.audit import audit_changes, audit_record, audit_snapshot

# Sender titles: letters (any script), digits, space and . - _ & ' + ! — what operators approve.
SENDER_TITLE_RE = re.compile(r"^[\w .\-&'+!]+$")
CREDENTIAL_FIELDS = ("provider", "username", "password", "options")
# What the audit log records of a connector; the password only as "changed".
AUDITED_FIELDS = (
    "name",
    "provider",
    "priority",
    "is_active",
    "username",
    "password",
    "sender_list",
    "options",
    "health_state",
)
AUDIT_SECRET_FIELDS = ("password",)


def label_in_sentence(label: str) -> str:
    """A label to use mid-sentence: "Account password" -> "account password"; "API hash" stays."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _clean_sender_list(sender_list: Any, *, max_length: int) -> list[str]:
    if isinstance(sender_list, str):
        sender_list = re.split(r"[\n,]", sender_list)
    if not isinstance(sender_list, (list, tuple)):
        raise ValidationError({"sender_list": ["Give the sender titles as a list of strings."]})
    titles: list[str] = []
    errors = []
    for raw in sender_list:
        title = str(raw).strip()
        if not title:
            continue
        if len(title) > max_length:
            errors.append(
                f"Sender title '{title}' is {len(title)} characters long; "
                f"at most {max_length} are allowed."
            )
        elif not SENDER_TITLE_RE.match(title):
            errors.append(
                f"Sender title '{title}' may only hold letters, digits, spaces and . - _ & ' + !"
            )
        elif title not in titles:
            titles.append(title)
    if errors:
        raise ValidationError({"sender_list": errors})
    if not titles:
        raise ValidationError(
            {"sender_list": ["Add at least one approved sender title (1 to 11 characters)."]}
        )
    return titles


def _validated(fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise connector fields; raise one ValidationError holding every problem."""
    errors: dict[str, list[str]] = {}
    try:
        provider = get_provider(fields["provider"])
    except UnknownProvider:
        raise ValidationError({"provider": [f"Unknown provider '{fields['provider']}'."]}) from None
    name = str(fields.get("name") or "").strip()
    if not name:
        errors["name"] = ["Give the connector a name."]
    elif len(name) > 100:
        errors["name"] = ["The name may be at most 100 characters long."]
    fields["name"] = name
    priority = fields.get("priority")
    if priority is None:
        fields["priority"] = provider.default_priority
    elif (
        not isinstance(priority, int)
        or isinstance(priority, bool)
        or not 0 <= priority <= 1_000_000
    ):
        errors["priority"] = [
            "Priority must be a whole number from 0 to 1000000 (lower goes first)."
        ]
    fields["username"] = str(fields.get("username") or "").strip()
    for step in (
        lambda: fields.update(
            sender_list=_clean_sender_list(
                fields.get("sender_list"), max_length=provider.max_sender_length
            )
        ),
        lambda: fields.update(options=provider.clean_options(fields.get("options") or {})),
    ):
        try:
            step()
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return fields


def connector_validate(*, fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise connector fields without saving (for the admin's form)."""
    return _validated(dict(fields))


@transaction.atomic
def connector_create(
    *,
    name: str,
    provider: str,
    username: str = "",
    password: str = "",
    sender_list: list[str] | str = (),
    options: dict | None = None,
    priority: int | None = None,
    is_active: bool = True,
) -> Connector:
    """Create a connector after validating every field with its provider's rules."""
    fields = _validated(
        {
            "name": name,
            "provider": provider,
            "username": username,
            "sender_list": sender_list,
            "options": options,
            "priority": priority,
        }
    )
    if not password:
        label = label_in_sentence(get_provider(provider).password_label)
        raise ValidationError({"password": [f"Enter the {label}."]})
    connector = Connector.objects.create(**fields, password=password, is_active=bool(is_active))
    after = audit_snapshot(connector, AUDITED_FIELDS)
    changes = audit_changes({}, after, secret_fields=AUDIT_SECRET_FIELDS)
    audit_record(action="create", target=connector, changes=changes)
    return connector


@transaction.atomic
def connector_update(*, connector: Connector, **changes: Any) -> Connector:
    """Change fields of a connector; a blank or missing password keeps the stored one.

    Editing credentials or options clears a "credentials rejected" or tripped state: someone
    fixed it.
    """
    allowed = {
        "name",
        "provider",
        "username",
        "password",
        "sender_list",
        "options",
        "priority",
        "is_active",
    }
    if unknown := set(changes) - allowed:
        raise ValidationError({key: ["This field cannot be changed."] for key in sorted(unknown)})
    password = changes.pop("password", None)
    before = audit_snapshot(connector, AUDITED_FIELDS)
    current = {
        "name": connector.name,
        "provider": connector.provider,
        "username": connector.username,
        "sender_list": connector.sender_list,
        "options": connector.options,
        "priority": connector.priority,
    }
    if (
        "provider" in changes
        and changes["provider"] != connector.provider
        and "options" not in changes
    ):
        current["options"] = {}
    fields = _validated({**current, **{k: v for k, v in changes.items() if k != "is_active"}})
    for key, value in fields.items():
        setattr(connector, key, value)
    if "is_active" in changes:
        connector.is_active = bool(changes["is_active"])
    if password:
        connector.password = password
    if password or any(k in changes for k in CREDENTIAL_FIELDS):
        connector.session_token = ""
        connector.health_state = HealthState.OK
        connector.consecutive_failures = 0
        connector.tripped_until = None
    connector.save()
    after = audit_snapshot(connector, AUDITED_FIELDS)
    if audited := audit_changes(before, after, secret_fields=AUDIT_SECRET_FIELDS):
        audit_record(action="update", target=connector, changes=audited)
    return connector


@transaction.atomic
def connector_set_active(*, connector: Connector, is_active: bool) -> Connector:
    """Switch a connector on or off."""
    was_active = connector.is_active
    connector.is_active = is_active
    connector.save(update_fields=["is_active", "updated_at"])
    if was_active != is_active:
        changes = {"is_active": [was_active, is_active]}
        audit_record(action="update", target=connector, changes=changes)
    return connector


@transaction.atomic
def connector_delete(*, connector: Connector) -> None:
    """Delete a connector (its past attempts keep their provider and name)."""
    before = audit_snapshot(connector, AUDITED_FIELDS)
    changes = audit_changes(before, {}, secret_fields=AUDIT_SECRET_FIELDS)
    audit_record(action="delete", target=connector, changes=changes)
    connector.delete()


@transaction.atomic
def connector_move(*, connector: Connector, direction: str) -> list[Connector]:
    """Move a connector one place up or down in the dispatch order; return the new order."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": ["Direction must be 'up' or 'down'."]})
    ordered = list(Connector.objects.select_for_update().order_by("priority", "id"))
    index = next(i for i, c in enumerate(ordered) if c.pk == connector.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return ordered
    ordered[index], ordered[other] = ordered[other], ordered[index]
    return _save_order(ordered)


@transaction.atomic
def connector_reorder(*, connector_ids: list[int]) -> list[Connector]:
    """Put connectors in the given order (every connector id, once each)."""
    ordered_all = list(Connector.objects.select_for_update().order_by("priority", "id"))
    by_id = {c.pk: c for c in ordered_all}
    if sorted(connector_ids) != sorted(by_id):
        raise ValidationError({"connector_ids": ["Give every connector id exactly once."]})
    return _save_order([by_id[i] for i in connector_ids])


def _save_order(ordered: list[Connector]) -> list[Connector]:
    # Keep the existing priority numbers (sorted) when they are distinct, so 10/20/30 gaps survive.
    numbers = sorted(c.priority for c in ordered)
    if len(set(numbers)) != len(numbers):
        numbers = [10 * (i + 1) for i in range(len(ordered))]
    for connector, number in zip(ordered, numbers, strict=True):
        if connector.priority != number:
            changes = {"priority": [connector.priority, number]}
            audit_record(action="reorder", target=connector, changes=changes)
            connector.priority = number
            connector.save(update_fields=["priority", "updated_at"])
    return ordered


def connector_check(*, connector: Connector) -> CheckResult:
    """Run the provider's "test connection" and remember the result on the connector."""
    try:
        result = connector.provider_class.check(connector=connector)
    except ProviderError as error:
        result = CheckResult(ok=False, detail=error.detail, exchanges=error.exchanges)
    except NotImplementedError:
        result = CheckResult(
            ok=False, detail=f"{connector.provider_name} has no connection test yet."
        )
    connector.last_check_ok = result.ok
    connector.last_check_detail = result.detail[:1000]
    connector.last_checked_at = timezone.now()
    connector.save(
        update_fields=["last_check_ok", "last_check_detail", "last_checked_at", "session_token"]
    )
    return result


# -- Connector health: a small circuit breaker, driven by the dispatcher (messaging) -------------


def connector_record_success(*, connector: Connector) -> None:
    """A message was accepted: the connector is healthy again (writes only when that changes)."""
    Connector.objects.filter(pk=connector.pk).filter(
        ~Q(health_state=HealthState.OK) | Q(consecutive_failures__gt=0)
    ).update(
        health_state=HealthState.OK,
        consecutive_failures=0,
        tripped_until=None,
        updated_at=timezone.now(),
    )


def connector_record_failure(*, connector: Connector, category: str, detail: str) -> None:
    """A send failed: rejected credentials stop the connector until it is edited, no balance pauses
    it, and a run of transient failures pauses it for a cool-down (thresholds are settings)."""
    now = timezone.now()
    last_error = f"{Category(category).label}: {detail}"[:1000]
    connectors = Connector.objects.filter(pk=connector.pk)
    if category == Category.CREDENTIALS:
        connectors.update(
            health_state=HealthState.CREDENTIALS_REJECTED,
            tripped_until=None,
            last_error=last_error,
            consecutive_failures=F("consecutive_failures") + 1,
            updated_at=now,
        )
    elif category == Category.BALANCE:
        connectors.exclude(health_state=HealthState.CREDENTIALS_REJECTED).update(
            health_state=HealthState.TRIPPED,
            last_error=last_error,
            updated_at=now,
            tripped_until=now + timedelta(seconds=settings.SMSCONSOLE_BREAKER_BALANCE_SECONDS),
            consecutive_failures=F("consecutive_failures") + 1,
        )
    elif category in TRANSIENT_CATEGORIES:
        connectors.update(
            consecutive_failures=F("consecutive_failures") + 1,
            last_error=last_error,
            updated_at=now,
        )
        connectors.filter(consecutive_failures__gte=settings.SMSCONSOLE_BREAKER_FAILURES).exclude(
            health_state=HealthState.CREDENTIALS_REJECTED
        ).update(
            health_state=HealthState.TRIPPED,
            tripped_until=now + timedelta(seconds=settings.SMSCONSOLE_BREAKER_COOLDOWN_SECONDS),
        )


def connector_claim_probe(*, connector: Connector) -> bool:
    """Whether this caller may send the one probe message through a connector whose pause ended.

    The pause is extended while the probe runs, so concurrent workers skip the connector meanwhile.
    """
    now = timezone.now()
    pause = timedelta(seconds=settings.SMSCONSOLE_BREAKER_COOLDOWN_SECONDS)
    return bool(
        Connector.objects.filter(
            pk=connector.pk, health_state=HealthState.TRIPPED, tripped_until__lte=now
        ).update(tripped_until=now + pause)
    )


def connector_store_session_token(*, connector: Connector, token: str) -> Connector:
    """Keep a provider session token (e.g. a JoSMS bearer token) encrypted for later sends."""
    connector.session_token = token
    if connector.pk:
        connector.save(update_fields=["session_token"])
    return connector


# Spacing headroom: a provider counts arrivals on its own clock, after network and worker jitter
# (up to ~0.1 s measured on a loaded machine), so slots are spaced 25% wider than 1/max_per_second.
SEND_SLOT_HEADROOM = 1.25


def connector_acquire_send_slot(*, connector: Connector) -> float:
    """Wait for this connector's next send slot when it has a max_per_second; the seconds waited.

    Slots are reserved in the database under a row lock, so workers on any machine share them:
    each reservation moves the connector's next free time on by 1/max_per_second (plus headroom).
    """
    rate = (connector.options or {}).get("max_per_second")
    if not rate:
        return 0.0
    interval = SEND_SLOT_HEADROOM / float(rate)
    with transaction.atomic():
        ConnectorSendSlot.objects.get_or_create(connector_id=connector.pk)
        slot = ConnectorSendSlot.objects.select_for_update().get(connector_id=connector.pk)
        now = time.time()
        start = max(now, slot.next_at)
        slot.next_at = start + interval
        slot.save(update_fields=["next_at"])
    wait = start - now
    if wait > 0:
        time.sleep(wait)
    return wait
