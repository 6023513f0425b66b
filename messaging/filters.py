"""The message log's filters, shared by the console page, the CSV export and the API.

The query parameters are a contract: status, delivery_state, connector, kind, campaign,
date_from, date_to, number and q. A value that does not parse is reported on the form and left out of the filtering.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connectors.providers.types import DeliveryState
from core.phone import number_or_none
from core.text import digits_only
from messaging.models import Message, MessageKind, MessageStatus
from messaging.selectors import messaging_connector_choices

SELECT = {"class": "form-select form-select-sm"}
INPUT = {"class": "form-control form-control-sm"}

# Campaigns live a layer above messaging: their app registers here how to list them (its ready()),
# a function (include_id=…) -> [(id, name)] of the newest campaigns plus the one asked for.
campaign_choice_sources: list[Callable[..., list[tuple[int, str]]]] = []


class MessageFilterForm(forms.Form):
    """The filters' form: choices read from the database, and the date range's order."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["connector"].choices = [
            ("", _("Any connector")),
            *messaging_connector_choices(),
        ]
        asked = str(self.data.get("campaign") or "")
        self.fields["campaign"].choices = [
            ("", _("Any campaign")),
            *(
                choice
                for source in campaign_choice_sources
                for choice in source(include_id=int(asked) if digits_only(asked) else None)
            ),
        ]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class MessageFilter(django_filters.FilterSet):
    """Narrows a queryset of messages ordered newest first (every filter has an index ending in id)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=MessageStatus.choices,
        empty_label=_("Any status"),
        widget=forms.Select(attrs=SELECT),
    )
    delivery_state = django_filters.ChoiceFilter(
        label=_("Delivery"),
        choices=DeliveryState.choices,
        empty_label=_("Any delivery"),
        widget=forms.Select(attrs=SELECT),
    )
    connector = django_filters.TypedChoiceFilter(
        label=_("Connector"),
        field_name="connector_id",
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=MessageKind.choices,
        empty_label=_("Any kind"),
        widget=forms.Select(attrs=SELECT),
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        method="filter_date_from",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **INPUT}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        method="filter_date_to",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **INPUT}),
    )
    number = django_filters.CharFilter(
        label=_("Number"),
        method="filter_number",
        max_length=40,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": _("Number"), "dir": "ltr"}),
    )
    q = django_filters.CharFilter(
        label=_("Text contains"),
        field_name="text",
        lookup_expr="icontains",
        max_length=200,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": _("Text contains")}),
    )
    campaign = django_filters.TypedChoiceFilter(
        label=_("Campaign"),
        method="filter_campaign",
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )

    class Meta:
        model = Message
        fields: list[str] = []  # all declared above
        form = MessageFilterForm

    @property
    def active(self) -> bool:
        """Whether a valid filter narrows the log (for the Clear link and the empty state)."""
        if not self.is_bound:
            return False
        self.form.is_valid()  # fills cleaned_data with the values that parse
        return any(value not in (None, "") for value in self.form.cleaned_data.values())

    def filter_date_from(self, messages: QuerySet, name: str, value: date) -> QuerySet:
        return messages.filter(created_at__gte=_local_midnight(value))

    def filter_date_to(self, messages: QuerySet, name: str, value: date) -> QuerySet:
        return messages.filter(created_at__lt=_local_midnight(value + timedelta(days=1)))

    def filter_number(self, messages: QuerySet, name: str, value: str) -> QuerySet:
        """An exact match on a number that reads as one, else the digits typed anywhere in it."""
        if e164 := number_or_none(value):
            return messages.filter(to=e164)
        return messages.filter(to__contains="".join(c for c in value if c.isdigit()))

    def filter_campaign(self, messages: QuerySet, name: str, value: int) -> QuerySet:
        # Ordered by the recipients' message id (the same number), so the index (campaign,
        # -message) walks the campaign's messages newest first and stops after one page.
        return messages.filter(campaign_recipient__campaign_id=value).order_by(
            "-campaign_recipient__message_id"
        )


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
