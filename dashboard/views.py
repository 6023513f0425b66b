"""The dashboard page: today and the last 7 days at a glance."""

import math
from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.permissions import ConsolePermissionMixin
from dashboard.charts import hour_chart
from dashboard.selectors import (
    dashboard_connector_stats,
    dashboard_hourly_counts,
    dashboard_inbound_count,
    dashboard_status_counts,
)
from dashboard.stats import LATENCY_ERROR

PERIODS = {"today": _("Today"), "7d": _("Last 7 days")}


class DashboardView(ConsolePermissionMixin, View):
    """Today and the last 7 days at a glance: messages, connectors, inbound."""

    permission_required = "dashboard.view_hourlystat"

    def get(self, request):
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        week = today - timedelta(days=6)  # today and the six days before
        period = request.GET.get("period") if request.GET.get("period") in PERIODS else "today"
        connector_stats = dashboard_connector_stats(since=today if period == "today" else week)
        active = [s.connector for s in connector_stats if s.connector and s.connector.is_active]
        paused = sum(connector.is_tripped for connector in active)
        context = {
            "page_title": _("Dashboard"),
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
        return render(request, "dashboard/dashboard.html", context)
