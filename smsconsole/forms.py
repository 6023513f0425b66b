"""Forms of the console's own pages."""

import re

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from core.models import API_SCOPES
from core.selectors import audit_filter_choices


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select form-select-sm"})


def _date() -> forms.DateInput:
    return forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date", "class": "form-control form-control-sm"}
    )


class AuditFilterForm(forms.Form):
    """The audit log's filters; every one is optional."""

    actor = forms.ChoiceField(required=False, label=_("Who"), widget=_select())
    target_type = forms.ChoiceField(required=False, label=_("Object type"), widget=_select())
    action = forms.ChoiceField(required=False, label=_("Action"), widget=_select())
    date_from = forms.DateField(required=False, label=_("From"), widget=_date())
    date_to = forms.DateField(required=False, label=_("To"), widget=_date())
    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Contains"),
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": _("Name, id or value"),
            }
        ),
    )
    target_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = audit_filter_choices()
        # A value from a link (e.g. an actor no longer listed) stays selectable.
        for name, empty_label in (
            ("actor", _("Anyone")),
            ("target_type", _("Any object")),
            ("action", _("Any action")),
        ):
            known = choices[name]
            asked = self.data.get(name, "") if self.is_bound else ""
            if asked and asked not in dict(known):
                known = [*known, (asked, asked)]
            self.fields[name].choices = [("", empty_label), *known]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def selector_arguments(self) -> dict:
        """The cleaned filters as audit_entry_list keyword arguments."""
        data = self.cleaned_data
        return {
            "actor": data.get("actor") or "",
            "target_type": data.get("target_type") or "",
            "target_id": data.get("target_id") or "",
            "action": data.get("action") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "text": data.get("q") or "",
        }


class ApiKeyForm(forms.Form):
    """A new API key: its name, what it may do and where it may be used from."""

    name = forms.CharField(
        max_length=100,
        label=_("Name"),
        error_messages={
            "required": _("Give the API key a name, e.g. the integration that will use it.")
        },
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("e.g. CRM integration"), "dir": "auto"}
        ),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=list(API_SCOPES.items()),
        initial=list(API_SCOPES),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _("Choose at least one scope: a key without any could do nothing.")
        },
        help_text=_("What the key may do; admin covers everything."),
    )
    allowed_networks = forms.CharField(
        required=False,
        label=_("Allowed client addresses"),
        widget=forms.Textarea(
            attrs={
                "class": "form-control",
                "rows": 2,
                "placeholder": "203.0.113.0/24",
                "dir": "ltr",
            }
        ),
        help_text=_("Addresses or networks (CIDR), one per line; empty: any address."),
    )

    callback_url = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Default callback URL"),
        widget=forms.URLInput(
            attrs={"class": "form-control", "placeholder": "https://crm.example.com/sms-events"}
        ),
        help_text=gettext_lazy(
            "Where events of messages sent with this key (sent, failed, delivered…) are posted, "
            "signed with the key's callback secret, when a message names no callback_url of its "
            "own. Empty: no default."
        ),
    )

    def clean_allowed_networks(self) -> list[str]:
        return [part for part in re.split(r"[\s,]+", self.cleaned_data["allowed_networks"]) if part]
