"""Requests in flight: a worker process runs many provider requests at once on a pool of threads.

SMSCONSOLE_SEND_CONCURRENCY sizes the pool (one per worker process); a connector's max_in_flight
bounds how many of them go through that connector at once. The shared max_per_second throttle
(connectors.services.connector_acquire_send_slot) is taken inside each request, so it keeps holding
across threads, workers and machines. Each thread has its own database connection (Django's are
per thread) and keeps it between requests for up to CONN_MAX_AGE, like a web request's: a worker
process holds at most SMSCONSOLE_SEND_CONCURRENCY + 1 connections.

Requests go one by one in the caller's thread when threads could not see the caller's rows: the
caller holds a transaction open, or the database is an in-memory SQLite one (a single
connection's, as in the in-process tests).
"""

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from connectors.gateway import connector_dedupes
from connectors.models import Connector
from connectors.providers.types import Category, Outcome
from core.rows import objects_create, objects_insert
from messaging.models import Attempt, EventType, Message, MessageStatus, ProviderRequest
from messaging.services.callbacks import message_event_emit
from messaging.services.leases import messages_held

T = TypeVar("T")
POLL_SECONDS = 1.0  # how often a waiting caller gets to renew its leases
FEED_POLL_SECONDS = 0.25  # how often a feed with free places looks for messages due meanwhile

_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None  # (pid, pool): a forked worker makes its own
_limits: dict[int, tuple[int, threading.BoundedSemaphore]] = {}


def send_concurrency() -> int:
    """Provider requests this process may have in flight at once (1 when threads cannot help)."""
    if connection.in_atomic_block or (
        connection.vendor == "sqlite" and connection.is_in_memory_db()
    ):
        return 1
    return max(1, settings.SMSCONSOLE_SEND_CONCURRENCY)


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None or _pool[0] != os.getpid():
            workers = max(1, settings.SMSCONSOLE_SEND_CONCURRENCY)
            _pool = (os.getpid(), ThreadPoolExecutor(workers, thread_name_prefix="send"))
        return _pool[1]


def _limit(connector: Connector) -> threading.BoundedSemaphore:
    """The connector's in-flight places in this process (new ones when max_in_flight changed)."""
    size = max(1, connector.max_in_flight)
    with _lock:
        known = _limits.get(connector.pk)
        if known is None or known[0] != size:
            known = _limits[connector.pk] = (size, threading.BoundedSemaphore(size))
        return known[1]


def _in_thread(job: Callable[[], T], places: threading.BoundedSemaphore | None = None) -> T:
    # Like a web request: the thread's connection is reused if CONN_MAX_AGE allows, else reopened.
    close_old_connections()
    try:
        return job()
    finally:
        if places is not None:
            places.release()


def requests_run(
    jobs: list[Callable[[], T]], *, connector: Connector, keep_alive: Callable[[], None]
) -> list[T]:
    """Run one connector's provider requests, up to its max_in_flight at once; their results in
    order. keep_alive is called about every second while waiting (to renew leases).

    A single request runs in the caller's thread (which may be a pool thread: requests_feed),
    still taking one of the connector's places.
    """
    places = _limit(connector)
    if len(jobs) <= 1 or send_concurrency() <= 1:
        results = []
        for job in jobs:
            while not places.acquire(timeout=POLL_SECONDS):
                keep_alive()
            try:
                keep_alive()
                results.append(job())
            finally:
                places.release()
        return results
    pool = _executor()
    futures: list[Future] = []
    for job in jobs:
        while not places.acquire(timeout=POLL_SECONDS):
            keep_alive()
        futures.append(pool.submit(_in_thread, job, places))
    pending = set(futures)
    while pending:
        _done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        keep_alive()
    return [future.result() for future in futures]


