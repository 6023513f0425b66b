"""The role table, enforced: every URL in the resolver, every method, every role and no role.

ACCESS is the one table of who may do what. The walk finds every named URL and every HTTP method
its view handles; one missing from the table fails the suite, so a new page or API operation
without a permission check cannot slip in.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, converters, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts.roles import RoleName
from core.models import API_SCOPES, SCOPE_INCLUDES
from core.services import api_key_create
from tests.factories import UserFactory

A, M, G, V = RoleName.ADMIN, RoleName.MARKETER, RoleName.AGENT, RoleName.VIEWER
EVERY_ROLE = {A, M, G, V}
ROLES = [A, M, G, V, None]  # None: a signed-in user without a role


def page(*roles) -> tuple[set, None]:
    return set(roles), None


def api(*roles, scope: str) -> tuple[set, str]:
    return set(roles), scope


# url name -> {HTTP method: (roles that may, API key scope needed or None for console pages)}
ACCESS = {
    "home": {"GET": page(*EVERY_ROLE)},
    "dashboard": {"GET": page(A, M, V)},
    "settings": {"GET": page(A)},
    "api-key-create": {"POST": page(A)},
    "api-key-revoke": {"POST": page(A)},
    "api-key-callback-secret": {"POST": page(A)},
    "audit-log": {"GET": page(A)},
    "accounts:user-list": {"GET": page(A)},
    "accounts:user-create": {"GET": page(A), "POST": page(A)},
    "accounts:user-role": {"POST": page(A)},
    "accounts:user-deactivate": {"POST": page(A)},
    "accounts:user-reactivate": {"POST": page(A)},
    "connectors:list": {"GET": page(A, M)},
    "connectors:add": {"GET": page(A)},
    "connectors:create": {"GET": page(A), "POST": page(A)},
    "connectors:edit": {"GET": page(A), "POST": page(A)},
    "connectors:delete": {"GET": page(A), "POST": page(A)},
    "connectors:toggle": {"POST": page(A)},
    "connectors:move": {"POST": page(A)},
    "connectors:test": {"POST": page(A)},
    "routes:list": {"GET": page(A, M)},
    "routes:explain": {"GET": page(A, M)},
    "routes:country": {"GET": page(A, M), "POST": page(A)},
    "connectors:regenerate-receipt-token": {"POST": page(A)},
    "messaging:compose": {"GET": page(A, M), "POST": page(A, M)},
    "messaging:compose-counter": {"GET": page(*EVERY_ROLE)},
    "messaging:list": {"GET": page(*EVERY_ROLE)},
    "messaging:export": {"GET": page(*EVERY_ROLE)},
    "messaging:detail": {"GET": page(*EVERY_ROLE)},
    "messaging:status": {"GET": page(*EVERY_ROLE)},
    "messaging:delivery-reports": {"GET": page(*EVERY_ROLE)},
    "campaigns:template-list": {"GET": page(A, M, V)},
    "campaigns:template-create": {"GET": page(A, M), "POST": page(A, M)},
    "campaigns:template-preview": {"POST": page(A, M)},
    "campaigns:template-edit": {"GET": page(A, M), "POST": page(A, M)},
    "campaigns:template-delete": {"POST": page(A, M)},
    "campaigns:campaign-list": {"GET": page(A, M, V)},
    "campaigns:campaign-create": {"GET": page(A, M), "POST": page(A, M)},
    "campaigns:campaign-detail": {"GET": page(A, M, V)},
    "campaigns:campaign-progress": {"GET": page(A, M, V)},
    "campaigns:campaign-action": {"POST": page(A, M)},
    "inbox:list": {"GET": page(A, G, V)},
    "inbox:conversation": {"GET": page(A, G, V), "POST": page(A, G)},
    "inbox:receive-connector-list": {"GET": page(A)},
    "inbox:receive-connector-create": {"GET": page(A), "POST": page(A)},
    "inbox:receive-connector-edit": {"GET": page(A), "POST": page(A)},
    "inbox:receive-connector-delete": {"GET": page(A), "POST": page(A)},
    "inbox:receive-connector-regenerate-token": {"POST": page(A)},
    "inbox:optout-list": {"GET": page(A, M, G), "POST": page(A, M, G)},
    "inbox:optout-delete": {"POST": page(A, M, G)},
    "simulators:index": {"GET": page(A)},
    "simulators:mode": {"POST": page(A)},
    "simulators:receipts": {"POST": page(A)},
    "simulators:account": {"POST": page(A)},
    "simulators:clear": {"POST": page(A)},
    # The API: signed-in users by role, API keys by scope.
    "api-connector-list": {
        "GET": api(A, M, scope="connectors:read"),
        "POST": api(A, scope="connectors:write"),
    },
    "api-connector-detail": {
        "GET": api(A, M, scope="connectors:read"),
        "PATCH": api(A, scope="connectors:write"),
        "DELETE": api(A, scope="connectors:write"),
    },
    "api-connector-test": {"POST": api(A, scope="connectors:write")},
    "api-connector-regenerate-receipt-token": {"POST": api(A, scope="connectors:write")},
    "api-provider-list": {"GET": api(A, M, scope="connectors:read")},
    "api-route-explain": {"GET": api(A, M, scope="connectors:read")},
    "api-message-list": {
        "GET": api(*EVERY_ROLE, scope="messages:read"),
        "POST": api(A, M, scope="messages:send"),
    },
    "api-message-detail": {"GET": api(*EVERY_ROLE, scope="messages:read")},
    "campaigns:send-notification": {"POST": api(A, M, scope="messages:send")},
    "api-inbox-list": {"GET": api(A, G, V, scope="inbox")},
    "api-receive-connector-list": {
        "GET": api(A, scope="connectors:read"),
        "POST": api(A, scope="connectors:write"),
    },
    "api-receive-connector-detail": {
        "GET": api(A, scope="connectors:read"),
        "PATCH": api(A, scope="connectors:write"),
        "DELETE": api(A, scope="connectors:write"),
    },
    "api-receive-connector-regenerate-token": {"POST": api(A, scope="connectors:write")},
    "api-optout-list": {"GET": api(A, M, G, scope="inbox"), "POST": api(A, M, G, scope="inbox")},
    "api-optout-detail": {"DELETE": api(A, M, G, scope="inbox")},
    "api-template-list": {
        "GET": api(A, M, V, scope="campaigns"),
        "POST": api(A, M, scope="campaigns"),
    },
    "api-template-detail": {
        "GET": api(A, M, V, scope="campaigns"),
        "PATCH": api(A, M, scope="campaigns"),
        "DELETE": api(A, M, scope="campaigns"),
    },
    "api-campaign-list": {
        "GET": api(A, M, V, scope="campaigns"),
        "POST": api(A, M, scope="campaigns"),
    },
    "api-campaign-detail": {"GET": api(A, M, V, scope="campaigns")},
    "api-campaign-pause": {"POST": api(A, M, scope="campaigns")},
    "api-campaign-resume": {"POST": api(A, M, scope="campaigns")},
    "api-campaign-cancel": {"POST": api(A, M, scope="campaigns")},
}

# Open to anyone on purpose (each has its own guard or none is needed). The language choosers
# serve signed-out visitors (set_language) and every signed-in user, with a role or not.
PUBLIC = {
    "login",
    "logout",
    "api-schema",
    "api-docs",
    "inbox:receiver",
    "set_language",
    "accounts:language",
    "messaging:receipt",
}
HANDLERS = ("get", "post", "put", "patch", "delete")


def _sample(converter) -> object:
    return 1 if isinstance(converter, converters.IntConverter) else "x"


def _is_public(name: str, callback) -> bool:
    if name in PUBLIC or name.startswith("admin:"):  # the Django admin: see test_roles.py
        return True
    # The simulators' provider endpoints stand in for the providers' public APIs.
    return name.startswith("simulators:") and not hasattr(callback, "view_class")


def _walk(patterns=None, prefix="", namespace=""):
    """(name, path, view class) of every named URL of the resolver that is not public."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = namespace + entry.name
            if _is_public(name, entry.callback):
                continue
            kwargs = {
                key: _sample(converter)
                for key, converter in getattr(entry.pattern, "converters", {}).items()
            }
            yield name, reverse(name, kwargs=kwargs or None), entry.callback.view_class


