"""Console forms of the Routes page: "Where would this number go?" and a country's rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from connectors.models import Connector
from connectors.routing import connector_carries
from core.phone import Country
from messaging.models import MessageKind

STEP_PREFIX = "step_"


class ExplainForm(forms.Form):
    to = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "placeholder": "+962 79 123 4567",
                "autocomplete": "off",
                "dir": "ltr",
            }
        ),
    )
    kind = forms.ChoiceField(
        choices=MessageKind.choices,
        initial=MessageKind.COMMERCIAL,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    sender = forms.CharField(
        label=_("Sender title"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("Connector default")}
        ),
    )
    text = forms.CharField(
        required=False,
        max_length=2000,
        strip=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("Optional: checks the length")}
        ),
    )


class CountryRulesForm(forms.Form):
    """A country's route (a place per connector that carries it), send window and footer."""

    others_after = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Then the other connectors that carry it, by priority"),
    )
    window_start = forms.TimeField(
        required=False, label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    window_end = forms.TimeField(
        required=False, label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = forms.CharField(required=False, max_length=64, label=_("Time zone"))
    enforced = forms.BooleanField(
        required=False,
        label=_("Enforced: hold commercial messages outside these hours"),
    )
    footer = forms.CharField(
        required=False,
        max_length=160,
        label=_("Footer for commercial texts"),
        help_text=_(
            "Appended on a line of its own to every commercial text to this country and "
            "counted in its segments, e.g. <code>Ret için İPTAL yazıp 4609'a gönderin</code>."
        ),
    )

    def __init__(
        self, *args: Any, country: Country, connectors: list[Connector], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step_connectors = [c for c in connectors if connector_carries(c, country.prefix)]
        for connector in self.step_connectors:
            self.fields[f"{STEP_PREFIX}{connector.pk}"] = forms.IntegerField(
                required=False, min_value=1, max_value=99, label=connector.name
            )
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")

    @property
    def step_fields(self) -> list[tuple[Connector, forms.BoundField]]:
        return [(c, self[f"{STEP_PREFIX}{c.pk}"]) for c in self.step_connectors]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values, shaped as country_rules_save takes them."""
        data = self.cleaned_data
        places = [
            (data[f"{STEP_PREFIX}{c.pk}"], index, c.pk)
            for index, c in enumerate(self.step_connectors)
            if data.get(f"{STEP_PREFIX}{c.pk}")
        ]
        return {
            "connector_ids": [pk for _, _, pk in sorted(places)],
            "others_after": data["others_after"],
            "window": {
                "start": data["window_start"],
                "end": data["window_end"],
                "time_zone": data["time_zone"],
                "enforced": data["enforced"],
            },
            "footer": data["footer"],
        }
