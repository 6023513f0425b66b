"""Console pages of the console itself: home, settings (API keys), audit log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import ConsolePermissionMixin
from core.models import ApiKey
from core.pagination import keyset_page_for
from core.selectors import api_key_list, audit_entry_list
from core.services import (
    api_key_create,
    api_key_may_manage,
    api_key_reveal_callback_secret,
    api_key_revoke,
)
from smsconsole.context_processors import nav_items
from smsconsole.forms import ApiKeyForm, AuditFilterForm


class HomeView(ConsolePermissionMixin, View):
    """The first page of the navigation the user may open (the dashboard for most roles)."""

    permission_required = ()

    def get(self, request):
        if items := nav_items(request.path, request.user):
            return redirect(items[0]["url"])
        raise PermissionDenied(_("Your role gives you no page of the console. Ask an Admin."))


def _settings_page(request, form: ApiKeyForm, *, issued=None, revealed=None, status: int = 200):
    api_keys = [
        {"key": key, "may_manage": api_key_may_manage(api_key=key, user=request.user)}
        for key in api_key_list()
    ]
    context = {
        "page_title": _("Settings"),
        "api_keys": api_keys,
        "form": form,
        "issued": issued,
        "revealed": revealed,
    }
    response = render(request, "smsconsole/settings.html", context, status=status)
    if issued or revealed:
        add_never_cache_headers(response)  # a key or secret on the page: never from a cache
    return response


class SettingsView(ConsolePermissionMixin, View):
    permission_required = "accounts.manage_api_keys"

    def get(self, request):
        return _settings_page(request, ApiKeyForm())


class ApiKeyCreateView(ConsolePermissionMixin, View):
    permission_required = "accounts.manage_api_keys"

    def post(self, request):
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            try:
                issued = api_key_create(**form.cleaned_data, created_by=request.user)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                return _settings_page(request, ApiKeyForm(), issued=issued)
        return _settings_page(request, form, status=400)


class ApiKeyRevokeView(ConsolePermissionMixin, View):
    permission_required = "accounts.manage_api_keys"

    def post(self, request, pk: int):
        api_key = get_object_or_404(ApiKey, pk=pk)
        api_key_revoke(api_key=api_key, revoked_by=request.user)
        messages.success(
            request,
            _("API key “%(name)s” is revoked; requests with it are refused.")
            % {"name": api_key.name},
        )
        return redirect("settings")


class ApiKeyCallbackSecretView(ConsolePermissionMixin, View):
    """Show a key's callback secret to its creator or an Admin (a POST, so it is never cached)."""

    permission_required = "accounts.manage_api_keys"

    def post(self, request, pk: int):
        api_key = get_object_or_404(ApiKey, pk=pk)
        secret = api_key_reveal_callback_secret(api_key=api_key, user=request.user)
        revealed = {"api_key": api_key, "secret": secret}
        return _settings_page(request, ApiKeyForm(), revealed=revealed)


class AuditLogView(ConsolePermissionMixin, View):
    """The audit log: filterable, newest first, read-only (there is no POST)."""

    permission_required = "smsconsole.view_auditentry"

    def get(self, request):
        form = AuditFilterForm(request.GET or None)
        filters = form.selector_arguments() if form.is_valid() else {}
        context = {
            "page_title": _("Audit log"),
            "form": form,
            "page": keyset_page_for(audit_entry_list(**filters), request.GET),
            "filtered": bool(filters and any(filters.values())),
        }
        return render(request, "smsconsole/audit.html", context)
