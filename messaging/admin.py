from django.contrib import admin

from messaging.models import Attempt, DeliveryReport, Message, MessageEvent, OptOut


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = [
        "started_at", "connector_name", "provider", "outcome", "category", "provider_code",
        "http_status", "duration_ms", "detail",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class MessageEventInline(admin.TabularInline):
    """The status callbacks of a message (each attempt is on the message page)."""

    model = MessageEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "event", "state", "attempts", "next_attempt_at", "finished_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-mostly: messages change only through the dispatcher."""

    list_display = ["id", "created_at", "to", "kind", "status", "connector", "segments", "encoding"]
    list_filter = ["status", "kind", "encoding"]
    search_fields = ["=to", "=provider_message_id", "=idempotency_key"]
    list_select_related = ["connector"]
    show_full_result_count = False  # no COUNT(*) over a million rows on every page
    readonly_fields = [f.name for f in Message._meta.fields]
    inlines = [AttemptInline, MessageEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "started_at",
        "message",
        "connector_name",
        "outcome",
        "category",
        "duration_ms",
    ]
    list_filter = ["outcome", "category", "provider"]
    raw_id_fields = ["message", "connector", "request"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DeliveryReport)
class DeliveryReportAdmin(admin.ModelAdmin):
    """Read-only: receipts are written by the receipt endpoint, report queries and SMPP."""

    list_display = ["id", "received_at", "connector", "source", "state", "code", "message"]
    list_filter = ["source", "state", "applied"]
    search_fields = ["=provider_message_id", "=number"]
    raw_id_fields = ["message", "connector"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["number", "keyword", "created_at"]
    search_fields = ["number"]
    readonly_fields = ["inbound_message_id"]
