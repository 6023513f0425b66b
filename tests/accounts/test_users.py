"""The Users page, the user services and the create_user command; every change is audited."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.roles import RoleName
from accounts.selectors import user_role
from core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Kuzey-Yildizi-42"


def _sign_in(username: str, password: str) -> Client:
    """A fresh browser-like client that signed in through the sign-in page."""
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return client


def _create(console, **fields):
    data = {"username": "zeynep", "email": "zeynep@example.com", "role": "marketer"}
    return console.post(reverse("accounts:user-create"), {**data, "password": PASSWORD, **fields})


def test_an_admin_creates_a_user_with_a_role_who_can_sign_in(console):
    response = _create(console)

    zeynep = User.objects.get(username="zeynep")
    client = _sign_in("zeynep", PASSWORD)
    assert response.status_code == 302
    assert user_role(zeynep) == RoleName.MARKETER
    assert not zeynep.is_staff
    assert client.get(reverse("campaigns:campaign-list")).status_code == 200
    assert client.get(reverse("connectors:edit", args=[1])).status_code == 403


def test_creating_a_user_is_audited_without_the_password(console, user):
    _create(console)
    entry = AuditEntry.objects.get(target_type="auth.user", action="create")
    assert entry.user == user
    assert entry.changes["role"] == [None, "Marketer"]
    assert entry.changes["password"] == "changed"
    assert PASSWORD not in str(entry.changes)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "123"}, "password", "too short"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"role": "owner"}, "role", "Select a valid choice"),
        ({"username": "user-taken"}, "username", "already a user"),
    ],
    ids=["weak-password", "bad-email", "unknown-role", "taken-name"],
)
def test_a_bad_new_user_is_refused_with_the_reason_and_nothing_stored(
    console, fields, field, message
):
    UserFactory(username="user-taken")
    before = User.objects.count()
    response = _create(console, **fields)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(target_type="auth.user").exists()


def test_an_admin_changes_a_role_and_staff_status_follows(console):
    agent = UserFactory(role=RoleName.AGENT)
    response = console.post(
        reverse("accounts:user-role", args=[agent.pk]), {f"user{agent.pk}-role": "admin"}
    )
    agent.refresh_from_db()
    assert response.status_code == 302
    assert user_role(agent) == RoleName.ADMIN
    assert agent.is_staff
    assert list(agent.groups.values_list("name", flat=True)) == ["Admin"]
    entry = AuditEntry.objects.get(action="set_role")
    assert entry.changes == {"role": ["Agent", "Admin"]}

    console.post(reverse("accounts:user-role", args=[agent.pk]), {f"user{agent.pk}-role": "viewer"})
    agent.refresh_from_db()
    assert not agent.is_staff


def test_an_admin_cannot_change_their_own_role(console, user):
    response = console.post(
        reverse("accounts:user-role", args=[user.pk]),
        {f"user{user.pk}-role": "viewer"},
        follow=True,
    )
    assert "You cannot change the role of yourself" in response.content.decode()
    assert user_role(user) == RoleName.ADMIN


def test_a_deactivated_user_can_no_longer_sign_in_and_can_be_reactivated(console):
    viewer = UserFactory(role=RoleName.VIEWER)
    console.post(reverse("accounts:user-deactivate", args=[viewer.pk]))
    viewer.refresh_from_db()
    client = _sign_in(viewer.username, "correct horse battery staple")
    assert not viewer.is_active
    assert client.get(reverse("messaging:list")).status_code == 302

    console.post(reverse("accounts:user-reactivate", args=[viewer.pk]))
    viewer.refresh_from_db()
    assert viewer.is_active
    actions = list(
        AuditEntry.objects.filter(target_type="auth.user").values_list("action", flat=True)
    )
    assert actions == ["reactivate", "deactivate"]


def test_a_deactivated_users_open_session_ends(console):
    viewer = UserFactory(role=RoleName.VIEWER)
    client = Client()
    client.force_login(viewer)
    console.post(reverse("accounts:user-deactivate", args=[viewer.pk]))
    response = client.get(reverse("messaging:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_admin_cannot_deactivate_themselves(console, user):
    response = console.post(reverse("accounts:user-deactivate", args=[user.pk]), follow=True)
    user.refresh_from_db()
    assert user.is_active
    assert "You cannot deactivate yourself" in response.content.decode()


def test_the_users_page_lists_users_with_their_roles(console):
    UserFactory(username="can", role=RoleName.AGENT)
    UserFactory(username="root", role=None, is_superuser=True)
    html = console.get(reverse("accounts:user-list")).content.decode()
    assert 'data-username="can"' in html
    assert 'value="agent" selected' in html
    assert "Superuser" in html


def test_create_user_command_makes_a_user_with_a_role():
    stdout = io.StringIO()
    call_command("create_user", "deniz", "--role", "agent", "--password", PASSWORD, stdout=stdout)
    deniz = User.objects.get(username="deniz")
    assert user_role(deniz) == RoleName.AGENT
    assert deniz.check_password(PASSWORD)
    assert "created as Agent" in stdout.getvalue()
    assert AuditEntry.objects.get(target_type="auth.user").actor == "system"


def test_create_user_command_refuses_a_weak_password():
    with pytest.raises(CommandError, match="password"):
        call_command("create_user", "deniz", "--role", "viewer", "--password", "123")
    assert not User.objects.filter(username="deniz").exists()


def test_createsuperuser_still_works():
    call_command(
        "createsuperuser",
        "--noinput",
        "--username",
        "root",
        "--email",
        "root@example.com",
        stdout=io.StringIO(),
    )
    assert User.objects.get(username="root").is_superuser


def test_a_user_without_a_role_is_offered_no_role_by_default(console):
    newcomer = UserFactory(username="newcomer", role=None)
    html = console.get(reverse("accounts:user-list")).content.decode()
    row = html.split('data-username="newcomer"', 1)[1].split("</tr>", 1)[0]
    assert '<option value="" selected>Choose a role…</option>' in row
    response = console.post(
        reverse("accounts:user-role", args=[newcomer.pk]), {f"user{newcomer.pk}-role": ""}
    )
    assert response.status_code == 302
    assert user_role(newcomer) is None
