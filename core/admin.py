from django import forms
from django.contrib import admin

from core.models import ApiKey, AuditEntry
from core.services import callback_url_problem

admin.site.site_header = "SMS Console administration"
admin.site.site_title = "SMS Console admin"
admin.site.index_title = "Data"
admin.site.site_url = "/"


class ApiKeyAdminForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "callback_url", "revoked_at"]

    def clean_callback_url(self) -> str:
        url = self.cleaned_data["callback_url"].strip()
        if url and (problem := callback_url_problem(url)):
            raise forms.ValidationError(problem)
        return url


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created in the console or with `manage.py create_api_key`; the hash and the
    callback secret are never shown here."""

    form = ApiKeyAdminForm
    list_display = ["name", "prefix", "callback_url", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix"]
    exclude = ["key_hash"]
    # Scopes and networks are checked when a key is made (console, command): not edited here.
    readonly_fields = [
        "prefix", "created_by", "created_at", "last_used_at", "scopes", "allowed_networks",
    ]  # fmt: skip

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
