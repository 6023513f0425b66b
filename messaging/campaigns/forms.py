"""Console forms for templates and campaigns; the services do the real checking."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connectors.selectors import sender_titles_active
from core.forms import ServiceErrorsMixin
from messaging.campaigns.models import Template
from messaging.models import IysRecipientType, MessageKind

IYS_HELP = _(
    "İYS list for commercial messages to Turkey (Law 6563). Blank: the connector's default."
)


def _sender_choices() -> list[tuple[str, str]]:
    return [("", _("Connector default")), *((title, title) for title in sender_titles_active())]


class TemplateForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        max_length=100,
        label=_("Name"),
        help_text=_("How marketers find it in the console."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    key = forms.CharField(
        max_length=64,
        label=_("Key"),
        help_text=_(
            "What integrations send as <code>notificationKey</code>: letters, digits, - and _, e.g. order-shipped."
        ),
    )
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5, "data-placeholder-source": "true", "dir": "auto"}),
        help_text=_(
            "Write placeholders in double braces, e.g. <code>{{first_name}}</code>. Every placeholder needs a value when sending."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=MessageKind.choices,
        help_text=_("Commercial messages are not sent to numbers that opted out."),
    )
    sender = forms.ChoiceField(required=False, label=_("Sender title"))
    iys_recipient_type = forms.ChoiceField(
        required=False,
        label=_("İYS recipient type"),
        choices=[("", _("Connector default")), *IysRecipientType.choices],
        help_text=IYS_HELP,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sender"].choices = _sender_choices()
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


class CampaignForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        max_length=120,
        label=_("Name"),
        help_text=_("For you and your team, e.g. Spring sale – Istanbul."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=Template.objects.none(),
        required=False,
        to_field_name="key",
        empty_label=_("Free text (no template)"),
        help_text=_(
            "A template's text is copied into the campaign; editing the template later does not change it."
        ),
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_(
            "Only for free text. Placeholders like <code>{{first_name}}</code> take their values from CSV columns."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Automatic")), *MessageKind.choices],
        required=False,
        help_text=_(
            "Automatic: the template's kind; free text is commercial. "
            "Opted-out numbers are left out of commercial campaigns."
        ),
    )
    sender = forms.ChoiceField(
        required=False,
        label=_("Sender title"),
        help_text=_("Automatic: the template's title, else each connector's default."),
    )
    iys_recipient_type = forms.ChoiceField(
        required=False,
        label=_("İYS recipient type"),
        choices=[("", _("As the template, else connector default")), *IysRecipientType.choices],
        help_text=IYS_HELP,
    )
    max_spend = forms.DecimalField(
        required=False,
        min_value=0.01,
        max_digits=12,
        decimal_places=2,
        label=_("Spend cap"),
        help_text=_("Optional. The campaign pauses before its messages could cost more."),
    )
    file = forms.FileField(
        required=False,
        label=_("CSV file"),
        help_text=_(
            "Header row first: a <code>phone</code> column (or msisdn, mobile, number) and one column per "
            "placeholder. UTF-8 with or without BOM, separated by ; or ,."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    pasted = forms.CharField(
        required=False,
        label=_("Or paste numbers"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control mono", "dir": "ltr"}),
        help_text=_(
            "One number per line (commas also separate). Only for texts without placeholders."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = Template.objects.order_by("name")
        self.fields["sender"].choices = [
            ("", _("As the template, else connector default")),
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
            "iys_recipient_type": data["iys_recipient_type"] or None,
            "max_spend": data["max_spend"],
            "csv_file": data["file"],
            "pasted": data["pasted"],
        }


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(
            format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local", "class": "form-control"}
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean_scheduled_at(self):
        value = self.cleaned_data["scheduled_at"]
        return timezone.make_aware(value) if timezone.is_naive(value) else value
