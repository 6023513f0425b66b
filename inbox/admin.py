from django.contrib import admin

from inbox.models import InboundMessage, ReceiveConnector, ReceiverNumber


class ReceiverNumberInline(admin.TabularInline):
    model = ReceiverNumber
    extra = 1


@admin.register(ReceiveConnector)
class ReceiveConnectorAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "numbers_display",
        "routing",
        "require_token",
        "is_active",
        "updated_at",
    ]
    list_filter = ["routing", "require_token", "is_active"]
    search_fields = ["name", "numbers__number"]
    readonly_fields = ["token", "created_at", "updated_at"]
    inlines = [ReceiverNumberInline]

    @admin.display(description="Receiver numbers")
    def numbers_display(self, obj: ReceiveConnector) -> str:
        return ", ".join(obj.receiver_numbers)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("numbers")


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "sender",
        "receiver",
        "connector",
        "text",
        "is_read",
        "forward_state",
    ]
    list_filter = ["connector", "is_read", "is_stop_word", "forward_state"]
    search_fields = ["sender", "receiver", "text", "keyword"]
    date_hierarchy = "received_at"
    list_select_related = ["connector"]

    # Received messages are records: they arrive through /SMSReceiver, never typed in here.
    def has_add_permission(self, request) -> bool:
        return False

    readonly_fields = [
        "connector",
        "receiver",
        "sender",
        "text",
        "keyword",
        "received_at",
        "is_stop_word",
        "fingerprint",
        "forward_state",
        "forward_attempts",
        "forward_error",
        "forwarded_at",
    ]
