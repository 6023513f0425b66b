"""Sign-in: every console page needs it; the login and logout pages work."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, converters, get_resolver, reverse
from rest_framework.views import APIView

# Paths that are public on purpose, or guarded by something else than the console's sign-in.
NOT_GUARDED_PREFIXES = (
    "admin/",  # Django admin redirects to its own login
    "simulators/",  # provider simulators: stand-ins for the providers' public APIs
    "SMSReceiver",  # inbound SMS webhook called by providers
    "dlr/",  # delivery reports pushed by providers, guarded by the connector's receipt token
    "login/",
    "logout/",
    "i18n/",  # Django's set_language: the language chooser of the sign-in page
)
PUBLIC_API_NAMES = {"api-schema", "api-docs"}  # the OpenAPI description is public
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
FOUNDATION_API = {
    "api-connector-list",
    "api-connector-detail",
    "api-connector-test",
    "api-provider-list",
}


def _sample(converter) -> object:
    if isinstance(converter, converters.IntConverter):
        return 1
    if isinstance(converter, converters.UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


def _walk(patterns=None, prefix="", namespace=""):
    """(name, concrete path, is a DRF API view) of every named URL, walking the URL resolver."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(NOT_GUARDED_PREFIXES) or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters_ = getattr(entry.pattern, "converters", {})
            kwargs = {name: _sample(conv) for name, conv in converters_.items()}
            name = namespace + entry.name
            view_class = getattr(entry.callback, "cls", None)
            is_api = isinstance(view_class, type) and issubclass(view_class, APIView)
            yield name, reverse(name, kwargs=kwargs or None), is_api


CONSOLE_URLS = {name: path for name, path, is_api in _walk() if not is_api}
API_URLS = {name: path for name, path, is_api in _walk() if is_api and name not in PUBLIC_API_NAMES}


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
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(API_URLS))
def test_api_endpoint_refuses_a_stranger(client, name, method):
    path = API_URLS[name]
    response = getattr(client, method)(path)
    assert response.status_code in (401, 403, 405), f"{name} ({path}): {response.status_code}"
    if response.status_code != 405:
        assert response.json()["status"] == response.status_code


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
