"""The Users page (Admins): create users, set their role, deactivate and reactivate them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from accounts.forms import RoleForm, UserCreateForm
from accounts.permissions import ConsolePermissionMixin
from accounts.roles import RoleName
from accounts.selectors import user_list, user_role
from accounts.services import profile_set_language, user_create, user_set_active, user_set_role


def _user_or_404(pk: int):
    return get_object_or_404(get_user_model(), pk=pk)


def _errors_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class UserListView(ConsolePermissionMixin, View):
    permission_required = "auth.view_user"

    def get(self, request):
        rows = []
        for user in user_list():
            role = user_role(user)
            rows.append(
                {
                    "user": user,
                    "role_label": RoleName(role).label if role else "",
                    "role_form": RoleForm(initial={"role": role}, prefix=f"user{user.pk}"),
                }
            )
        return render(request, "accounts/user_list.html", {"page_title": _("Users"), "rows": rows})


class UserCreateView(ConsolePermissionMixin, View):
    permission_required = "auth.add_user"

    def get(self, request):
        return self._render(request, UserCreateForm())

    def post(self, request):
        form = UserCreateForm(request.POST)
        if form.is_valid():
            try:
                user = user_create(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("User “%(name)s” created as %(role)s.")
                    % {
                        "name": user.get_username(),
                        "role": RoleName(form.cleaned_data["role"]).label,
                    },
                )
                return redirect("accounts:user-list")
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(
            request,
            "accounts/user_form.html",
            {"page_title": _("Add user"), "form": form},
            status=status,
        )


class UserRoleView(ConsolePermissionMixin, View):
    permission_required = "auth.change_user"

    def post(self, request, pk: int):
        user = _user_or_404(pk)
        form = RoleForm(request.POST, prefix=f"user{pk}")
        try:
            if not form.is_valid():
                raise ValidationError(form.errors["role"])
            user_set_role(user=user, role=form.cleaned_data["role"], by=request.user)
        except ValidationError as error:
            messages.error(
                request,
                _("Role of “%(name)s” not changed: %(reason)s")
                % {"name": user.get_username(), "reason": _errors_text(error)},
            )
        else:
            label = RoleName(form.cleaned_data["role"]).label
            messages.success(
                request,
                _("“%(name)s” is now %(role)s.") % {"name": user.get_username(), "role": label},
            )
        return redirect("accounts:user-list")


class UserActiveView(ConsolePermissionMixin, View):
    """Deactivate (they can no longer sign in) or reactivate a user."""

    permission_required = "auth.change_user"
    is_active = False

    def post(self, request, pk: int):
        user = _user_or_404(pk)
        try:
            user_set_active(user=user, is_active=self.is_active, by=request.user)
        except ValidationError as error:
            messages.error(request, _errors_text(error))
        else:
            if self.is_active:
                done = _("“%(name)s” can sign in again.")
            else:
                done = _("“%(name)s” can no longer sign in.")
            messages.success(request, done % {"name": user.get_username()})
        return redirect("accounts:user-list")


class LanguageView(LoginRequiredMixin, View):
    """Store the chosen language on the profile and go back to the page it was chosen on."""

    def post(self, request):
        language = request.POST.get("language", "")
        try:
            profile_set_language(user=request.user, language=language)
        except ValidationError as error:
            return HttpResponseBadRequest(" ".join(error.messages))
        back = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        response = redirect(back if safe else "home")
        # The cookie keeps the choice on the sign-in page after signing out; blank follows the browser.
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        else:
            response.delete_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                path=settings.LANGUAGE_COOKIE_PATH,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
