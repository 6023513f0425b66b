"""State changes of users and roles; every change to a user lands in the audit log."""

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Profile
from accounts.roles import ROLE_PERMISSIONS, RoleName
from accounts.selectors import role_group, user_role
from core.audit import SECRET_CHANGED, audit_record


def role_groups_sync() -> None:
    """Make each role's group exist and hold exactly its permissions (the Admin: all of them)."""
    for role in RoleName:
        group, _ = Group.objects.get_or_create(name=role.label)
        if role == RoleName.ADMIN:
            group.permissions.set(Permission.objects.all())
            continue
        wanted = ROLE_PERMISSIONS[role]
        found = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if f"{permission.content_type.app_label}.{permission.codename}" in wanted
        ]
        group.permissions.set(found)


def role_groups_sync_after_migrate(*, using: str, apps=global_apps, **kwargs) -> None:
    """post_migrate: make every app's permissions (apps after this one get theirs later), then sync."""
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    role_groups_sync()


def _role_fields(user, role: str) -> None:
    """Give the user the role's group (instead of another role's) and staff status to match."""
    role_labels = [label for _, label in RoleName.choices]
    user.groups.remove(*Group.objects.filter(name__in=role_labels))
    user.groups.add(role_group(role))
    # Only Admins (and superusers) may open the Django admin; it shows what model permissions allow.
    user.is_staff = user.is_superuser or role == RoleName.ADMIN
    user.save(update_fields=["is_staff"])


@transaction.atomic
def user_create(
    *, username: str, role: str, password: str, email: str = "", first_name: str = "",
    last_name: str = "",
):  # fmt: skip
    """Create a console user with a role and an initial password (checked by the validators)."""
    user_model = get_user_model()
    username = user_model.normalize_username(username.strip())
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["Enter a user name."]
    elif user_model.objects.filter(**{f"{user_model.USERNAME_FIELD}__iexact": username}).exists():
        errors["username"] = [f"There is already a user called “{username}”."]
    if role not in RoleName.values:
        errors["role"] = [f"Choose a role: {', '.join(RoleName.values)}."]
    if email := email.strip():
        try:
            validate_email(email)
        except ValidationError as error:
            errors["email"] = error.messages
    candidate = user_model(username=username, email=email)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    user = user_model.objects.create_user(
        username=username,
        email=email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    _role_fields(user, role)
    audit_record(
        action="create",
        target=user,
        changes={
            "username": [None, username],
            "email": [None, email],
            "role": [None, RoleName(role).label],
            "password": SECRET_CHANGED,
        },
    )
    return user


def _not_yourself(user, by, what: str) -> None:
    if by is not None and by.pk == user.pk:
        raise ValidationError(f"You cannot {what} yourself: ask another Admin.")


@transaction.atomic
def user_set_role(*, user, role: str, by=None):
    """Give a user one of the four roles (replacing the one they had)."""
    if role not in RoleName.values:
        raise ValidationError({"role": [f"Choose a role: {', '.join(RoleName.values)}."]})
    old = user_role(user)
    if old == role:
        return user
    _not_yourself(user, by, "change the role of")
    _role_fields(user, role)
    label = RoleName(old).label if old else None
    audit_record(action="set_role", target=user, changes={"role": [label, RoleName(role).label]})
    return user


@transaction.atomic
def user_set_active(*, user, is_active: bool, by=None):
    """Deactivate a user (they can no longer sign in; their history stays) or reactivate them."""
    if user.is_active == is_active:
        return user
    if not is_active:
        _not_yourself(user, by, "deactivate")
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    action = "reactivate" if is_active else "deactivate"
    audit_record(action=action, target=user, changes={"is_active": [not is_active, is_active]})
    return user


def profile_set_language(*, user, language: str) -> Profile:
    """Store the user's console language (a code from LANGUAGES; blank = the browser's)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the console's languages.")})
    profile, _created = Profile.objects.update_or_create(user=user, defaults={"language": language})
    return profile