WALKED = {name: (path, view_class) for name, path, view_class in _walk()}
CASES = sorted(
    (name, method)
    for name, (_, view_class) in WALKED.items()
    for method in (handler.upper() for handler in HANDLERS if hasattr(view_class, handler))
)


def test_the_table_names_every_url_and_method_of_the_resolver_and_nothing_else():
    table = sorted((name, method) for name, methods in ACCESS.items() for method in methods)
    assert table == CASES


def test_the_walk_finds_the_console_and_the_api():
    assert len(WALKED) > 60
    assert {"home", "accounts:user-list", "simulators:index", "api-message-list"} <= set(WALKED)


def _request(client, method: str, path: str):
    if method in ("GET", "DELETE"):
        return getattr(client, method.lower())(path)
    return getattr(client, method.lower())(path, {}, format="json")


def _is_api(view_class) -> bool:
    return issubclass(view_class, APIView)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), CASES)
def test_each_role_may_do_exactly_what_the_table_says(name, method):
    path, view_class = WALKED[name]
    allowed, _ = ACCESS[name][method]
    for role in ROLES:
        client = APIClient() if _is_api(view_class) else Client()
        client.force_login(UserFactory(role=role))
        response = _request(client, method, path)
        who = f"{role or 'no role'}: {method} {path}"
        if role in allowed:
            assert response.status_code not in (401, 403, 405), f"{who} refused"
            assert response.status_code < 500, f"{who} answered {response.status_code}"
            continue
        assert response.status_code == 403, f"{who} answered {response.status_code}"
        text = response.json()["error"] if _is_api(view_class) else response.content.decode()
        expected = "You have no role yet" if role is None else "does not allow this"
        assert expected in text, f"{who}: {text[:300]}"


API_CASES = [
    (name, method, ACCESS[name][method][1]) for name, method in CASES if _is_api(WALKED[name][1])
]


def _key_client(scopes: list[str]) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key_create(name="walk", scopes=scopes).key)
    return client


def _schema_path(path: str) -> str:
    """A walked API path as the OpenAPI schema writes it: /api/v1/connectors/1/ → …/{id}/."""
    return re.sub(r"/1/", "/{id}/", re.sub(r"/templates/x/", "/templates/{key_or_id}/", path))


def test_the_api_operations_walked_are_those_of_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
    }
    walked = {(_schema_path(WALKED[name][0]), method) for name, method, _ in API_CASES}
    assert walked == documented


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "scope"), API_CASES)
def test_an_api_key_needs_the_operations_scope(name, method, scope):
    path = WALKED[name][0]
    others = [
        other
        for other in API_SCOPES
        if other not in (scope, "admin") and scope not in SCOPE_INCLUDES.get(other, ())
    ]

    refused = _request(_key_client(others), method, path)
    with_scope = _request(_key_client([scope]), method, path)
    with_admin = _request(_key_client(["admin"]), method, path)

    assert refused.status_code == 403
    assert f'"{scope}" scope' in refused.json()["error"]
    assert with_scope.status_code not in (401, 403, 405)
    assert with_admin.status_code not in (401, 403, 405)
