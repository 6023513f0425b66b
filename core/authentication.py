"""API authentication: `Authorization: Bearer <key>` or `X-Api-Key: <key>`."""

from django.utils.translation import gettext
from rest_framework import authentication, exceptions

from core.audit import audit_set_actor
from core.selectors import api_key_get_active
from core.services import api_key_touch


class ApiKeyPrincipal:
    """The caller of an API request made with an API key."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False

    def __init__(self, api_key) -> None:
        self.api_key = api_key
        self.pk = None
        self.username = f"api-key:{api_key.prefix}"

    def __str__(self) -> str:
        return self.username


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticate with an API key from one of the supported headers."""

    header_names = ("HTTP_X_API_KEY", "HTTP_X_NETMERA_API_KEY")

    def authenticate(self, request):
        key = self._presented_key(request)
        if key is None:
            return None
        api_key = api_key_get_active(key=key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                gettext("The API key is unknown or has been revoked.")
            )
        address = request.META.get("REMOTE_ADDR", "")
        if not api_key.allows_address(address):
            raise exceptions.PermissionDenied(
                gettext(
                    "This API key may not be used from %(address)s: it is limited to %(networks)s."
                )
                % {
                    "address": address or gettext("an unknown address"),
                    "networks": ", ".join(api_key.allowed_networks),
                }
            )
        api_key_touch(api_key=api_key)
        principal = ApiKeyPrincipal(api_key)
        audit_set_actor(actor=principal.username)
        return principal, api_key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

    def _presented_key(self, request) -> str | None:
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip() or None
        for header in self.header_names:
            if request.META.get(header):
                return request.META[header].strip()
        return None
