"""The opt-out list: numbers that asked for no more commercial SMS."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from core.audit import audit_record
from core.phone import number_for_opt_out
from core.text import digits_only
from messaging.models import OptOut


@transaction.atomic
def optout_create(
    *, number: str, keyword: str = "", inbound_message_id: int | None = None, actor: str = ""
) -> OptOut:
    """Add a number to the opt-out list (idempotent); `actor` names a phone that texted a stop word."""
    normalised = number_for_opt_out(number)
    if not digits_only(normalised.lstrip("+")):
        raise ValidationError({"number": [gettext("Enter a phone number, e.g. +905321234567.")]})
    optout, created = OptOut.objects.get_or_create(
        number=normalised, defaults={"keyword": keyword, "inbound_message_id": inbound_message_id}
    )
    if created:
        changes = {"keyword": [None, optout.keyword]}
        audit_record(action="create", target=optout, changes=changes, actor=actor)
    return optout


@transaction.atomic
def optout_delete(*, optout: OptOut) -> None:
    """Remove a number from the opt-out list: commercial messages may reach it again."""
    audit_record(action="delete", target=optout, changes={"keyword": [optout.keyword, None]})
    optout.delete()
