"""Sign-in lock-out in two tiers: a user name from one address, and a user name on its own."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import QuerySet, Sum


def _failures(attempts: QuerySet) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class UserNameLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a second, higher limit: failures of one user name from
    every address together (SMSCONSOLE_LOGIN_USERNAME_FAILURE_LIMIT), against password spraying
    from many addresses. django-axes has one AXES_FAILURE_LIMIT for all lockout parameters.

    Expects AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"].
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Failures counted against AXES_FAILURE_LIMIT: those of the user name from this address,
        or the whole limit once the user name alone reached its own limit."""
        from_address, everywhere = map(_failures, self.get_user_attempts(request, credentials))
        if everywhere >= settings.SMSCONSOLE_LOGIN_USERNAME_FAILURE_LIMIT:
            return max(from_address, get_failure_limit(request, credentials))
        return from_address
