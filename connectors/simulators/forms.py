"""Forms of the Simulators console page."""

from django import forms

from connectors.simulators.models import SMPP_SLUG, FailureMode, failure_mode_choices


class ModeForm(forms.Form):
    failure_mode = forms.ChoiceField(label="Behaviour", choices=FailureMode.choices)
    slow_seconds = forms.IntegerField(
        label="Slow answer (seconds)",
        min_value=1,
        max_value=120,
        help_text="Used by “Slow answers”: longer than a connector's timeout makes it fail over.",
    )
    fixed_status = forms.IntegerField(label="Fixed HTTP status", min_value=100, max_value=599)
    fixed_body = forms.CharField(
        label="Fixed answer body",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='Used by “Fixed answer”, e.g. <span class="mono">77 non authentication</span>.',
    )

    def __init__(self, *args, slug: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["failure_mode"].choices = failure_mode_choices(slug)
        if slug == SMPP_SLUG:
            # An SMSC answers submit_sm with a command status, not an HTTP status and a body.
            del self.fields["fixed_status"]
            self.fields["fixed_body"].label = "Fixed command status"
            self.fields["fixed_body"].widget = forms.TextInput()
            self.fields["fixed_body"].help_text = (
                'Used by “Fixed command status”: a name such as <span class="mono">'
                'ESME_RTHROTTLED</span> or a number such as <span class="mono">0x14</span>.'
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm",
            )


class AccountForm(forms.Form):
    balance = forms.IntegerField(label="Balance (SMS credits)", min_value=0)
    sender_titles = forms.CharField(label="Approved sender titles", help_text="Comma separated.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean_sender_titles(self) -> list[str]:
        return [
            title.strip()
            for title in self.cleaned_data["sender_titles"].split(",")
            if title.strip()
        ]
