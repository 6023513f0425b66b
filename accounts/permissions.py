"""Who may do what: the console pages' mixin, the API's permission class, and their rules.

Every console view and every API view declares `permission_required`:
- a permission ("app_label.codename"), or a tuple of them (all are needed);
- a dict by HTTP method, e.g. {"GET": "messaging.view_optout", "POST": "messaging.add_optout"}; a method
  the dict does not name is refused (HEAD and OPTIONS count as GET);
- () for "any role".
Signed-in users need a role (a group) and the permissions; API keys need the scope each permission
maps to in PERMISSION_SCOPES. A view that declares nothing is a programming error (500), so a new
page without a check fails the URL-walking tests.
"""

from collections.abc import Iterable

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from accounts.selectors import permission_names, role_admins, user_has_role, user_role_label
from core.models import FULL_ACCESS_SCOPE, ApiKey

Declared = str | Iterable[str] | dict[str, str | Iterable[str]] | None


def _model_scopes(model: str, *, read: str, write: str) -> dict[str, str]:
    app_label, name = model.split(".")
    actions = {"view": read, "add": write, "change": write, "delete": write}
    return {f"{app_label}.{action}_{name}": scope for action, scope in actions.items()}


# The API key scope each permission needs; a permission not listed needs the "admin" scope.
PERMISSION_SCOPES: dict[str, str] = {
    **_model_scopes("messaging.message", read="messages:read", write="messages:send"),
    "messaging.view_attempt": "messages:read",
    "messaging.view_deliveryreport": "messages:read",
    **_model_scopes("campaigns.template", read="campaigns", write="campaigns"),
    **_model_scopes("campaigns.campaign", read="campaigns", write="campaigns"),
    "accounts.send_campaign": "campaigns",
    **_model_scopes("inbox.inboundmessage", read="inbox", write="inbox"),
    **_model_scopes("messaging.optout", read="inbox", write="inbox"),
    **_model_scopes("connectors.connector", read="connectors:read", write="connectors:write"),
    **_model_scopes("inbox.receiveconnector", read="connectors:read", write="connectors:write"),
    "accounts.manage_routing": "connectors:write",
}


def scope_for(permission: str) -> str:
    """The API key scope a permission needs."""
    return PERMISSION_SCOPES.get(permission, FULL_ACCESS_SCOPE)


def required_permissions(view, method: str) -> tuple[str, ...] | None:
    """What a view declares for an HTTP method: the permissions, or None if it refuses the method."""
    declared: Declared = getattr(view, "permission_required", None)
    if declared is None:
        raise ImproperlyConfigured(f"{type(view).__name__} declares no permission_required.")
    if isinstance(declared, dict):
        declared = declared.get("GET" if method in ("HEAD", "OPTIONS") else method)
        if declared is None:
            return None
    return (declared,) if isinstance(declared, str) else tuple(declared)


def no_role_message() -> str:
    """Why a user without a role sees nothing, and whom to ask."""
    admins = ", ".join(_admin_contact(admin) for admin in role_admins()) or _("your administrator")
    return _(
        "You have no role yet, so the console shows you nothing. Ask an Admin for one: %(admins)s."
    ) % {"admins": admins}


def _admin_contact(user) -> str:
    name = user.get_full_name() or user.get_username()
    return f"{name} ({user.email})" if user.email else name


def denial_message(user, needed: tuple[str, ...] | None) -> str | None:
    """Why a user with a role may not do something, or None if they may."""
    if needed is None:
        return _("This page does not take that kind of request.")
    missing = tuple(permission for permission in needed if not user.has_perm(permission))
    if not missing:
        return None
    names = ", ".join(f"“{name}”" for name in permission_names(missing))
    return _(
        "Your role (%(role)s) does not allow this: it needs %(permissions)s. "
        "Ask an Admin if you need it."
    ) % {"role": user_role_label(user), "permissions": names}


def user_may(user, permission: str) -> bool:
    """Whether a signed-in user may do what a permission allows (a role is needed too)."""
    return user_has_role(user) and user.has_perm(permission)


def user_may_open(user, path: str) -> bool:
    """Whether the user may GET a console path (the navigation shows only those)."""
    try:
        view_class = getattr(resolve(path).func, "view_class", None)
    except Resolver404:
        return False
    if view_class is None or not user_has_role(user):
        return False
    needed = required_permissions(view_class, "GET")
    return needed is not None and user.has_perms(needed)


def request_may(request, permission: str) -> bool:
    """Whether the caller of an API request may: an API key by its scopes, a user by their role."""
    if isinstance(request.auth, ApiKey):
        return request.auth.has_scope(scope_for(permission))
    return user_may(request.user, permission)


def no_role_response(request):
    """The page a signed-in user without a role gets instead of any console page."""
    context = {"page_title": _("No role yet"), "admins": role_admins()}
    return render(request, "accounts/no_role.html", context, status=403)


class ConsolePermissionMixin(AccessMixin):
    """A console page: signed in (else the sign-in page), with a role, and the declared permissions.

    A user without a role gets the "no role yet" page; a missing permission answers 403 with the
    reason (templates/403.html).
    """

    permission_required: Declared = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_has_role(request.user):
            return no_role_response(request)
        if hasattr(self, request.method.lower()):  # else View answers 405
            needed = required_permissions(self, request.method)
            if reason := denial_message(request.user, needed):
                raise PermissionDenied(reason)
        return super().dispatch(request, *args, **kwargs)


class ApiPermission(permissions.BasePermission):
    """The API's permission check (the default class): roles for users, scopes for API keys."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401
        if not hasattr(view, request.method.lower()):
            return True  # DRF answers 405
        needed = required_permissions(view, request.method)
        if isinstance(request.auth, ApiKey):
            if needed is None:
                raise exceptions.PermissionDenied(_("This operation does not take that method."))
            for scope in sorted({scope_for(permission) for permission in needed}):
                if not request.auth.has_scope(scope):
                    raise exceptions.PermissionDenied(
                        _(
                            'This API key does not have the "%(scope)s" scope, '
                            "which this operation needs."
                        )
                        % {"scope": scope}
                    )
            return True
        if not user_has_role(request.user):
            raise exceptions.PermissionDenied(no_role_message())
        if reason := denial_message(request.user, needed):
            raise exceptions.PermissionDenied(reason)
        return True


class CredentialFieldsMixin:
    """A serializer that shows `credential_fields` only to callers who may `credential_permission`.

    The view passes the request in the serializer's context; without it the fields are left out.
    """

    credential_fields: tuple[str, ...] = ()
    credential_permission: str = ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not request_may(request, self.credential_permission):
            for field in self.credential_fields:
                data.pop(field, None)
        return data
