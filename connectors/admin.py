from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from connectors.models import Connector
from connectors.providers import provider_choices
from connectors.routing_fields import ROUTING_FIELDS
from connectors.services import connector_validate
from core.forms import ServiceErrorsMixin


class ConnectorAdminForm(ServiceErrorsMixin, forms.ModelForm):
    """The password is write-only here too (blank keeps the stored one); fields are checked by the
    same rules as the console and the API."""

    provider = forms.ChoiceField(choices=provider_choices)
    new_password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=(
            "Stored encrypted and never shown. Leave blank to keep the current one, unless the "
            "scheme, host or port of the connector's address changes."
        ),
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
            "max_in_flight",
            *ROUTING_FIELDS,
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
        checked += ("max_in_flight",)
        checked += ROUTING_FIELDS
        try:
            data.update(
                connector_validate(
                    fields={key: data.get(key) for key in checked},
                    connector=self.instance,
                    password=data.get("new_password") or "",
                )
            )
        except ValidationError as error:
            self.add_service_errors(error)
        return data

    def service_error_field(self, key: str) -> str | None:
        """An option's error ("options.<name>") belongs on the options field, the password's on
        new_password."""
        return super().service_error_field(
            "new_password" if key == "password" else key.split(".", 1)[0]
        )

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
        (
            "Account",
            {"fields": ["username", "new_password", "sender_list", "options", "max_in_flight"]},
        ),
        ("Routing and cost", {"fields": list(ROUTING_FIELDS)}),
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
