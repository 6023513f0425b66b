from django.contrib import admin

from connectors.simulators.models import ReceivedSms, SimulatedProvider, SimulatorAccount


class SimulatorAccountInline(admin.TabularInline):
    model = SimulatorAccount
    extra = 0
    exclude = ["token"]


@admin.register(SimulatedProvider)
class SimulatedProviderAdmin(admin.ModelAdmin):
    list_display = ["slug", "failure_mode", "slow_seconds", "updated_at"]
    inlines = [SimulatorAccountInline]


@admin.register(ReceivedSms)
class ReceivedSmsAdmin(admin.ModelAdmin):
    list_display = ["order_id", "account", "sender", "number", "text", "client_id", "received_at"]
    list_filter = ["account__provider"]
    search_fields = ["number", "text", "client_id"]
    list_select_related = ["account__provider"]
