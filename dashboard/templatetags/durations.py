"""Durations as people read them: 850 ms, 4.2 s, 3 min, 2.5 h (in the page's language)."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def seconds_text(milliseconds: int | None) -> str:
    """A duration in milliseconds in the largest unit that keeps it readable."""
    if milliseconds is None:
        return "—"
    if milliseconds < 1000:
        return _("%(duration)s ms") % {"duration": number_format(milliseconds)}
    seconds = milliseconds / 1000
    if seconds < 60:
        return _("%(duration)s s") % {"duration": number_format(seconds, 1)}
    if seconds < 3600:
        return _("%(duration)s min") % {"duration": number_format(seconds / 60, 0)}
    return _("%(duration)s h") % {"duration": number_format(seconds / 3600, 1)}
