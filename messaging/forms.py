"""The compose form (parsing only; message_create validates). The log's filters: filters.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from connectors.selectors import sender_titles_active
from core.forms import ServiceErrorsMixin
from messaging.models import MessageKind
from messaging.selectors import messaging_connector_choices


class ComposeForm(ServiceErrorsMixin, forms.Form):
    to = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "placeholder": "+90 532 123 45 67",
                "autocomplete": "off",
                "dir": "ltr",
            }
        ),
        help_text=_("Any common format; numbers without a country code are read as Turkish."),
    )
    sender = forms.ChoiceField(
        label=_("Sender title"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Titles approved on your active connectors."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=MessageKind.choices,
        initial=MessageKind.TRANSACTIONAL,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Commercial messages are not sent to numbers that opted out."),
    )
    connector = forms.TypedChoiceField(
        label=_("Connector"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Leave on automatic to fail over by priority; choosing one disables failover."),
    )
    text = forms.CharField(
        label=_("Text"),
        strip=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6, "maxlength": 1600}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        titles = sender_titles_active()
        self.fields["sender"].choices = [("", _("Connector default")), *((t, t) for t in titles)]
        self.fields["connector"].choices = [
            ("", _("Automatic (priority order, failover)")),
            *messaging_connector_choices(),
        ]
