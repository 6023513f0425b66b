"""The simulators' delivery receipts: final after a delay, pushed the way each provider pushes.

A simulator draws each message's fate when it takes it (simulator_sms_receive). Report queries
answer "pending" until the receipt delay is over, then the fate. Where the provider pushes (a
callback URL in the request, or the account's webhook), the receipt is posted once it is due,
through the console's outbound HTTP policy like any request to a provider: a module's
`receipt_push(received)` says how its provider writes it.

In the demo a short-lived thread of the web process pushes each batch after its delay
(SMSCONSOLE_SIMULATOR_RECEIPT_PUSH); tests push due receipts themselves with
simulator_receipts_push.
"""

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType

import requests
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from connectors.simulators.models import ReceivedSms, SimulatedProvider
from connectors.simulators.setup import simulator_modules
from core.outbound import OutboundSession, url_allowed_error

logger = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 5
PUSH_BATCH = 500


@dataclass(frozen=True)
class PushedReceipt:
    """A receipt as a provider posts it."""

    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def receipt_state_at(received: ReceivedSms, now: datetime) -> str:
    """The message's state as its provider would report it now: "pending" until it is due."""
    if not received.receipt_state or received.receipt_due_at is None:
        return "pending"
    return received.receipt_state if received.receipt_due_at <= now else "pending"


def _pushers() -> dict[str, ModuleType]:
    """Simulator modules that push receipts, by simulator slug."""
    return {
        module.SETUP.simulator_slug: module
        for module in simulator_modules().values()
        if hasattr(module, "receipt_push")
    }


def simulator_receipts_push(*, now: datetime | None = None) -> int:
    """Post every receipt that is due and not pushed yet; how many were posted.

    A receipt is posted once, whatever the answer (kept in receipt_answer), as a provider
    that gives up would.
    """
    now = now or timezone.now()
    pushers = _pushers()
    due = list(
        ReceivedSms.objects.select_related("account__provider")
        .exclude(receipt_url="")
        .filter(receipt_sent_at__isnull=True, receipt_due_at__lte=now)
        .order_by("id")[:PUSH_BATCH]
    )
    session = OutboundSession()
    for received in due:
        module = pushers.get(received.account.provider.slug)
        if module is None:
            answer = "this simulator pushes no receipts"
        else:
            answer = _post(session, received.receipt_url, module.receipt_push(received))
        ReceivedSms.objects.filter(pk=received.pk).update(
            receipt_sent_at=timezone.now(), receipt_answer=answer[:200]
        )
    return len(due)


def _post(session: OutboundSession, url: str, receipt: PushedReceipt) -> str:
    if problem := url_allowed_error(url):
        return f"not sent: {problem}"
    try:
        response = session.post(
            url,
            data=receipt.body,
            headers={"Content-Type": receipt.content_type, **receipt.headers},
            timeout=PUSH_TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        return f"not delivered: {type(error).__name__}"
    return f"HTTP {response.status_code}"


def simulator_receipts_push_soon(*, provider: SimulatedProvider) -> None:
    """In the demo: once the request's transaction commits, push its receipts after their delay."""
    if not settings.SMSCONSOLE_SIMULATOR_RECEIPT_PUSH:
        return
    delay = provider.receipt_delay_seconds

    def start() -> None:
        timer = threading.Timer(delay + 0.5, _push_in_thread)
        timer.daemon = True
        timer.start()

    transaction.on_commit(start)


def _push_in_thread() -> None:
    try:
        simulator_receipts_push(now=timezone.now() + timedelta(seconds=1))
    except Exception:  # a demo helper: never let a thread's error go unseen, never crash the web
        logger.exception("The simulators could not push their receipts")
    finally:
        connection.close()
