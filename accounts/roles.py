"""The console's four roles and what each may do.

A role is a Django group named by its label. The groups are made by a data migration; their
permissions follow ROLE_PERMISSIONS on every `migrate` (accounts.apps), so this table is the one
place that says what a role may do. Superusers keep every permission without a role.
"""

from django.db import models


class RoleName(models.TextChoices):
    ADMIN = "admin", "Admin"
    MARKETER = "marketer", "Marketer"
    AGENT = "agent", "Agent"
    VIEWER = "viewer", "Viewer"


# Permissions ("app_label.codename") every role but the Admin gets from this table; the Admin gets
# every permission there is, including those of models added later.
_READ_MESSAGES = {
    "messaging.view_message",
    "messaging.view_attempt",
    "messaging.view_deliveryreport",
}
_OPT_OUTS = {"messaging.view_optout", "messaging.add_optout", "messaging.delete_optout"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    RoleName.MARKETER: frozenset(
        {
            "dashboard.view_hourlystat",
            "messaging.add_message",
            *_READ_MESSAGES,
            "campaigns.view_template",
            "campaigns.add_template",
            "campaigns.change_template",
            "campaigns.delete_template",
            "campaigns.view_campaign",
            "campaigns.add_campaign",
            "accounts.send_campaign",
            *_OPT_OUTS,
            "connectors.view_connector",  # read-only, without credentials
        }
    ),
    RoleName.AGENT: frozenset(
        {
            "inbox.view_inboundmessage",
            "inbox.change_inboundmessage",  # reply, mark read
            *_READ_MESSAGES,
            *_OPT_OUTS,
        }
    ),
    RoleName.VIEWER: frozenset(
        {
            "dashboard.view_hourlystat",
            *_READ_MESSAGES,
            "campaigns.view_campaign",
            "campaigns.view_template",
            "inbox.view_inboundmessage",
        }
    ),
}
