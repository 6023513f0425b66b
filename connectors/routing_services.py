"""Every state change of routes: the per-country connector order (needs the routing permission)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from connectors.models import Connector, Route, RouteStep
from connectors.routing import user_may_manage_routing
from core.audit import audit_record
from core.phone import country_named


def _check_permission(user: Any) -> None:
    if not user_may_manage_routing(user):
        raise PermissionDenied(gettext("Changing routes needs the permission to manage routing."))


def _route_snapshot(route: Route | None) -> dict[str, Any]:
    if route is None or route.pk is None:
        return {}
    names = [step.connector.name for step in route.steps.select_related("connector")]
    return {"connectors": names, "others_after": route.others_after}


@transaction.atomic
def route_save(
    *, country: str, connector_ids: list[int], others_after: bool = True, user: Any
) -> Route:
    """Set the order connectors are tried in for one country (replacing its route, if any)."""
    _check_permission(user)
    errors: dict[str, list[str]] = {}
    found = country_named(country)
    if found is None:
        errors["country"] = [
            gettext("'%(code)s' is not a country code (two letters, e.g. JO).") % {"code": country}
        ]
    ids = [int(pk) for pk in connector_ids]
    connectors = Connector.objects.in_bulk(ids)
    if missing := [pk for pk in ids if pk not in connectors]:
        errors["connector_ids"] = [
            gettext("There is no connector with id %(id)s.") % {"id": missing[0]}
        ]
    elif len(set(ids)) != len(ids):
        errors["connector_ids"] = [gettext("List each connector once.")]
    elif not ids:
        errors["connector_ids"] = [
            gettext("List at least one connector, first the one to try first.")
        ]
    if errors:
        raise ValidationError(errors)
    route = Route.objects.filter(country=found.region).first()
    before = _route_snapshot(route)
    route = route or Route(country=found.region)
    route.others_after = bool(others_after)
    route.save()
    route.steps.all().delete()
    RouteStep.objects.bulk_create(
        RouteStep(route=route, connector_id=pk, position=index) for index, pk in enumerate(ids)
    )
    after = _route_snapshot(route)
    changes = {key: [before.get(key), after[key]] for key in after if before.get(key) != after[key]}
    audit_record(action="update" if before else "create", target=route, changes=changes)
    return route


@transaction.atomic
def route_delete(*, country: str, user: Any) -> None:
    """Drop a country's route: its numbers go by the global priority again."""
    _check_permission(user)
    route = Route.objects.filter(country=str(country).upper()).first()
    if route is None:
        return
    audit_record(
        action="delete",
        target=route,
        changes={key: [value, None] for key, value in _route_snapshot(route).items()},
    )
    route.delete()
