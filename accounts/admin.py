"""The Django admin is for Admins (and superusers): staff status alone does not open it.

The admin shows whatever model permissions allow, e.g. a connector's user name and options to anyone
who may view connectors; a Marketer made staff by mistake must still not see them there.
"""

from django.contrib import admin
from django.http import HttpRequest

from accounts.selectors import user_is_admin


def _admin_site_allows(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user_is_admin(user)


admin.site.has_permission = _admin_site_allows
