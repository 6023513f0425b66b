"""The connector form: common fields plus the fields and labels of the chosen provider."""

import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from connectors.models import Connector
from connectors.providers.base import Provider
from connectors.services import label_in_sentence

OPTION_PREFIX = "opt_"


def _css_class(widget: forms.Widget) -> str:
    """The Bootstrap class of a widget (Textarea and Select have no input_type)."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class ConnectorForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="How this connector is shown in the console and the logs."
    )
    priority = forms.IntegerField(
        min_value=0, max_value=1_000_000, help_text="Lower goes first. Ties go by creation order."
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    # autocomplete off: the browser would offer the console user's own sign-in name here.
    username = forms.CharField(
        max_length=255, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    sender_list = forms.CharField(
        label="Approved sender titles",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "One per line, 1 to 11 characters each, exactly as approved by the provider. "
            "The first is the default."
        ),
    )

    def __init__(
        self, *args: Any, provider: Provider, connector: Connector | None = None, **kwargs: Any
    ) -> None:
        if connector is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": connector.name,
                "priority": connector.priority,
                "is_active": connector.is_active,
                "username": connector.username,
                "sender_list": "\n".join(connector.sender_list or []),
                **{OPTION_PREFIX + k: v for k, v in (connector.options or {}).items()},
            }
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.connector = connector
        self.fields["priority"].initial = provider.default_priority
        self.fields["username"].label = provider.username_label
        self.fields["username"].help_text = provider.username_help
        self.fields["username"].required = True
        password = self.fields["password"]
        password.label = provider.password_label
        if connector is None:
            password.required = True
            password.help_text = provider.password_help
        else:
            password.help_text = (
                "Stored encrypted and never shown. Leave blank to keep the current "
                f"{label_in_sentence(provider.password_label)}."
            )
        for name, field in provider.option_fields().items():
            # A copy: a provider's extra option fields are class attributes shared by every form.
            self.fields[OPTION_PREFIX + name] = copy.deepcopy(field)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", _css_class(field.widget))
        if connector is None:
            self.initial.setdefault("priority", provider.default_priority)

    @property
    def option_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(OPTION_PREFIX)]

    @property
    def main_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(OPTION_PREFIX)]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values, shaped as the connector services take them."""
        data = self.cleaned_data
        fields = {
            "name": data["name"],
            "provider": self.provider.slug,
            "priority": data["priority"],
            "is_active": data["is_active"],
            "username": data["username"],
            "password": data["password"],
            "sender_list": data["sender_list"],
            "options": {
                k[len(OPTION_PREFIX) :]: v
                for k, v in data.items()
                if k.startswith(OPTION_PREFIX) and v not in (None, "")
            },
        }
        return fields

    def add_error(self, field: str | None, error: Any) -> None:
        """Record the error and mark the field's input, so the eye finds it."""
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{_css_class(widget)} is-invalid"

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the matching fields."""
        for key, messages in error.message_dict.items():
            field = OPTION_PREFIX + key.split(".", 1)[1] if key.startswith("options.") else key
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
