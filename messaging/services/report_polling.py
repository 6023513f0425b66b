"""Report queries (pull): ask each provider that answers them about its pending messages.

A schedule runs delivery_reports_poll every minute. Only messages still pending within the wait
are asked about, so polling stops for a message once a receipt ended it or the wait ran out.
Receipts that still say "pending" change nothing and are not stored (they would repeat every
minute); every other one is kept like a pushed receipt.
"""

import logging
from functools import partial

from django.conf import settings

from connectors.models import Connector
from connectors.providers import Provider, UnknownProvider, get_provider
from connectors.providers.types import Call, DeliveryState, ProviderError, Receipt, SentSms
from messaging.models import Message, ReceiptSource
from messaging.services.inflight import requests_run
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

    At most SMSCONSOLE_REPORT_POLL_MAX messages a run; a batch the provider cannot answer now is
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
    batches = [
        [SentSms(*row) for row in pending[start : start + provider.report_batch]]
        for start in range(0, len(pending), provider.report_batch)
    ]
    # Batches are asked at once, up to the connector's max_in_flight (a provider asked per order id,
    # as Jet SMS, makes one request per single message: one at a time they kept a worker for
    # minutes); their receipts are recorded here, one batch after another, as the senders' writes.
    asks = [partial(_batch_receipts, connector, provider, batch) for batch in batches]
    changed = 0
    for receipts in requests_run(asks, connector=connector, keep_alive=lambda: None):
        final = [receipt for receipt in receipts if receipt.state != DeliveryState.PENDING]
        if final:
            recorded = receipts_record(
                connector=connector, receipts=final, source=ReceiptSource.PULL
            )
            changed += len(recorded)
    return changed


def _batch_receipts(
    connector: Connector, provider: Provider, batch: list[SentSms]
) -> list[Receipt]:
    try:
        return provider.reports_poll(connector=connector, messages=batch, call=Call(log=[]))
    except ProviderError as error:
        logger.warning("Report query of connector %s failed: %s", connector.pk, error.detail)
        return []
