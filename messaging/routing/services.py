"""Every state change of a country's rules: its route, send window and footer (routing permission,
audited)."""

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from connectors.routing import user_may_manage_routing
from connectors.routing_services import route_delete, route_save
from core.audit import audit_changes, audit_record, audit_snapshot
from core.phone import country_named
from messaging.routing.models import CountryFooter, SendWindow

WINDOW_FIELDS = ("start", "end", "time_zone", "enforced")


def _clean_window(window: dict[str, Any] | None, errors: dict) -> dict[str, Any] | None:
    """The window's fields checked, or None to have no window."""
    if not window or (window.get("start") in (None, "") and window.get("end") in (None, "")):
        return None
    start, end = window.get("start"), window.get("end")
    if not isinstance(start, time) or not isinstance(end, time):
        errors["window"] = [_("Give the hours the window opens and closes, e.g. 07:00 and 21:00.")]
        return None
    zone = str(window.get("time_zone") or "").strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = [
            _("'%(zone)s' is not a time zone; write it like Asia/Amman.") % {"zone": zone}
        ]
        return None
    return {"start": start, "end": end, "time_zone": zone, "enforced": bool(window.get("enforced"))}


def _save_window(region: str, fields: dict[str, Any] | None) -> None:
    current = SendWindow.objects.filter(country=region).first()
    before = audit_snapshot(current, WINDOW_FIELDS) if current else {}
    if fields is None:
        if current:
            audit_record(action="delete", target=current, changes=audit_changes(before, {}))
            current.delete()
        return
    window, created = SendWindow.objects.update_or_create(country=region, defaults=fields)
    if changes := audit_changes(before, audit_snapshot(window, WINDOW_FIELDS)):
        audit_record(action="create" if created else "update", target=window, changes=changes)


def _save_footer(region: str, text: str) -> None:
    current = CountryFooter.objects.filter(country=region).first()
    before = current.text if current else ""
    if text == before:
        return
    if not text:
        audit_record(action="delete", target=current, changes={"text": [before, None]})
        current.delete()
        return
    footer, _ = CountryFooter.objects.update_or_create(country=region, defaults={"text": text})
    audit_record(
        action="update" if current else "create", target=footer, changes={"text": [before, text]}
    )


@transaction.atomic
def country_rules_save(
    *,
    country: str,
    connector_ids: list[int],
    others_after: bool,
    window: dict[str, Any] | None,
    footer: str,
    user: Any,
) -> None:
    """Set a country's route (no connector listed: none), send window (None: none) and footer.

    Changing them needs the permission to manage routing; each change is audited.
    """
    if not user_may_manage_routing(user):
        raise PermissionDenied(_("Changing routes and quiet hours needs the routing permission."))
    found = country_named(country)
    if found is None:
        raise ValidationError(
            {"country": [_("'%(code)s' is not a country code.") % {"code": country}]}
        )
    errors: dict[str, list[str]] = {}
    window_fields = _clean_window(window, errors)
    footer = str(footer or "").strip()
    if len(footer) > 160:
        errors["footer"] = [_("A footer has at most 160 characters.")]
    if errors:
        raise ValidationError(errors)
    if connector_ids:
        route_save(
            country=found.region, connector_ids=connector_ids, others_after=others_after, user=user
        )
    else:
        route_delete(country=found.region, user=user)
    _save_window(found.region, window_fields)
    _save_footer(found.region, footer)
