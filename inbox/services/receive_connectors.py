"""Receive connectors: the numbers an entry point serves, its token, and where messages go."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.audit import SECRET_CHANGED, audit_changes, audit_record, audit_snapshot
from core.outbound import url_allowed_error
from core.phone import MAX_NUMBER_LENGTH, number_canonical
from core.text import digits_only
from inbox.models import ReceiveConnector, ReceiverNumber, Routing, token_generate
from inbox.selectors import RECEIVE_CONNECTORS

# What the audit log records of a receive connector; the token only as "changed" on regenerate.
AUDITED_FIELDS = (
    "name",
    "receiver_numbers",
    "require_token",
    "is_active",
    "routing",
    "forward_url",
)


def _console_netlocs(console_url: str) -> set[tuple[str, int | None]]:
    places = set()
    for url in (settings.SMSCONSOLE_PUBLIC_URL, console_url):
        if url:
            parts = urlsplit(url)
            if parts.hostname:
                places.add((parts.hostname.lower(), parts.port or _default_port(parts.scheme)))
    return places


def _default_port(scheme: str) -> int | None:
    return {"http": 80, "https": 443}.get(scheme)


def _forward_url_error(url: str, *, console_url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter a full http:// or https:// URL, e.g. https://crm.example.com/sms/inbound."
    try:
        place = (parts.hostname.lower(), parts.port or _default_port(parts.scheme))
    except ValueError:
        return "The port in this URL is not a number between 1 and 65535."
    if place in _console_netlocs(console_url):
        return "This URL points at the console itself; forward to another system."
    return url_allowed_error(url)


def _clean_numbers(raw_numbers: list[str], *, connector: ReceiveConnector | None) -> list[str]:
    numbers: list[str] = []
    errors: list[str] = []
    for raw in raw_numbers:
        number = number_canonical(raw)
        if not raw.strip():
            continue
        if not digits_only(number.lstrip("+")):
            errors.append(
                f"'{raw.strip()}' is not a number: use digits, optionally with a leading +."
            )
        elif len(number) > MAX_NUMBER_LENGTH:
            errors.append(f"'{raw.strip()}' is longer than {MAX_NUMBER_LENGTH} characters.")
        elif number not in numbers:
            numbers.append(number)
    taken = ReceiverNumber.objects.filter(number__in=numbers).select_related("connector")
    if connector is not None:
        taken = taken.exclude(connector=connector)
    errors += [
        f"{item.number} is already served by receive connector '{item.connector.name}'."
        for item in taken
    ]
    if not numbers and not errors:
        errors.append("Enter at least one receiver number, e.g. +905321234567 or a short code.")
    if errors:
        raise ValidationError({"receiver_numbers": errors})
    return numbers


def _clean_connector(
    *,
    connector: ReceiveConnector | None,
    name: str,
    receiver_numbers: list[str],
    routing: str,
    forward_url: str,
    console_url: str,
) -> tuple[str, list[str], str]:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Enter a name, e.g. 'Turkcell replies'."]
    elif (
        ReceiveConnector.objects.filter(name=name)
        .exclude(pk=getattr(connector, "pk", None))
        .exists()
    ):
        errors["name"] = [f"A receive connector named '{name}' exists; choose another name."]
    if routing not in Routing.values:
        errors["routing"] = [f"Choose one of: {', '.join(Routing.values)}."]
    forward_url = forward_url.strip()
    if routing == Routing.FORWARD and not forward_url:
        errors["forward_url"] = ["Enter the URL to forward messages to."]
    elif forward_url and (problem := _forward_url_error(forward_url, console_url=console_url)):
        errors["forward_url"] = [problem]
    try:
        numbers = _clean_numbers(receiver_numbers, connector=connector)
    except ValidationError as error:
        errors.update(error.message_dict)
        numbers = []
    if errors:
        raise ValidationError(errors)
    return name, numbers, forward_url


def _save_numbers(connector: ReceiveConnector, numbers: list[str]) -> None:
    connector.numbers.exclude(number__in=numbers).delete()
    existing = set(connector.numbers.values_list("number", flat=True))
    try:
        ReceiverNumber.objects.bulk_create(
            [ReceiverNumber(connector=connector, number=n) for n in numbers if n not in existing]
        )
        RECEIVE_CONNECTORS.changed()  # bulk_create sends no signal
    except IntegrityError as error:
        # Another request took the number between our check and this insert.
        raise ValidationError(
            {
                "receiver_numbers": [
                    "One of these numbers was just taken by another receive connector."
                ]
            }
        ) from error


def receive_connector_create(
    *,
    name: str,
    receiver_numbers: list[str],
    require_token: bool = True,
    is_active: bool = True,
    routing: str = Routing.INBOX,
    forward_url: str = "",
    console_url: str = "",
) -> ReceiveConnector:
    """Create a receive connector serving the given numbers, with a fresh token."""
    name, numbers, forward_url = _clean_connector(
        connector=None,
        name=name,
        receiver_numbers=receiver_numbers,
        routing=routing,
        forward_url=forward_url,
        console_url=console_url,
    )
    with transaction.atomic():
        connector = ReceiveConnector.objects.create(
            name=name,
            require_token=require_token,
            is_active=is_active,
            routing=routing,
            forward_url=forward_url,
        )
        _save_numbers(connector, numbers)
        changes = audit_changes({}, audit_snapshot(connector, AUDITED_FIELDS))
        audit_record(action="create", target=connector, changes=changes)
    return connector


def receive_connector_update(
    *,
    connector: ReceiveConnector,
    name: str | None = None,
    receiver_numbers: list[str] | None = None,
    require_token: bool | None = None,
    is_active: bool | None = None,
    routing: str | None = None,
    forward_url: str | None = None,
    console_url: str = "",
) -> ReceiveConnector:
    """Change the given fields of a receive connector (None leaves a field as it is)."""
    before = audit_snapshot(connector, AUDITED_FIELDS)
    name, numbers, forward_url = _clean_connector(
        connector=connector,
        name=connector.name if name is None else name,
        receiver_numbers=connector.receiver_numbers
        if receiver_numbers is None
        else receiver_numbers,
        routing=connector.routing if routing is None else routing,
        forward_url=connector.forward_url if forward_url is None else forward_url,
        console_url=console_url,
    )
    connector.name = name
    connector.forward_url = forward_url
    if routing is not None:
        connector.routing = routing
    if require_token is not None:
        connector.require_token = require_token
    if is_active is not None:
        connector.is_active = is_active
    with transaction.atomic():
        connector.save()
        _save_numbers(connector, numbers)
        if changes := audit_changes(before, audit_snapshot(connector, AUDITED_FIELDS)):
            audit_record(action="update", target=connector, changes=changes)
    return connector


@transaction.atomic
def receive_connector_regenerate_token(*, connector: ReceiveConnector) -> ReceiveConnector:
    """Give the connector a new token; the old one stops working at once."""
    connector.token = token_generate()
    connector.save(update_fields=["token", "updated_at"])
    audit_record(action="regenerate_token", target=connector, changes={"token": SECRET_CHANGED})
    return connector


@transaction.atomic
def receive_connector_delete(*, connector: ReceiveConnector) -> None:
    """Delete a receive connector; its received messages stay in the inbox."""
    changes = audit_changes(audit_snapshot(connector, AUDITED_FIELDS), {})
    audit_record(action="delete", target=connector, changes=changes)
    connector.delete()
