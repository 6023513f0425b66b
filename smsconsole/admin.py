from django.contrib import admin

from smsconsole.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created in the console or with `manage.py create_api_key`; the hash is never shown."""

    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix"]
    exclude = ["key_hash"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False
