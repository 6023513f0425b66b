"""Every state change of messages: create (validate, store, enqueue), dispatch, leases and sweep,
validity, status callbacks (events posted to integrators); delivery reports (receipts, report
queries); and the opt-out list.

The Message row is the source of truth; a django-q2 task is only a kick carrying its id (or the
ids of a batch). The modules follow those steps; their public names are re-exported here.
"""

from messaging.services.callbacks import (
    message_event_deliver,
    message_event_emit,
    message_events_sweep,
)
from messaging.services.create import (
    message_callback_and_expiry,
    message_callback_url,
    message_create,
    messages_prepare_batch,
)
from messaging.services.dispatch import (
    message_dispatch,
    message_dispatch_batch,
    message_dispatch_claimed,
)
from messaging.services.leases import (
    message_claim,
    message_enqueue,
    message_enqueue_batch,
    message_lease_renew,
    message_sweep,
    messages_claim_new,
    messages_held,
)
from messaging.services.optouts import optout_create, optout_delete
from messaging.services.receipts import (
    DeliveryUpdate,
    delivery_report_store,
    delivery_reports_process,
    delivery_reports_read,
    delivery_reports_sweep,
    message_delivery_update,
    receipts_record,
)
from messaging.services.report_polling import connector_reports_poll, delivery_reports_poll
from messaging.services.validity import messages_expire

__all__ = [
    "DeliveryUpdate",
    "connector_reports_poll",
    "delivery_report_store",
    "delivery_reports_poll",
    "delivery_reports_process",
    "delivery_reports_read",
    "delivery_reports_sweep",
    "message_callback_and_expiry",
    "message_callback_url",
    "message_claim",
    "message_create",
    "message_delivery_update",
    "message_dispatch",
    "message_dispatch_batch",
    "message_dispatch_claimed",
    "message_enqueue",
    "message_enqueue_batch",
    "message_event_deliver",
    "message_event_emit",
    "message_events_sweep",
    "message_lease_renew",
    "message_sweep",
    "messages_claim_new",
    "messages_expire",
    "messages_held",
    "messages_prepare_batch",
    "optout_create",
    "optout_delete",
    "receipts_record",
]
