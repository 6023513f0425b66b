"""Report queries (pull): ask each provider that answers them about its pending messages.

A schedule runs delivery_reports_poll every minute. Only messages still pending within the wait
are asked about, so polling stops for a message once a receipt ended it or the wait ran out. A run
asks for at most SMSCONSOLE_REPORT_POLL_SECONDS (it holds a worker that would otherwise send, and
must end before the next run starts), and gives way after SMSCONSOLE_REPORT_POLL_YIELD_SECONDS
once tasks wait for a worker (a campaign's chunks: sending goes first). Messages never asked go
first, then those asked longest ago, and none is asked again within
SMSCONSOLE_REPORT_POLL_INTERVAL_SECONDS. A provider that
answers per sent request (Jet SMS: one query per group id) is asked once per request; those
queries are in flight together like sends, so a burst of single messages is asked in seconds
rather than holding a worker for minutes.
Receipts that still say "pending" change nothing and are not stored (they would repeat every
minute); every other one is kept like a pushed receipt.
"""

import functools
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from connectors.models import Connector
from connectors.providers import UnknownProvider, get_provider
from connectors.providers.types import Call, DeliveryState, ProviderError, SentSms
from core.tasks import tasks_waiting
from messaging.models import Message, ReceiptSource
from messaging.services.inflight import requests_run
from messaging.services.receipts import delivery_wait_start, receipts_record

logger = logging.getLogger(__name__)


def delivery_reports_poll() -> int:
    """Poll every connector with pending messages whose provider answers report queries.

    Returns how many messages changed delivery state.
    """
    changed, over = 0, _run_over()
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
        if provider.receipts_polled and not over():
            changed += connector_reports_poll(connector=connector, over=over)
    return changed


def _run_over() -> Callable[[], bool]:
    """Whether a run that starts now should stop asking (see the module's docstring): the
    messages it leaves are asked at the next run."""
    started = time.monotonic()

    def over() -> bool:
        elapsed = time.monotonic() - started
        return elapsed >= settings.SMSCONSOLE_REPORT_POLL_SECONDS or (
            elapsed >= settings.SMSCONSOLE_REPORT_POLL_YIELD_SECONDS and tasks_waiting()
        )

    return over


def connector_reports_poll(*, connector: Connector, over: Callable[[], bool] | None = None) -> int:
    """Ask one connector's provider about its pending messages in batches, until over() says the
    run is over: never asked first, then asked longest ago. The queries are in flight
    together, up to the connector's max_in_flight (like its sends).

    At most SMSCONSOLE_REPORT_POLL_MAX messages a run; a provider that cannot be asked now is
    asked again at the next run. Returns how many messages changed delivery state.
    """
    provider = get_provider(connector.provider)
    now = timezone.now()
    asked_before = now - timedelta(seconds=settings.SMSCONSOLE_REPORT_POLL_INTERVAL_SECONDS)
    pending = list(
        Message.objects.filter(
            connector=connector,
            delivery_state=DeliveryState.PENDING,
            sent_at__gte=delivery_wait_start(now),
        )
        .filter(Q(report_polled_at__isnull=True) | Q(report_polled_at__lt=asked_before))
        .order_by(F("report_polled_at").asc(nulls_first=True), "sent_at", "id")
        .values_list("id", "provider_message_id", "to")[: settings.SMSCONSOLE_REPORT_POLL_MAX]
    )
    stop = threading.Event()  # the provider could not be asked: leave it until the next run

    def ask(batch: list[SentSms]) -> int:
        if stop.is_set() or (over is not None and over()):
            return 0
        _mark_asked(message_ids=[sms.id for sms in batch])
        try:
            receipts = provider.reports_poll(connector=connector, messages=batch, call=Call(log=[]))
        except ProviderError as error:
            stop.set()
            logger.warning("Report query of connector %s failed: %s", connector.pk, error.detail)
            return 0
        final = [receipt for receipt in receipts if receipt.state != DeliveryState.PENDING]
        if not final:
            return 0
        return len(receipts_record(connector=connector, receipts=final, source=ReceiptSource.PULL))

    sent = [SentSms(*row) for row in pending]
    if provider.reports_per_request:
        # The query answers for every number of the request: one query per request, so no two
        # queries in flight get (and record) the same receipts.
        requests: dict[str, list[SentSms]] = defaultdict(list)
        for sms in sent:
            requests[sms.provider_message_id].append(sms)
        batches = list(requests.values())
    else:
        size = provider.report_batch
        batches = [sent[start : start + size] for start in range(0, len(sent), size)]
    jobs = [functools.partial(ask, batch) for batch in batches]
    return sum(requests_run(jobs, connector=connector, keep_alive=lambda: None))


def _mark_asked(*, message_ids: list[int]) -> None:
    """Note that the messages were asked about now. Their rows are locked in id order, as receipts
    are applied (message_delivery_update), so queries in flight together cannot deadlock."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().filter(pk__in=message_ids).order_by("id")
        Message.objects.filter(pk__in=list(locked.values_list("id", flat=True))).update(
            report_polled_at=timezone.now()
        )
