"""The connector form: common fields plus the fields and labels of the chosen provider."""

import copy
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from connectors.models import DEFAULT_MAX_IN_FLIGHT, MAX_IN_FLIGHT_LIMIT, Connector
from connectors.providers.base import Provider
from connectors.routing_fields import ROUTING_FIELDS
from connectors.services import label_in_sentence
from core.forms import ServiceErrorsMixin

OPTION_PREFIX = "opt_"


def _css_class(widget: forms.Widget) -> str:
    """The Bootstrap class of a widget (Textarea and Select have no input_type)."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class ConnectorForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        max_length=100,
        label=_("Name"),
        help_text=_("How this connector is shown in the console and the logs."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    priority = forms.IntegerField(
        min_value=0,
        max_value=1_000_000,
        label=_("Priority"),
        help_text=_("Lower goes first. Ties go by creation order."),
    )
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))
    max_in_flight = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_IN_FLIGHT_LIMIT,
        initial=DEFAULT_MAX_IN_FLIGHT,
        label=_("Max requests in flight"),
        help_text=_(
            "Provider requests each worker keeps open at once through this connector; more "
            "hides the provider's answer time. Lower it if the provider limits connections. "
            "Blank: 16."
        ),
    )
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
        label=_("Approved sender titles"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_(
            "One per line, 1 to 11 characters each, exactly as approved by the provider. "
            "The first is the default."
        ),
    )

    # Routing and cost (checked by connectors.routing_fields through the services).
    destinations = forms.CharField(
        label=_("Destinations"),
        required=False,
        help_text=_(
            "Calling codes this connector carries, separated by commas, e.g. <code>90</code> "
            "or <code>90, 962</code>; <code>any</code> for every country. Blank: the provider's "
            "default."
        ),
    )
    iys_checked_by_account = forms.BooleanField(
        required=False,
        label=_("İYS is checked by this account"),
        help_text=_(
            "Tick only if the provider filters commercial SMS against İYS consent on its "
            "side for this account. Commercial messages to Turkey go only through connectors "
            "that check İYS. Recorded in the audit log."
        ),
    )
    price_per_segment = forms.CharField(
        label=_("Price per segment"),
        required=False,
        max_length=20,
        help_text=_("What one SMS segment costs through this connector, e.g. 0.0250."),
    )
    country_prices = forms.CharField(
        label=_("Prices by country"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One country per line: its code and price, e.g. <code>JO 0.0300</code>. "
            "Overrides the price above for that country."
        ),
    )
    promotional_titles = forms.CharField(
        label=_("Promotional titles (Jordan)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Sender titles registered for promotional SMS (ADV), one per line. A commercial "
            "campaign to Jordan with another title gets a warning."
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
                "max_in_flight": connector.max_in_flight,
                "username": connector.username,
                "sender_list": "\n".join(connector.sender_list or []),
                "destinations": ", ".join(connector.destinations or []),
                "iys_checked_by_account": connector.iys_checked_by_account,
                "price_per_segment": connector.price_per_segment or "",
                "country_prices": "\n".join(
                    f"{region} {price}"
                    for region, price in (connector.country_prices or {}).items()
                ),
                "promotional_titles": "\n".join(connector.promotional_titles or []),
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
            password.help_text = _(
                "Stored encrypted and never shown. Leave blank to keep the current %(secret)s, "
                "unless the scheme, host or port of the address changes: then enter it again."
            ) % {"secret": label_in_sentence(provider.password_label)}
        for name, field in provider.option_fields().items():
            # A copy: a provider's extra option fields are class attributes shared by every form.
            self.fields[OPTION_PREFIX + name] = copy.deepcopy(field)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", _css_class(field.widget))
        if connector is None:
            self.initial.setdefault("priority", provider.default_priority)
            self.initial.setdefault("destinations", ", ".join(provider.default_destinations))

    @property
    def option_bound_fields(self) -> list[forms.BoundField]:
        """The provider's options, with max_in_flight right after max_per_second."""
        fields = []
        for name in self.fields:
            if name.startswith(OPTION_PREFIX):
                fields.append(self[name])
            if name == OPTION_PREFIX + "max_per_second":
                fields.append(self["max_in_flight"])
        return fields

    @property
    def main_bound_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.fields
            if not name.startswith(OPTION_PREFIX)
            and name not in ROUTING_FIELDS
            and name != "max_in_flight"
        ]

    @property
    def routing_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ROUTING_FIELDS]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values, shaped as the connector services take them."""
        data = self.cleaned_data
        fields = {
            "name": data["name"],
            "provider": self.provider.slug,
            "priority": data["priority"],
            "is_active": data["is_active"],
            "max_in_flight": data["max_in_flight"],
            "username": data["username"],
            "password": data["password"],
            "sender_list": data["sender_list"],
            **{name: data[name] for name in ROUTING_FIELDS},
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

    def service_error_field(self, key: str) -> str | None:
        """A service names an option "options.<name>"; the form's field is OPTION_PREFIX + name."""
        if key.startswith("options."):
            key = OPTION_PREFIX + key.split(".", 1)[1]
        return super().service_error_field(key)
