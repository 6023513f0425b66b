"""Console forms: the compose form and the log filters (parsing only; services validate)."""

from django import forms

from connectors.selectors import sender_titles_active
from messaging.campaigns.selectors import campaign_choices
from messaging.models import MessageKind, MessageStatus
from messaging.selectors import messaging_connector_choices


class ComposeForm(forms.Form):
    to = forms.CharField(
        label="Phone number",
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "placeholder": "+90 532 123 45 67",
                "autocomplete": "off",
            }
        ),
        help_text="Any common format; numbers without a country code are read as Turkish.",
    )
    sender = forms.ChoiceField(
        label="Sender title",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="Titles approved on your active connectors.",
    )
    kind = forms.ChoiceField(
        choices=MessageKind.choices,
        initial=MessageKind.TRANSACTIONAL,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="Commercial messages are not sent to numbers that opted out.",
    )
    connector = forms.TypedChoiceField(
        label="Connector",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="Leave on automatic to fail over by priority; choosing one disables failover.",
    )
    text = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6, "maxlength": 1600}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        titles = sender_titles_active()
        self.fields["sender"].choices = [("", "Connector default"), *((t, t) for t in titles)]
        self.fields["connector"].choices = [
            ("", "Automatic (priority order, failover)"),
            *messaging_connector_choices(),
        ]

    def add_service_errors(self, error) -> None:
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *MessageStatus.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    connector = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "Any kind"), *MessageKind.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    number = forms.CharField(
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "Number"}
        ),
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Text contains",
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "Text contains"}
        ),
    )

    campaign = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["connector"].choices = [("", "Any connector"), *messaging_connector_choices()]
        asked = str(self.data.get("campaign") or "")
        self.fields["campaign"].choices = [
            ("", "Any campaign"),
            *campaign_choices(include_id=int(asked) if asked.isdigit() else None),
        ]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def selector_arguments(self) -> dict:
        """The cleaned filters as message_list keyword arguments."""
        data = self.cleaned_data
        return {
            "status": data.get("status") or "",
            "connector_id": data.get("connector"),
            "kind": data.get("kind") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "number": data.get("number") or "",
            "text": data.get("q") or "",
            "campaign_id": data.get("campaign"),
        }
