"""Console forms for templates and campaigns; the services do the real checking."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from connectors.selectors import sender_titles_active
from messaging.campaigns.models import Template
from messaging.models import MessageKind


def _sender_choices() -> list[tuple[str, str]]:
    return [("", "Connector default"), *((title, title) for title in sender_titles_active())]


class ServiceErrorsMixin:
    """Show a service's ValidationError on the matching fields."""

    def add_service_errors(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            field = key if key in self.fields else None
            for message in messages:
                self.add_error(
                    field,
                    message
                    if field
                    else f"{key}: {message}"
                    if key != "non_field_errors"
                    else message,
                )


class TemplateForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text="How marketers find it in the console.")
    key = forms.CharField(
        max_length=64,
        help_text="What integrations send as <code>notificationKey</code>: letters, digits, - and _, e.g. order-shipped.",
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "data-placeholder-source": "true"}),
        help_text="Write placeholders in double braces, e.g. <code>{{first_name}}</code>. Every placeholder needs a value when sending.",
    )
    kind = forms.ChoiceField(
        choices=MessageKind.choices,
        help_text="Commercial messages are not sent to numbers that opted out.",
    )
    sender = forms.ChoiceField(required=False, label="Sender title")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sender"].choices = _sender_choices()
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


class CampaignForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        max_length=120, help_text="For you and your team, e.g. Spring sale – Istanbul."
    )
    template = forms.ModelChoiceField(
        queryset=Template.objects.none(),
        required=False,
        to_field_name="key",
        empty_label="Free text (no template)",
        help_text="A template's text is copied into the campaign; editing the template later does not change it.",
    )
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only for free text. Placeholders like <code>{{first_name}}</code> take their values from CSV columns.",
    )
    kind = forms.ChoiceField(
        choices=[("", "Automatic"), *MessageKind.choices],
        required=False,
        help_text="Automatic: the template's kind; free text is commercial. "
        "Opted-out numbers are left out of commercial campaigns.",
    )
    sender = forms.ChoiceField(
        required=False,
        label="Sender title",
        help_text="Automatic: the template's title, else each connector's default.",
    )
    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="Header row first: a <code>phone</code> column (or msisdn, mobile, number) and one column per "
        "placeholder. UTF-8 with or without BOM, separated by ; or ,.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    pasted = forms.CharField(
        required=False,
        label="Or paste numbers",
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control mono"}),
        help_text="One number per line (commas also separate). Only for texts without placeholders.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = Template.objects.order_by("name")
        self.fields["sender"].choices = [
            ("", "As the template, else connector default"),
            *_sender_choices()[1:],
        ]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "template": data["template"],
            "text": data["text"],
            "kind": data["kind"],
            "sender": data["sender"] or None,
            "csv_file": data["file"],
            "pasted": data["pasted"],
        }


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean_scheduled_at(self):
        value = self.cleaned_data["scheduled_at"]
        return timezone.make_aware(value) if timezone.is_naive(value) else value
