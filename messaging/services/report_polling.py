"""Report queries (pull): ask each provider that answers them about its pending messages.

A schedule runs delivery_reports_poll every minute. Only messages still pending within the wait
are asked about, so polling stops for a message once a receipt ended it or the wait ran out.
Receipts that still say "pending" change nothing and are not stored (they would repeat every
minute); every other one is kept like a pushed receipt.
"""

import logging

from django.conf import settings

from connectors.models import Connector
from connectors.providers import UnknownProvider, get_provider
from connectors.providers.types import Call, DeliveryState, ProviderError, SentSms
from messaging.models import Message, ReceiptSource
from messaging.services.receipts import delivery_wait_start, receipts_record

logger = logging.getLogger(__name__)


def delivery_reports_poll() -> int:
    """Poll every connector with pending messages whose provider answers report queries.

    Returns how many messages changed delivery state.
    """
    changed = 0
    connector_ids = (
        Message.objects.filter(
            delivery_state=DeliveryState.PENDING, sent_at__gte=delivery_wait_start()
        )
        .values_list("connector_id", flat=True)
        .distinct()
        .order_by()
    )
    for connector in Connector.objects.filter(pk__in=list(connector_ids)).order_by("id"):
        try:
            provider = get_provider(connector.provider)
        except UnknownProvider:
            continue
        if provider.receipts_polled:
            changed += connector_reports_poll(connector=connector)
    return changed


def connector_reports_poll(*, connector: Connector) -> int:
    """Ask one connector's provider about its pending messages, oldest first, in batches.

    At most SMSCONSOLE_REPORT_POLL_MAX messages a run; a provider that cannot be asked now is
    asked again at the next run. Returns how many messages changed delivery state.
    """
    provider = get_provider(connector.provider)
    pending = list(
        Message.objects.filter(
            connector=connector,
            delivery_state=DeliveryState.PENDING,
            sent_at__gte=delivery_wait_start(),
        )
        .order_by("sent_at", "id")
        .values_list("id", "provider_message_id", "to")[: settings.SMSCONSOLE_REPORT_POLL_MAX]
    )
    changed = 0
    for start in range(0, len(pending), provider.report_batch):
        batch = [SentSms(*row) for row in pending[start : start + provider.report_batch]]
        try:
            receipts = provider.reports_poll(connector=connector, messages=batch, call=Call(log=[]))
        except ProviderError as error:
            logger.warning("Report query of connector %s failed: %s", connector.pk, error.detail)
            break
        final = [receipt for receipt in receipts if receipt.state != DeliveryState.PENDING]
        if final:
            changed += len(
                receipts_record(connector=connector, receipts=final, source=ReceiptSource.PULL)
            )
    return changed
