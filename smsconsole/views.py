"""Console pages of the console itself: home, settings (API keys), dashboard, audit log."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View

from messaging.selectors import message_page
from smsconsole.forms import AuditFilterForm
from smsconsole.models import ApiKey
from smsconsole.selectors import api_key_list, audit_entry_list
from smsconsole.services import api_key_create, api_key_revoke


class HomeView(LoginRequiredMixin, View):
    def get(self, request):
        try:
            return redirect(reverse("dashboard"))
        except NoReverseMatch:
            return redirect("connectors:list")


class SettingsView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "smsconsole/settings.html", {"page_title": "Settings", "api_keys": api_key_list()})


class ApiKeyCreateView(LoginRequiredMixin, View):
    def post(self, request):
        try:
            issued = api_key_create(name=request.POST.get("name", ""), created_by=request.user)
        except (ValueError, ValidationError) as error:
            messages.error(request, str(error.args[0] if error.args else error))
            return redirect("settings")
        return render(
            request,
            "smsconsole/settings.html",
            {"page_title": "Settings", "api_keys": api_key_list(), "issued": issued},
        )


class ApiKeyRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        api_key = api_key_revoke(api_key=get_object_or_404(ApiKey, pk=pk))
        messages.success(request, f"API key “{api_key.name}” is revoked; requests with it are refused.")
        return redirect("settings")


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class AuditLogView(LoginRequiredMixin, View):
    """The audit log: filterable, newest first, read-only (there is no POST)."""

    def get(self, request):
        form = AuditFilterForm(request.GET or None)
        filters = form.selector_arguments() if form.is_valid() else {}
        # The message log's keyset pager: it works on any queryset ordered newest id first.
        page = message_page(
            audit_entry_list(**filters),
            before=_cursor(request.GET.get("before")),
            after=_cursor(request.GET.get("after")),
        )
        query = {k: v for k, v in request.GET.items() if k not in ("before", "after") and v}
        context = {
            "page_title": "Audit log",
            "form": form,
            "page": page,
            "filtered": bool(filters and any(filters.values())),
            "query": urlencode(query),
        }
        return render(request, "smsconsole/audit.html", context)
