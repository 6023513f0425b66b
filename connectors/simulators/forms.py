"""Forms of the Simulators console page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from connectors.simulators.models import SMPP_SLUG, FailureMode, failure_mode_choices


class ModeForm(forms.Form):
    failure_mode = forms.ChoiceField(label=_("Behaviour"), choices=FailureMode.choices)
    slow_seconds = forms.IntegerField(
        label=_("Slow answer (seconds)"),
        min_value=1,
        max_value=120,
        help_text=_(
            "Used by “Slow answers”: longer than a connector's timeout makes it fail over."
        ),
    )
    latency_ms = forms.IntegerField(
        label=_("Answer after (ms)"),
        required=False,
        min_value=0,
        max_value=60_000,
        help_text=_(
            "How long every answer takes, give or take the jitter (150 is like a real provider). "
            "Blank: the default, %(default)s ms."
        ),
    )
    fixed_status = forms.IntegerField(label=_("Fixed HTTP status"), min_value=100, max_value=599)
    fixed_body = forms.CharField(
        label=_("Fixed answer body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            'Used by “Fixed answer”, e.g. <span class="mono">77 non authentication</span>.'
        ),
    )

    def __init__(self, *args, slug: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["failure_mode"].choices = failure_mode_choices(slug)
        latency = self.fields["latency_ms"]
        latency.help_text = latency.help_text % {
            "default": settings.SMSCONSOLE_SIMULATOR_LATENCY_MS
        }
        if slug == SMPP_SLUG:
            # An SMSC answers submit_sm with a command status, not an HTTP status and a body.
            del self.fields["fixed_status"]
            self.fields["fixed_body"].label = _("Fixed command status")
            self.fields["fixed_body"].widget = forms.TextInput()
            self.fields["fixed_body"].help_text = _(
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


class ReceiptsForm(forms.Form):
    delivered_percent = forms.IntegerField(
        label=_("Delivered (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Share of messages delivered; the others come back undelivered."),
    )
    receipt_delay_seconds = forms.IntegerField(
        label=_("Receipt after (seconds)"),
        min_value=0,
        max_value=3600,
        help_text=_("How long after sending a receipt is pushed or reported final."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")


class AccountForm(forms.Form):
    balance = forms.IntegerField(label=_("Balance (SMS credits)"), min_value=0)
    sender_titles = forms.CharField(
        label=_("Approved sender titles"), help_text=_("Comma separated.")
    )
    receipt_url = forms.URLField(
        label=_("Receipt webhook URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Where receipts are pushed, as set in the provider's panel (İleti Merkezi, generic "
            "HTTP): a connector's receipt URL."
        ),
    )

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
