from django.contrib import admin

from smsconsole.models import ApiKey, AuditEntry

admin.site.site_header = "SMS Console administration"
admin.site.site_title = "SMS Console admin"
admin.site.index_title = "Data"
admin.site.site_url = "/"


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created in the console or with `manage.py create_api_key`; the hash is never shown."""

    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix"]
    exclude = ["key_hash"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read-only: nobody adds, edits or deletes entries."""

    list_display = ["created_at", "actor", "action", "target_type", "target_label", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor", "target_label", "target_id"]
    date_hierarchy = "created_at"
    # Counting a large log on every page is slow; the pager shows "more" instead.
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
