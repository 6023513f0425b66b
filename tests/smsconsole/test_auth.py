"""Sign-in: every console page needs it; the login and logout pages work."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, converters, get_resolver, reverse

# Paths that are public on purpose, or guarded otherwise (API keys, Django admin's own login).
NOT_CONSOLE_PREFIXES = (
    "api/",  # REST API: API keys or session, answers 401 (tested in test_api_keys)
    "admin/",  # Django admin redirects to its own login
    "simulators/",  # provider simulators: stand-ins for the providers' public APIs
    "SMSReceiver",  # inbound SMS webhook called by providers
    "login/",
    "logout/",
)
# The pages of the foundation: the walk below must find at least these, or it is broken.
FOUNDATION_PAGES = {
    "home",
    "settings",
    "api-key-create",
    "api-key-revoke",
    "connectors:list",
    "connectors:add",
    "connectors:create",
    "connectors:edit",
    "connectors:delete",
    "connectors:toggle",
    "connectors:move",
    "connectors:test",
}


def _sample(converter) -> object:
    if isinstance(converter, converters.IntConverter):
        return 1
    if isinstance(converter, converters.UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


def _console_urls(patterns=None, prefix="", namespace="") -> dict[str, str]:
    """Every named console URL (name -> concrete path), found by walking the URL resolver."""
    found: dict[str, str] = {}
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(NOT_CONSOLE_PREFIXES) or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.update(_console_urls(entry.url_patterns, route, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            kwargs = {
                name: _sample(conv)
                for name, conv in getattr(entry.pattern, "converters", {}).items()
            }
            name = namespace + entry.name
            found[name] = reverse(name, kwargs=kwargs or None)
    return found


CONSOLE_URLS = _console_urls()


def test_the_walk_finds_every_foundation_page():
    assert set(CONSOLE_URLS) >= FOUNDATION_PAGES


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(CONSOLE_URLS))
def test_console_page_requires_sign_in(client, name, method):
    path = CONSOLE_URLS[name]
    response = getattr(client, method)(path)
    assert response.status_code == 302, (
        f"{name} ({path}) answered {response.status_code} to a stranger"
    )
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.django_db
def test_sign_in_with_the_right_password_opens_the_console(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.get(reverse("connectors:list")).status_code == 200


@pytest.mark.django_db
def test_sign_in_with_a_wrong_password_says_so(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"The user name or password is not right" in response.content
    assert client.get(reverse("connectors:list")).status_code == 302


@pytest.mark.django_db
def test_sign_out_ends_the_session(console):
    response = console.post(reverse("logout"))
    assert response.status_code == 302
    assert console.get(reverse("connectors:list")).status_code == 302


@pytest.mark.django_db
def test_home_leads_a_signed_in_user_into_the_console(console):
    response = console.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain
