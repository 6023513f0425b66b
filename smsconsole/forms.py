"""Forms of the console's own pages."""

from django import forms

from smsconsole.selectors import audit_filter_choices


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select form-select-sm"})


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})


class AuditFilterForm(forms.Form):
    """The audit log's filters; every one is optional."""

    actor = forms.ChoiceField(required=False, label="Who", widget=_select())
    target_type = forms.ChoiceField(required=False, label="Object type", widget=_select())
    action = forms.ChoiceField(required=False, label="Action", widget=_select())
    date_from = forms.DateField(required=False, label="From", widget=_date())
    date_to = forms.DateField(required=False, label="To", widget=_date())
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Contains",
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": "Name, id or value",
            }
        ),
    )
    target_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = audit_filter_choices()
        # A value from a link (e.g. an actor no longer listed) stays selectable.
        for name, empty_label in (
            ("actor", "Anyone"),
            ("target_type", "Any object"),
            ("action", "Any action"),
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
            self.add_error("date_to", "The end date is before the start date.")
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
