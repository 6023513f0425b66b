from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from connectors.models import Connector
from connectors.providers import provider_choices
from connectors.services import connector_validate


class ConnectorAdminForm(forms.ModelForm):
    """The password is write-only here too (blank keeps the stored one); fields are checked by the
    same rules as the console and the API."""

    provider = forms.ChoiceField(choices=provider_choices)
    new_password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown. Leave blank to keep the current one.",
    )

    class Meta:
        model = Connector
        fields = [
            "name",
            "provider",
            "priority",
            "is_active",
            "username",
            "sender_list",
            "options",
            "health_state",
            "consecutive_failures",
            "last_error",
            "tripped_until",
        ]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not data.get("new_password"):
            self.add_error("new_password", "Enter the password (or API secret) of the account.")
        if self.errors:
            return data
        checked = ("name", "provider", "priority", "username", "sender_list", "options")
        try:
            data.update(connector_validate(fields={key: data.get(key) for key in checked}))
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                field = key.split(".", 1)[0]
                self.add_error(field if field in self.fields else None, messages)
        return data

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
    readonly_fields = [
        "last_check_ok",
        "last_check_detail",
        "last_checked_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "provider", "priority", "is_active"]}),
        ("Account", {"fields": ["username", "new_password", "sender_list", "options"]}),
        (
            "Health",
            {"fields": ["health_state", "consecutive_failures", "last_error", "tripped_until"]},
        ),
        (
            "Last connection test",
            {"fields": ["last_check_ok", "last_check_detail", "last_checked_at"]},
        ),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
