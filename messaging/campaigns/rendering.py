"""Template text with {{placeholders}}: find them, fill them, and say what a filled text costs."""

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from core import text as sms_text

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Anything between double braces, to catch placeholders that can never be filled ("{{first name}}").
BRACES_RE = re.compile(r"\{\{(.*?)\}\}")


def placeholders_in(text: str) -> list[str]:
    """Placeholder names in order of first use, each once."""
    return list(dict.fromkeys(PLACEHOLDER_RE.findall(text or "")))


def malformed_placeholders(text: str) -> list[str]:
    """Double-brace parts that are not valid placeholders, as written."""
    return [
        f"{{{{{inner}}}}}"
        for inner in BRACES_RE.findall(text or "")
        if not PLACEHOLDER_RE.fullmatch(f"{{{{{inner}}}}}")
    ]


def missing_values(names: list[str], params: Mapping[str, Any]) -> list[str]:
    """The placeholders that have no value; an empty value counts as none."""
    return [
        name for name in names if params.get(name) is None or str(params.get(name)).strip() == ""
    ]


def render(text: str, params: Mapping[str, Any]) -> str:
    """The text with every placeholder filled; ValidationError naming the ones without a value."""
    if missing := missing_values(placeholders_in(text), params):
        raise ValidationError(
            gettext(
                "No value for %(placeholders)s: give every placeholder a value (an empty value is "
                "not sent)."
            )
            % {"placeholders": ", ".join("{{" + name + "}}" for name in missing)}
        )
    return PLACEHOLDER_RE.sub(lambda match: str(params[match.group(1)]).strip(), text)


def preview(text: str, params: Mapping[str, Any]) -> dict:
    """The rendered text with its encoding and segments, or the missing placeholders."""
    names = placeholders_in(text)
    missing = missing_values(names, params)
    if missing or not text.strip():
        return {"placeholders": names, "missing": missing, "rendered": "", "measure": None}
    rendered = render(text, params)
    return {
        "placeholders": names,
        "missing": [],
        "rendered": rendered,
        "measure": sms_text.measure(rendered),
    }