def requests_feed(more: Callable[[int], list[Callable[[], T]]], *, seconds: float) -> list[T]:
    """Keep this process's places busy: run the jobs more(free places) gives on the pool, and ask
    it again whenever a quarter of the places is free, until it gives none with nothing left
    running or `seconds` have passed; every result once all have finished.

    Each job is one message's walk down its connectors (requests_run in a pool thread), so a
    request that answers frees its place for the next message at once instead of waiting for the
    slowest of a batch. Where threads cannot help, the jobs run one by one in the caller's thread.
    """
    places, stop_at = send_concurrency(), time.monotonic() + seconds
    if places <= 1:
        results = []
        while time.monotonic() < stop_at and (jobs := more(1)):
            results += [job() for job in jobs]
        return results
    pool = _executor()
    futures: list[Future] = []
    running: set[Future] = set()
    while True:
        free = places - len(running)
        if time.monotonic() < stop_at and (free >= max(1, places // 4) or not running):
            new = [pool.submit(_in_thread, job) for job in more(free)]
            futures += new
            running.update(new)
        if not running:
            return [future.result() for future in futures]
        _done, running = wait(running, timeout=FEED_POLL_SECONDS, return_when=FIRST_COMPLETED)


class Every:
    """Calls a function at most once per interval (seconds), whenever asked."""

    def __init__(self, seconds: float, function: Callable[[], object]) -> None:
        self.seconds, self.function = seconds, function
        self.last = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last >= self.seconds:
            self.last = time.monotonic()
            self.function()


# -- the record of requests in flight, and what a recovering worker makes of it ------------------

NO_ANSWER_DETAIL = (
    "The worker stopped while this request was in flight: the provider may have taken the "
    "message, so it is not sent again (it would reach the phone twice)."
)
RESENT_DETAIL = (
    "The worker stopped while this request was in flight; sent again with the same client id, "
    "which the provider answers as a duplicate if it took the first."
)


def request_in_flight_record(
    *, message_ids: list[int], connector: Connector, started_at: datetime
) -> ProviderRequest:
    """Record, before a request goes out, that it carries these messages: one row, whatever its size."""
    request = ProviderRequest(
        connector=connector,
        started_at=started_at,
        message_count=len(message_ids),
        message_ids=message_ids,
        in_flight=True,
    )
    objects_create(objects=[request])  # no INSERT compiled for every request
    return request


def _requests_in_flight(message_ids: set[int]) -> QuerySet[ProviderRequest]:
    """The requests in flight carrying any of these messages (few are in flight at once)."""
    found = [
        request_id
        for request_id, carried in ProviderRequest.objects.filter(in_flight=True).values_list(
            "id", "message_ids"
        )
        if message_ids.intersection(carried)
    ]
    return ProviderRequest.objects.filter(pk__in=found, in_flight=True)


def messages_recover_in_flight(*, messages: list[Message], token: str) -> set[int]:
    """Resolve the requests a dead worker left in flight for these (just claimed) messages.

    Where the provider dedupes our client id the message is sent again; otherwise nobody knows
    whether the provider took it, and sending it again could deliver it twice, so it fails with
    category unknown (at most once). Each message gets an attempt saying so; a request stays in
    flight until every message it carried has one. Returns the ids failed that way.
    """
    claimed = {message.pk for message in messages}
    # The usual case: none, and no write lock taken.
    if not claimed or not _requests_in_flight(claimed).exists():
        return set()
    unknown: set[int] = set()
    with transaction.atomic():
        locked = _requests_in_flight(claimed).select_for_update(of=("self",))  # not the connector
        for request in locked.select_related("connector"):
            resolved = set(request.attempts.values_list("message_id", flat=True))
            taken_over = (claimed & set(request.message_ids)) - resolved
            connector = request.connector
            resent = connector is not None and connector_dedupes(connector=connector)
            objects_insert(
                objects=[
                    Attempt(
                        message_id=message_id,
                        connector=connector,
                        connector_name=connector.name if connector else "",
                        provider=connector.provider if connector else "",
                        started_at=request.started_at,
                        outcome=Outcome.FAILED,
                        category=Category.UNKNOWN,
                        detail=RESENT_DETAIL if resent else NO_ANSWER_DETAIL,
                        request=request,
                    )
                    for message_id in sorted(taken_over)
                ]
            )
            if not resent:
                unknown |= taken_over
            if resolved | taken_over >= set(request.message_ids):
                ProviderRequest.objects.filter(pk=request.pk).update(in_flight=False)
        for message in messages:
            if message.pk in unknown and messages_held(
                message_ids=[message.pk], token=token
            ).update(
                status=MessageStatus.FAILED,
                failed_at=timezone.now(),
                error_category=Category.UNKNOWN,
                error_code="",
                error_detail=NO_ANSWER_DETAIL,
                lease_token="",
                lease_expires_at=None,
            ):
                message_event_emit(message=message, event=EventType.FAILED)
    return unknown
