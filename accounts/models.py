from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models


class Profile(models.Model):
    """A console user's own settings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # A code from settings.LANGUAGES; blank follows the browser (Accept-Language).
    language = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'browser language'})"


class Role(Group):
    """A role is a Django group; this proxy holds the console's own permissions (accounts.*)."""

    class Meta:
        proxy = True
        default_permissions = ()
        permissions = [
            ("send_campaign", "Can start, schedule, pause, resume and cancel campaigns"),
            ("manage_routing", "Can switch connectors on and off and change their order"),
            ("manage_api_keys", "Can create API keys and revoke their own"),
            ("use_simulators", "Can switch provider simulators and edit their accounts"),
        ]
