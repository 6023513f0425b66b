from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_may_open
from accounts.selectors import user_has_role
from inbox.selectors import inbox_unread_count
from messaging.selectors import worker_stall

# (url name, label, icon, url prefix that marks it active). Pages not built yet are left out.
NAV = [
    ("dashboard", _("Dashboard"), "speedometer2", "/dashboard"),
    ("connectors:list", _("Connectors"), "plug", "/connectors"),
    ("routes:list", _("Routes"), "signpost-split", "/routes"),
    ("messaging:compose", _("Compose"), "pencil-square", "/compose"),
    ("messaging:list", _("Messages"), "list-ul", "/messages"),
    ("messaging:delivery-reports", _("Delivery reports"), "envelope-check", "/delivery-reports"),
    ("campaigns:campaign-list", _("Campaigns"), "megaphone", "/campaigns"),
    ("campaigns:template-list", _("Templates"), "file-earmark-text", "/templates"),
    ("inbox:list", _("Inbox"), "inbox", "/inbox"),
    (
        "inbox:receive-connector-list",
        _("Receive connectors"),
        "box-arrow-in-down",
        "/receive-connectors",
    ),
    ("inbox:optout-list", _("Opt-outs"), "slash-circle", "/opt-outs"),
    ("audit-log", _("Audit log"), "journal-text", "/audit"),
    ("accounts:user-list", _("Users"), "people", "/users"),
    ("settings", _("Settings"), "gear", "/settings"),
    ("simulators:index", _("Simulators"), "cpu", "/simulators"),
]


def nav_items(path: str, user) -> list[dict]:
    """The pages the user may open (their view's permission check decides)."""
    items = []
    for name, label, icon, prefix in NAV:
        if name.startswith("simulators:") and not settings.SMSCONSOLE_SIMULATORS:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if not user_may_open(user, url):
            continue
        items.append(
            {
                "name": name,
                "url": url,
                "label": label,
                "icon": icon,
                "active": path.startswith(prefix),
            }
        )
    return items


def _badges() -> dict[str, int]:
    """Counts shown next to nav items (cheap, indexed queries)."""
    return {"inbox:list": inbox_unread_count()}


def console(request) -> dict:
    """Values every console page needs."""
    if not getattr(request, "user", None) or not user_has_role(request.user):
        return {"simulators_enabled": settings.SMSCONSOLE_SIMULATORS}
    items = nav_items(request.path, request.user)
    badges = _badges()
    for item in items:
        item["badge"] = badges.get(item["name"], 0)
    return {
        "simulators_enabled": settings.SMSCONSOLE_SIMULATORS,
        "nav_items": items,
        "worker_stall": worker_stall(),
    }
