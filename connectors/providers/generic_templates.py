"""The generic HTTP connector's templates: placeholders, values escaped for the content type, and
recipient lists (each recipient written by the list template, joined into {{recipients}})."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree
from xml.sax.saxutils import escape as xml_escape

from django import forms

from connectors.providers.types import OutboundSms

RECIPIENTS = "recipients"
PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
PLACEHOLDERS = ("to", "to_no_plus", "text", "sender", "id", "username", "password", RECIPIENTS)
LIST_PLACEHOLDERS = ("to", "to_no_plus", "id")
DEFAULT_SEPARATOR = ","
DEFAULT_LIST_SIZE = 100
MAX_LIST_SIZE = 1000  # what the connector declares; an option may only lower it

LIST_OPTION_FIELDS: dict[str, forms.Field] = {
    "list_template": forms.CharField(
        label="Recipient in a list",
        required=False,
        max_length=200,
        help_text=(
            "Optional, for providers that take one text to many numbers in one request. How one "
            'recipient is written in the list, e.g. {{to_no_plus}}, or "{{to}}" for a JSON array. '
            "Placeholders: {{to}} {{to_no_plus}} {{id}}. The body template then names the whole "
            "list once, as {{recipients}}, and no longer uses {{to}}, {{to_no_plus}} or {{id}}. "
            "Leave empty to send one number per request."
        ),
    ),
    "list_separator": forms.CharField(
        label="List separator",
        required=False,
        max_length=5,
        strip=False,
        help_text="Only with a list template: what goes between two recipients. Default: a comma.",
    ),
    "list_size": forms.IntegerField(
        label="Recipients per request",
        required=False,
        min_value=2,
        max_value=MAX_LIST_SIZE,
        help_text=(
            "Only with a list template: the most numbers the provider takes in one request "
            f"(default {DEFAULT_LIST_SIZE}, at most {MAX_LIST_SIZE})."
        ),
    ),
}


def list_size(options: dict[str, Any]) -> int:
    """Numbers per request of a connector with a list template."""
    return int(options.get("list_size") or DEFAULT_LIST_SIZE)


def recipient_values(message: OutboundSms) -> dict[str, str]:
    """The values of the per-recipient placeholders of one message."""
    return {"to": message.to, "to_no_plus": message.to.lstrip("+"), "id": str(message.id)}


def recipients_value(
    options: dict[str, Any],
    values: list[dict[str, str]],
    fill: Callable[[str, dict[str, str]], str],
) -> str:
    """{{recipients}}: each recipient by the list template (`fill` escapes for the content
    type), joined by the separator."""
    separator = options.get("list_separator") or DEFAULT_SEPARATOR
    return separator.join(fill(options["list_template"], value) for value in values)


def list_problems(options: dict[str, Any]) -> dict[str, str]:
    """What is wrong with the list options against the body template, by option name."""
    template = options.get("list_template", "")
    in_body = set(PLACEHOLDER_RE.findall(options.get("body_template", "")))
    if not template:
        if RECIPIENTS in in_body:
            return {"list_template": "{{recipients}} in the body needs a recipient list template."}
        return {}
    in_list = set(PLACEHOLDER_RE.findall(template))
    if unknown := sorted(in_list - set(LIST_PLACEHOLDERS)):
        return {
            "list_template": f"Unknown placeholder(s): {', '.join(unknown)}. "
            f"Use: {', '.join(LIST_PLACEHOLDERS)}."
        }
    if not in_list & {"to", "to_no_plus"}:
        return {"list_template": "Write the number in it: {{to}} or {{to_no_plus}}."}
    if RECIPIENTS not in in_body:
        return {"body_template": "With a recipient list template, put {{recipients}} in the body."}
    if per_recipient := sorted(in_body & set(LIST_PLACEHOLDERS)):
        return {
            "body_template": f"With a recipient list template, {', '.join(per_recipient)} go in "
            "the list template; the body names the list as {{recipients}}."
        }
    return {}


def escape(value: str, content_type: str) -> str:
    """A value as written in a body of this content type (form values are encoded when sent)."""
    if content_type == "json":
        return json.dumps(value, ensure_ascii=False)[1:-1]
    if content_type == "xml":
        return xml_escape(value, {'"': "&quot;", "'": "&apos;"})
    return value


def fill(template: str, values: dict[str, str], content_type: str) -> str:
    """The template with each placeholder's value escaped for the content type; {{recipients}}
    is put in as it is (each recipient was escaped when the list was written)."""
    return PLACEHOLDER_RE.sub(
        lambda m: (
            values[m.group(1)]
            if m.group(1) == RECIPIENTS
            else escape(values[m.group(1)], content_type)
        ),
        template,
    )


def template_problem(options: dict[str, Any]) -> str:
    """Why the template cannot produce a valid body, or "" (checked with awkward sample values)."""
    content_type, template = options["content_type"], options["body_template"]
    if content_type == "form" or options["method"] == "GET":
        return (
            ""
            if parse_qsl(template, keep_blank_values=True)
            else "Write the body as name=value pairs joined by &."
        )
    sample = dict.fromkeys(PLACEHOLDERS, "x\"<&>\\'")
    if options.get("list_template"):  # two recipients, as the list would carry them
        sample[RECIPIENTS] = recipients_value(
            options, [sample, sample], lambda t, value: fill(t, value, content_type)
        )
    body = fill(template, sample, content_type)
    try:
        if content_type == "json":
            json.loads(body)
        else:
            ElementTree.fromstring(body)  # noqa: S314 - our own template, parsed to validate it
    except (ValueError, ElementTree.ParseError) as error:
        kind = "JSON" if content_type == "json" else "XML"
        return (
            f"The template is not valid {kind} once filled in ({error}). "
            "Put placeholders inside strings."
        )
    return ""
