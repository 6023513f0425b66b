from django.conf import settings
from django.urls import NoReverseMatch, reverse

# (url name, label, icon, url prefix that marks it active). Pages not built yet are left out.
NAV = [
    ("dashboard", "Dashboard", "speedometer2", "/dashboard"),
    ("connectors:list", "Connectors", "plug", "/connectors"),
    ("messaging:compose", "Compose", "pencil-square", "/compose"),
    ("messaging:list", "Messages", "list-ul", "/messages"),
    ("campaigns:campaign-list", "Campaigns", "megaphone", "/campaigns"),
    ("campaigns:template-list", "Templates", "file-earmark-text", "/templates"),
    ("inbox:list", "Inbox", "inbox", "/inbox"),
    (
        "inbox:receive-connector-list",
        "Receive connectors",
        "box-arrow-in-down",
        "/receive-connectors",
    ),
    ("inbox:optout-list", "Opt-outs", "slash-circle", "/opt-outs"),
    ("audit-log", "Audit log", "journal-text", "/audit"),
    ("settings", "Settings", "gear", "/settings"),
    ("simulators:index", "Simulators", "cpu", "/simulators"),
]


def _nav_items(path: str) -> list[dict]:
    items = []
    for name, label, icon, prefix in NAV:
        if name.startswith("simulators:") and not settings.SMSCONSOLE_SIMULATORS:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "icon": icon, "active": path.startswith(prefix)})
    return items


def _badges() -> dict[str, int]:
    """Counts shown next to nav items (cheap, indexed queries)."""
    from inbox.selectors import inbox_unread_count

    return {"Inbox": inbox_unread_count()}


def console(request) -> dict:
    """Values every console page needs."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"simulators_enabled": settings.SMSCONSOLE_SIMULATORS}
    items = _nav_items(request.path)
    badges = _badges()
    for item in items:
        item["badge"] = badges.get(item["label"], 0)
    from messaging.selectors import worker_stall

    return {
        "simulators_enabled": settings.SMSCONSOLE_SIMULATORS,
        "nav_items": items,
        "worker_stall": worker_stall(),
    }
