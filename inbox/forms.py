import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceErrorsMixin
from inbox.models import ReceiveConnector, Routing


def _split_numbers(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]+", value) if part.strip()]


class ReceiveConnectorForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "autofocus": True, "dir": "auto"}),
    )
    receiver_numbers = forms.CharField(
        label=_("Receiver numbers"),
        widget=forms.Textarea(attrs={"class": "form-control mono", "rows": 3, "dir": "ltr"}),
        help_text=_(
            "The numbers your customers text, one per line or separated by commas: E.164 "
            "with or without +, or a short code (e.g. +908501234567, 4455). A number belongs to one "
            "receive connector only."
        ),
    )
    routing = forms.ChoiceField(
        label=_("Routing"),
        choices=Routing.choices,
        initial=Routing.INBOX,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_(
            "Inbox: messages appear here. Forward: also POSTed as JSON to your URL. "
            "None: the provider is answered 502 and nothing is stored."
        ),
    )
    forward_url = forms.CharField(
        label=_("Forward URL"),
        required=False,
        max_length=500,
        widget=forms.URLInput(
            attrs={
                "class": "form-control",
                "placeholder": "https://crm.example.com/sms/inbound",
                "dir": "ltr",
            }
        ),
        help_text=_(
            "Only used with “Inbox + forward to URL”. Retried with back-off when it fails."
        ),
    )
    require_token = forms.BooleanField(
        label=_("Require token"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_("The provider must send <code>token=…</code>; recommended whenever it can."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_("An inactive connector answers 404, as if it did not exist."),
    )

    def __init__(
        self, *args: Any, connector: ReceiveConnector | None = None, **kwargs: Any
    ) -> None:
        self.connector = connector
        if connector is not None and not args:
            kwargs.setdefault(
                "initial",
                {
                    "name": connector.name,
                    "receiver_numbers": "\n".join(connector.receiver_numbers),
                    "routing": connector.routing,
                    "forward_url": connector.forward_url,
                    "require_token": connector.require_token,
                    "is_active": connector.is_active,
                },
            )
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict[str, Any]:
        return {
            **self.cleaned_data,
            "receiver_numbers": _split_numbers(self.cleaned_data["receiver_numbers"]),
        }


class ReplyForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("Reply"),
        strip=False,
        widget=forms.Textarea(
            attrs={
                "class": "form-control",
                "rows": 3,
                "placeholder": _("Write a reply…"),
                "dir": "auto",
            }
        ),
    )
    sender = forms.ChoiceField(
        label=_("Sender title"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, sender_titles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sender"].choices = [
            ("", _("Connector default")),
            *((t, t) for t in sender_titles),
        ]


class OptOutForm(ServiceErrorsMixin, forms.Form):
    number = forms.CharField(
        label=_("Number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": "+905321234567", "dir": "ltr"}
        ),
    )
