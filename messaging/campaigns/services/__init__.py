"""Every state change of templates and campaigns, and the sendNotification operation.

One module per job: templates, notifications (sendNotification), sources and importing (a campaign's
recipients), lifecycle (create, start, pause, resume, cancel), sending (chunk tasks) and compliance
(quiet hours and the spend cap pause a campaign; the cap and the quiet-hours override).
Callers import from here; a test that patches a module's name patches it in that module.
"""

from messaging.campaigns.services.compliance import (
    campaign_override_quiet_hours,
    campaign_set_max_spend,
)
from messaging.campaigns.services.lifecycle import (
    campaign_begin,
    campaign_cancel,
    campaign_create,
    campaign_import_upload,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
from messaging.campaigns.services.notifications import (
    NotificationResult,
    TemplateNotFound,
    notification_send,
)
from messaging.campaigns.services.sending import campaign_send_chunk, campaign_sweep
from messaging.campaigns.services.sources import UploadTooLarge
from messaging.campaigns.services.templates import (
    TEMPLATE_FIELDS,
    template_create,
    template_delete,
    template_update,
)

__all__ = [
    "TEMPLATE_FIELDS",
    "NotificationResult",
    "TemplateNotFound",
    "UploadTooLarge",
    "campaign_begin",
    "campaign_cancel",
    "campaign_create",
    "campaign_import_upload",
    "campaign_override_quiet_hours",
    "campaign_pause",
    "campaign_resume",
    "campaign_send_chunk",
    "campaign_set_max_spend",
    "campaign_start",
    "campaign_sweep",
    "notification_send",
    "template_create",
    "template_delete",
    "template_update",
]
