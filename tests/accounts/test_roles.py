"""Roles: the groups and their permissions, users without a role, navigation, the Django admin."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.roles import ROLE_PERMISSIONS, RoleName
from accounts.services import role_groups_sync
from tests.factories import ConnectorFactory, UserFactory

pytestmark = pytest.mark.django_db


def _codes(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def _signed_in(client, role):
    client.force_login(UserFactory(role=role))
    return client


def _nav_labels(html: str) -> list[str]:
    nav = html.split('<ul class="nav-list">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<span>([^<]+)</span>", nav)


@pytest.mark.parametrize("role", [RoleName.MARKETER, RoleName.AGENT, RoleName.VIEWER])
def test_each_role_group_holds_exactly_its_permissions(role):
    group = Group.objects.get(name=role.label)
    assert _codes(group) == ROLE_PERMISSIONS[role]


def test_the_admin_role_holds_every_permission():
    group = Group.objects.get(name="Admin")
    assert group.permissions.count() == Permission.objects.count()
    assert {"accounts.manage_api_keys", "auth.change_user", "connectors.change_connector"} <= (
        _codes(group)
    )


def test_every_permission_in_the_role_table_exists():
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert set().union(*ROLE_PERMISSIONS.values()) <= existing


def test_sync_puts_back_a_permission_taken_from_a_role():
    group = Group.objects.get(name="Marketer")
    group.permissions.remove(Permission.objects.get(codename="send_campaign"))
    role_groups_sync()
    assert "accounts.send_campaign" in _codes(group)


def test_a_user_without_a_role_sees_whom_to_ask_and_no_data(client):
    UserFactory(username="ayse", first_name="Ayşe", last_name="Yılmaz", email="ayse@example.com")
    UserFactory(username="old-admin", email="old@example.com", is_active=False)
    ConnectorFactory(name="Secret route")
    _signed_in(client, None)

    response = client.get(reverse("connectors:list"))
    html = response.content.decode()

    assert response.status_code == 403
    assert "You have no role yet" in html
    assert "Ayşe Yılmaz" in html
    assert "ayse@example.com" in html
    assert "old@example.com" not in html
    assert "Secret route" not in html
    assert _nav_labels(html) == []


def test_a_user_without_a_role_lands_on_the_no_role_page_after_sign_in(client):
    _signed_in(client, None)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "You have no role yet" in response.content.decode()


def test_a_superuser_without_a_role_may_do_everything(client):
    client.force_login(UserFactory(role=None, is_superuser=True))
    for name in ("settings", "accounts:user-list", "connectors:add", "simulators:index"):
        assert client.get(reverse(name)).status_code == 200, name


@pytest.mark.parametrize(
    ("role", "labels"),
    [
        (
            RoleName.ADMIN,
            [
                "Dashboard", "Connectors", "Routes", "Compose", "Messages", "Delivery reports",
                "Campaigns", "Templates", "Inbox", "Receive connectors", "Opt-outs", "Audit log",
                "Users", "Settings", "Simulators",
            ],
        ),
        (
            RoleName.MARKETER,
            ["Dashboard", "Connectors", "Routes", "Compose", "Messages",
             "Delivery reports", "Campaigns", "Templates", "Opt-outs"],
        ),
        (RoleName.AGENT, ["Messages", "Delivery reports", "Inbox", "Opt-outs"]),
        (RoleName.VIEWER, ["Dashboard", "Messages", "Delivery reports", "Campaigns", "Templates",
                           "Inbox"]),
    ],
)  # fmt: skip
def test_navigation_shows_only_what_the_role_may_open(client, role, labels):
    _signed_in(client, role)
    html = client.get(reverse("messaging:list")).content.decode()
    assert _nav_labels(html) == labels


@pytest.mark.parametrize(
    ("role", "first_page"),
    [(RoleName.MARKETER, "/dashboard/"), (RoleName.AGENT, "/messages/")],
)
def test_home_opens_the_first_page_the_role_may_see(client, role, first_page):
    _signed_in(client, role)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == first_page


def test_a_forbidden_page_answers_403_with_the_reason_in_the_console_layout(client):
    _signed_in(client, RoleName.VIEWER)
    response = client.get(reverse("connectors:list"))
    html = response.content.decode()
    assert response.status_code == 403
    assert 'id="forbidden"' in html
    assert "Your role (Viewer) does not allow this" in html
    assert "Can view connector" in html
    assert 'class="sidebar"' in html  # the console's own layout, with its navigation


def test_a_forbidden_api_call_answers_403_in_the_api_error_shape(client):
    _signed_in(client, RoleName.VIEWER)
    response = client.post("/api/v1/messages/", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["status"] == 403
    assert "Your role (Viewer) does not allow this" in response.json()["error"]


def test_a_user_in_a_custom_group_has_its_permissions(client):
    group = Group.objects.create(name="Auditors")
    group.permissions.add(Permission.objects.get(codename="view_auditentry"))
    user = UserFactory(role=None)
    user.groups.add(group)
    client.force_login(user)
    assert client.get(reverse("audit-log")).status_code == 200
    assert client.get(reverse("messaging:list")).status_code == 403


def test_an_admin_role_user_may_use_the_django_admin(console):
    assert console.get(reverse("admin:index")).status_code == 200
    assert console.get(reverse("admin:connectors_connector_changelist")).status_code == 200


@pytest.mark.parametrize("role", [RoleName.MARKETER, RoleName.AGENT, RoleName.VIEWER, None])
def test_other_roles_are_sent_to_the_admin_sign_in(client, role):
    _signed_in(client, role)
    response = client.get(reverse("admin:connectors_connector_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_status_alone_does_not_open_the_django_admin(client):
    client.force_login(UserFactory(role=RoleName.MARKETER, is_staff=True))
    response = client.get(reverse("admin:connectors_connector_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_superuser_may_use_the_django_admin(client):
    client.force_login(UserFactory(role=None, is_superuser=True, is_staff=True))
    assert client.get(reverse("admin:index")).status_code == 200
