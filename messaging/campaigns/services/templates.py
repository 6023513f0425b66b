"""Templates: create, update, delete; and the check of a text with placeholders."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from core.audit import audit_changes, audit_record, audit_snapshot
from core.text import text_problem
from messaging.campaigns import rendering
from messaging.campaigns.models import Template
from messaging.models import MessageKind
from messaging.validation import iys_recipient_type_problem, kind_problem, sender_problem

TEMPLATE_FIELDS = ("key", "name", "text", "kind", "sender", "iys_recipient_type")
KEY_RE = re.compile(r"[A-Za-z0-9_-]+")


def template_text_problem(text: str) -> str:
    """Why a text with placeholders cannot be sent (as a text, or for a placeholder), or ""."""
    if problem := text_problem(text):
        return problem
    if bad := rendering.malformed_placeholders(text):
        return gettext(
            "%(placeholders)s cannot be filled: a placeholder is a name of letters, digits and _ "
            "in double braces, e.g. {{first_name}}."
        ) % {"placeholders": ", ".join(bad)}
    return ""


def _key_ok(key: str) -> bool:
    """Keys are slugs with a letter, so an all-digit path segment in the API is always an id."""
    return len(key) <= 64 and bool(KEY_RE.fullmatch(key)) and not key.isdigit()


def _clean_template(fields: dict[str, Any], *, instance: Template | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    key = str(fields.get("key") or "").strip()
    if not key:
        errors["key"] = [
            gettext("Give the template a key, e.g. order-shipped (letters, digits, - and _).")
        ]
    elif not _key_ok(key):
        errors["key"] = [
            gettext(
                "'%(key)s' is not a valid key: use 1 to 64 letters, digits, - and _, with at "
                "least one letter."
            )
            % {"key": key}
        ]
    elif Template.objects.filter(key=key).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["key"] = [
            gettext("A template with key '%(key)s' already exists; keys are unique.") % {"key": key}
        ]
    name = str(fields.get("name") or "").strip()
    if not name:
        errors["name"] = [gettext("Give the template a name.")]
    elif len(name) > 100:
        errors["name"] = [
            gettext("The name may be at most %(limit)s characters long.") % {"limit": 100}
        ]
    text = str(fields.get("text") or "")
    if problem := template_text_problem(text):
        errors["text"] = [problem]
    kind = fields.get("kind") or MessageKind.TRANSACTIONAL
    if problem := kind_problem(kind):
        errors["kind"] = [problem]
    sender = str(fields.get("sender") or "").strip()
    if problem := sender_problem(sender):
        errors["sender"] = [problem]
    iys_recipient_type = str(fields.get("iys_recipient_type") or "")
    if problem := iys_recipient_type_problem(iys_recipient_type):
        errors["iys_recipient_type"] = [problem]
    if errors:
        raise ValidationError(errors)
    return {
        "key": key,
        "name": name,
        "text": text,
        "kind": kind,
        "sender": sender,
        "iys_recipient_type": iys_recipient_type,
    }


@transaction.atomic
def template_create(
    *,
    key: str,
    name: str,
    text: str,
    kind: str = MessageKind.TRANSACTIONAL,
    sender: str = "",
    iys_recipient_type: str = "",
) -> Template:
    """Store a new template."""
    fields = _clean_template(
        {
            "key": key,
            "name": name,
            "text": text,
            "kind": kind,
            "sender": sender,
            "iys_recipient_type": iys_recipient_type,
        },
        instance=None,
    )
    template = Template.objects.create(**fields)
    audit_record(action="create", target=template, changes=audit_changes({}, fields))
    return template


@transaction.atomic
def template_update(*, template: Template, **changes: Any) -> Template:
    """Change some fields of a template; campaigns already made keep their text."""
    unknown = sorted(set(changes) - set(TEMPLATE_FIELDS))
    if unknown:
        raise ValidationError(
            {
                "non_field_errors": [
                    gettext("Unknown template field(s): %(fields)s.")
                    % {"fields": ", ".join(unknown)}
                ]
            }
        )
    before = audit_snapshot(template, TEMPLATE_FIELDS)
    fields = _clean_template({**before, **changes}, instance=template)
    for name, value in fields.items():
        setattr(template, name, value)
    template.save()
    if diff := audit_changes(before, fields):
        audit_record(action="update", target=template, changes=diff)
    return template


@transaction.atomic
def template_delete(*, template: Template) -> None:
    """Delete a template; campaigns made from it keep their own copy of the text."""
    audit_record(
        action="delete",
        target=template,
        changes=audit_changes(audit_snapshot(template, TEMPLATE_FIELDS), {}),
    )
    template.delete()
