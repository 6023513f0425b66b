from django import forms
from django.contrib import admin

from connectors.models import Connector


class ConnectorAdminForm(forms.ModelForm):
    """The password is write-only here too: blank keeps the stored one."""

    new_password = forms.CharField(
        label="Password", required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown. Leave blank to keep the current one.",
    )

    class Meta:
        model = Connector
        exclude = ["password", "session_token"]

    def save(self, commit=True):
        if self.cleaned_data.get("new_password"):
            self.instance.password = self.cleaned_data["new_password"]
            self.instance.session_token = ""
        return super().save(commit=commit)


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    form = ConnectorAdminForm
    list_display = ["name", "provider", "priority", "is_active", "health_state", "updated_at"]
    list_filter = ["provider", "is_active", "health_state"]
    search_fields = ["name", "username"]
    ordering = ["priority", "id"]
    readonly_fields = ["last_check_ok", "last_check_detail", "last_checked_at", "created_at", "updated_at"]
