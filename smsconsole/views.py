"""Console pages of the console itself: home, settings (API keys), dashboard, audit log."""

import math
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import View

from messaging.selectors import message_page
from smsconsole.charts import hour_chart
from smsconsole.forms import AuditFilterForm
from smsconsole.models import ApiKey
from smsconsole.selectors import (
    api_key_list,
    audit_entry_list,
    dashboard_connector_stats,
    dashboard_hourly_counts,
    dashboard_inbound_count,
    dashboard_status_counts,
)
from smsconsole.services import api_key_create, api_key_revoke
from smsconsole.stats import LATENCY_ERROR


class HomeView(LoginRequiredMixin, View):
    def get(self, request):
        try:
            return redirect(reverse("dashboard"))
        except NoReverseMatch:
            return redirect("connectors:list")


class SettingsView(LoginRequiredMixin, View):
    def get(self, request):
        return render(
            request,
            "smsconsole/settings.html",
            {"page_title": "Settings", "api_keys": api_key_list()},
        )


class ApiKeyCreateView(LoginRequiredMixin, View):
    def post(self, request):
        try:
            issued = api_key_create(name=request.POST.get("name", ""), created_by=request.user)
        except (ValueError, ValidationError) as error:
            messages.error(request, str(error.args[0] if error.args else error))
            return redirect("settings")
        response = render(
            request,
            "smsconsole/settings.html",
            {"page_title": "Settings", "api_keys": api_key_list(), "issued": issued},
        )
        add_never_cache_headers(response)  # the key is shown once: never from a cache either
        return response


class ApiKeyRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        api_key = api_key_revoke(api_key=get_object_or_404(ApiKey, pk=pk))
        messages.success(
            request, f"API key “{api_key.name}” is revoked; requests with it are refused."
        )
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


PERIODS = {"today": "Today", "7d": "Last 7 days"}


class DashboardView(LoginRequiredMixin, View):
    """Today and the last 7 days at a glance: messages, connectors, inbound."""

    def get(self, request):
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        week = today - timedelta(days=6)  # today and the six days before
        period = request.GET.get("period") if request.GET.get("period") in PERIODS else "today"
        connector_stats = dashboard_connector_stats(since=today if period == "today" else week)
        active = [s.connector for s in connector_stats if s.connector and s.connector.is_active]
        paused = sum(connector.is_tripped for connector in active)
        context = {
            "page_title": "Dashboard",
            "today": dashboard_status_counts(since=today),
            "week": dashboard_status_counts(since=week),
            "inbound_today": dashboard_inbound_count(since=today),
            "inbound_week": dashboard_inbound_count(since=week),
            "chart": hour_chart(dashboard_hourly_counts()),
            "connector_stats": connector_stats,
            "active_connectors": len(active),
            "usable_connectors": len(active) - paused,
            "paused_connectors": paused,
            "period": period,
            "periods": PERIODS,
            "latency_error": math.ceil(LATENCY_ERROR * 100),
        }
        return render(request, "smsconsole/dashboard.html", context)
