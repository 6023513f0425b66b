"""The service-errors form mixin: a service's ValidationError lands where the person looks."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import ServiceErrorsMixin


class NameForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField()
    option_url = forms.CharField(required=False)

    def service_error_field(self, key: str) -> str | None:
        return super().service_error_field(key.replace("options.", "option_"))


def refuse(**fields):
    raise ValidationError(
        {"name": ["Taken."], "options.url": ["Use https."], "recipients": ["Add recipients."]}
    )


def test_service_errors_go_on_their_fields_and_unknown_keys_above_the_form():
    form = NameForm({"name": "x"})
    assert form.is_valid()

    assert form.call_service(refuse, name="x") is None

    assert form.errors["name"] == ["Taken."]
    assert form.errors["option_url"] == ["Use https."]
    assert form.non_field_errors() == ["Add recipients."]


def test_a_message_without_field_goes_above_the_form():
    form = NameForm({"name": "x"})
    assert form.is_valid()

    form.add_service_errors(ValidationError("Nothing to send."))

    assert form.non_field_errors() == ["Nothing to send."]


def test_call_service_returns_what_the_service_returns():
    form = NameForm({"name": "x"})
    assert form.is_valid()

    assert form.call_service(lambda **fields: fields["name"].upper(), name="x") == "X"
    assert not form.errors
