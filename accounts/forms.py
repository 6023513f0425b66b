"""Forms of the Users page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import RoleName


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("Choose a role…")), *RoleName.choices],  # no role is picked by default
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_(
            "Admin: everything. Marketer: compose, templates, campaigns, opt-outs, message "
            "log, dashboard, connectors read-only. Agent: inbox and replies, opt-outs, message log. "
            "Viewer: reads the dashboard, message log, campaigns and inbox."
        ),
    )


class UserCreateForm(forms.Form):
    """A new console user: who they are, their role and a first password."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "off", "dir": "auto"}
        ),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "auto"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "auto"}),
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"class": "form-control", "dir": "ltr"}),
    )
    role = _role_field()
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(
            render_value=False, attrs={"class": "form-control", "autocomplete": "new-password"}
        ),
        help_text=_("Give it to the person in a safe way."),
    )


class RoleForm(forms.Form):
    role = _role_field()
