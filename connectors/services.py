"""Every state change of connectors."""

import re
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from connectors.addresses import ADDRESS_CHANGED, address_changes
from connectors.models import (
    DEFAULT_MAX_IN_FLIGHT,
    MAX_IN_FLIGHT_LIMIT,
    Connector,
    ConnectorSendSlot,
    HealthState,
    receipt_token_generate,
)
from connectors.providers import UnknownProvider, get_provider
from connectors.providers.types import CheckResult, Exchange, ProviderError
from connectors.routing_fields import ROUTING_FIELDS, routing_fields_clean
from core.audit import SECRET_CHANGED, audit_changes, audit_record, audit_snapshot

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
    "max_in_flight",
    "health_state",
    *ROUTING_FIELDS,
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
    in_flight = fields.get("max_in_flight")
    if in_flight is None:
        fields["max_in_flight"] = DEFAULT_MAX_IN_FLIGHT
    elif (
        not isinstance(in_flight, int)
        or isinstance(in_flight, bool)
        or not 1 <= in_flight <= MAX_IN_FLIGHT_LIMIT
    ):
        errors["max_in_flight"] = [
            f"Requests in flight must be a whole number from 1 to {MAX_IN_FLIGHT_LIMIT}."
        ]
    for step in (
        lambda: fields.update(
            sender_list=_clean_sender_list(
                fields.get("sender_list"), max_length=provider.max_sender_length
            )
        ),
        lambda: fields.update(options=provider.clean_options(fields.get("options") or {})),
        lambda: fields.update(routing_fields_clean(fields, provider)),
    ):
        try:
            step()
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return fields


def _check_secrets_reentered(*, connector: Connector, fields: dict, password: str) -> None:
    """A new address needs the password typed again: the stored one never goes to a new host."""
    slug, options = fields["provider"], fields["options"]
    if password or not address_changes(connector=connector, provider_slug=slug, options=options):
        return
    label = label_in_sentence(get_provider(slug).password_label)
    raise ValidationError({"password": [f"Enter the {label} again: {ADDRESS_CHANGED}"]})


def connector_validate(
    *, fields: dict[str, Any], connector: Connector | None = None, password: str = ""
) -> dict[str, Any]:
    """Check and normalise connector fields without saving (for the admin's form)."""
    cleaned = _validated(dict(fields))
    if connector is not None and connector.pk:
        _check_secrets_reentered(connector=connector, fields=cleaned, password=password)
    return cleaned


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
    max_in_flight: int | None = None,
    **routing: Any,
) -> Connector:
    """Create a connector after validating every field with its provider's rules.

    Routing and cost fields (destinations, prices, İYS vouching, promotional titles) are
    optional; the destinations default to the provider's.
    """
    if unknown := set(routing) - set(ROUTING_FIELDS):
        raise ValidationError({key: ["Unknown field."] for key in sorted(unknown)})
    fields = _validated(
        {
            "name": name,
            "provider": provider,
            "username": username,
            "sender_list": sender_list,
            "options": options,
            "priority": priority,
            "max_in_flight": max_in_flight,
            **routing,
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
    fixed it. A new address (see connectors.addresses) needs the password given again.
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
        "max_in_flight",
        *ROUTING_FIELDS,
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
        "max_in_flight": connector.max_in_flight,
        **{name: getattr(connector, name) for name in ROUTING_FIELDS},
    }
    if (
        "provider" in changes
        and changes["provider"] != connector.provider
        and "options" not in changes
    ):
        current["options"] = {}
    fields = _validated({**current, **{k: v for k, v in changes.items() if k != "is_active"}})
    _check_secrets_reentered(connector=connector, fields=fields, password=password or "")
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


def _check_detail(connector: Connector, error: ProviderError) -> str:
    # An answer that matches no documented code may come from whatever the base URL names:
    # operators get the status and our words, never its text (attempts keep it, redacted).
    if error.http_status is not None and not error.code:
        return (
            f"{connector.provider_name} gave an answer that is not one it documents "
            f"(HTTP {error.http_status})."
        )
    return error.detail


def connector_check(*, connector: Connector) -> CheckResult:
    """Run the provider's "test connection" and remember the result on the connector."""
    log: list[Exchange] = []
    try:
        result = connector.provider_class.check(connector=connector, log=log)
    except ProviderError as error:
        result = CheckResult(ok=False, detail=_check_detail(connector, error))
    except NotImplementedError:
        result = CheckResult(
            ok=False, detail=f"{connector.provider_name} has no connection test yet."
        )
    result.exchanges = log
    connector.last_check_ok = result.ok
    connector.last_check_detail = result.detail[:1000]
    connector.last_checked_at = timezone.now()
    connector.save(update_fields=["last_check_ok", "last_check_detail", "last_checked_at"])
    return result


def connector_store_session_token(*, connector: Connector, token: str) -> Connector:
    """Keep a provider session token (e.g. a JoSMS bearer token) encrypted for later sends."""
    connector.session_token = token
    if connector.pk:
        connector.save(update_fields=["session_token"])
    return connector


def connector_regenerate_receipt_token(*, connector: Connector) -> Connector:
    """Give the connector a new receipt token; receipts to the old URL get 401 from now on."""
    connector.receipt_token = receipt_token_generate()
    connector.save(update_fields=["receipt_token", "updated_at"])
    audit_record(
        action="regenerate_token", target=connector, changes={"receipt_token": SECRET_CHANGED}
    )
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
