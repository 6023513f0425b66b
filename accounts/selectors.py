"""Reads about users and their roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Profile
from accounts.roles import RoleName

ROLE_LABELS = {label: role for role, label in RoleName.choices}


def user_has_role(user) -> bool:
    """A superuser, or a member of a group (a role): who may see anything in the console."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_has_role"):  # asked several times per request: once from the database
        user._has_role = user.groups.exists()
    return user._has_role


def user_is_admin(user) -> bool:
    """A superuser, or a member of the Admin role."""
    return user.is_superuser or user.groups.filter(name=RoleName.ADMIN.label).exists()


def user_role(user) -> str | None:
    """The user's role (a RoleName value), if they have one of the four."""
    names = [group.name for group in user.groups.all()]
    return next((ROLE_LABELS[name] for name in names if name in ROLE_LABELS), None)


def user_role_label(user) -> str:
    """What to call the user's access: "Superuser", a role's label, or their groups' names."""
    if user.is_superuser:
        return _("Superuser")
    return ", ".join(group.name for group in user.groups.all()) or _("no role")


def user_list() -> QuerySet:
    """Every console user with their groups, active first, then by user name."""
    return (
        get_user_model()
        .objects.prefetch_related("groups")
        .order_by("-is_active", get_user_model().USERNAME_FIELD)
    )


def role_admins() -> QuerySet:
    """Active users who can give others a role: superusers and the Admin role's members."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=RoleName.ADMIN.label))
        .distinct()
        .order_by(get_user_model().USERNAME_FIELD)
    )


def role_group(role: str) -> Group:
    """The group of a role (RoleName value)."""
    return Group.objects.get(name=RoleName(role).label)


def permission_names(permissions: tuple[str, ...]) -> list[str]:
    """Readable names of permissions ("app_label.codename"), e.g. "Can change connector"."""
    query = Q(pk__in=[])
    for permission in permissions:
        app_label, codename = permission.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        (app_label + "." + codename): name
        for app_label, codename, name in Permission.objects.filter(query).values_list(
            "content_type__app_label", "codename", "name"
        )
    }
    return [found.get(permission, permission) for permission in permissions]


def profile_language(*, user) -> str:
    """The user's chosen console language, or "" to follow the browser."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""
