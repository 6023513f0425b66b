"""Dispatching: claimed messages are screened (quiet hours, opt-outs), then go down the connectors
that carry their destination (the country's route, else by priority), through the connector gateway.

Providers are reached with no transaction open; the attempts of each provider request, the sent
messages and the connector's health are recorded in one transaction (messaging.services.outcomes).
One path serves a single message and a batch: a batch shares bulk requests where a connector's
provider declares them.
"""

import functools
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from django.conf import settings
from django.utils import timezone

from connectors.gateway import connector_requests, connector_send
from connectors.models import Connector
from connectors.providers.types import OutboundSms, Outcome
from connectors.routing import route_chain, routing_table
from connectors.selectors import connector_is_usable, connectors_for_dispatch
from messaging.models import Attempt, Message, ProviderRequest
from messaging.services.inflight import (
    Every,
    messages_recover_in_flight,
    request_in_flight_record,
    requests_feed,
    requests_run,
)
from messaging.services.leases import (
    message_claim,
    message_kick_again_if_due,
    message_kick_taken,
    message_lease_renew,
    messages_lease_extend,
)
from messaging.services.outcomes import attempt_of, message_finish_unsent, request_outcome_record
from messaging.services.screening import messages_screen_claimed
from messaging.services.validity import messages_expire

FEED_SECONDS = 10  # a send task stops taking more messages then: well inside the task timeout


def message_dispatch(*, message_id: int) -> Message | None:
    """Send a message through the first connector that accepts it, failing over down the list.

    The other single messages that are due are claimed and sent alongside, each taking the place
    a request frees, for up to FEED_SECONDS (their kicks were skipped while this task was pending,
    or find them taken); singles still due then get the next task. Returns None when the message
    is not this worker's to send (already claimed or finished).
    """
    message_kick_taken()  # before the first claim: a message created from now on kicks again
    asked: list[int] = [message_id]
    finished: set[int] = set()

    def more(free: int) -> list[Callable[[], set[int]]]:
        token, claimed = message_claim(message_ids=asked, also_due=free - len(asked))
        # Only a kicked message can be taken over from a dead worker: the others were queued.
        queued = {message.pk for message in claimed} - set(asked)
        asked.clear()
        done, chains = _screened(claimed, token, queued=queued)
        finished.update(done)
        return [
            functools.partial(_dispatch_chain, [message], chain, token, renew_first=False)
            for chain, group in chains
            for message in group
        ]

    for sent in requests_feed(more, seconds=FEED_SECONDS):
        finished |= sent
    message_kick_again_if_due(message_id=message_id)
    return Message.objects.get(pk=message_id) if message_id in finished else None


def message_dispatch_batch(*, message_ids: list[int]) -> int:
    """Send several messages like message_dispatch, sharing bulk requests where a provider has them.

    Messages with the same text, sender and kind go together in bulk requests (supports_bulk).
    Messages a bulk request did not get accepted fail over one by one down the list. Returns
    how many of the messages this worker finished (claimed ones that it sent, retried or failed).
    """
    token, claimed = message_claim(message_ids=list(message_ids))
    return message_dispatch_claimed(messages=claimed, token=token)


def message_dispatch_claimed(*, messages: list[Message], token: str) -> int:
    """Send messages this worker holds under this lease token, like message_dispatch_batch (which
    claims them first); how many it finished."""
    return len(_dispatch(messages, token)) if messages else 0


def _outbound(message: Message) -> OutboundSms:
    return OutboundSms(
        id=message.pk,
        to=message.to,
        text=message.text,
        sender=message.sender,
        kind=message.kind,
        encoding=message.encoding,
        segments=message.segments,
        iys_recipient_type=message.iys_recipient_type,
        expires_at=message.expires_at,
    )


def _dispatch(messages: list[Message], token: str) -> set[int]:
    """Screen the claimed messages, then send each group down its chain of connectors.

    Returns the ids this worker finished (held and cancelled ones included; the others' leases
    were lost to another worker).
    """
    finished, chains = _screened(messages, token)
    for index, (chain, group) in enumerate(chains):
        finished |= _dispatch_chain(group, chain, token, renew_first=index > 0)
    return finished


def _screened(
    messages: list[Message], token: str, *, queued: AbstractSet[int] = frozenset()
) -> tuple[set[int], list[tuple[list[Connector], list[Message]]]]:
    """The claimed messages finished before any request (left in flight by a dead worker, held,
    cancelled), and the others grouped by their chain of connectors. queued: the ids claimed
    from the queue, which no request can carry yet (not looked for among requests in flight)."""
    if not messages:
        return set(), []
    unanswered = messages_recover_in_flight(  # a worker died
        messages=[message for message in messages if message.pk not in queued],
        token=token,
    )
    ready = messages_screen_claimed(
        messages=[message for message in messages if message.pk not in unanswered], token=token
    )
    finished = {message.pk for message in messages} - {message.pk for message in ready}
    return finished, _chains(ready) if ready else []


def _chains(messages: list[Message]) -> list[tuple[list[Connector], list[Message]]]:
    """The messages grouped by the connectors each is offered to, in order: those that carry its
    destination, its country's route first (connectors.routing)."""
    connectors, table = connectors_for_dispatch(), routing_table()
    groups: dict[tuple[int, ...], tuple[list[Connector], list[Message]]] = {}
    for message in messages:
        chain = route_chain(
            number=message.to, kind=message.kind, connectors=connectors, table=table
        )
        groups.setdefault(tuple(c.pk for c in chain), (chain, []))[1].append(message)
    return list(groups.values())


def _dispatch_chain(
    messages: list[Message], chain: list[Connector], token: str, *, renew_first: bool
) -> set[int]:
    """Walk one chain of connectors; each takes the claimed messages not sent yet, in provider
    requests that are in flight together (up to its max_in_flight).

    A connector that failed and is no longer healthy gets no more of the requests; messages no
    connector accepted are retried later or failed. Returns the ids this worker finished (the
    others' leases were lost to another worker). The lease was just taken, so the first connector
    renews it only when another chain went before (renew_first); while requests are in flight,
    the leases of the messages not sent yet are extended.
    """
    expired = messages_expire(messages=messages, token=token)  # validity ran out while queued
    unsent = {message.pk: message for message in messages if message.pk not in expired}
    lost: set[int] = set()
    failures: dict[int, list[Attempt]] = defaultdict(list)
    extend = Every(
        settings.SMSCONSOLE_DISPATCH_LEASE_SECONDS / 4,
        lambda: messages_lease_extend(message_ids=list(unsent), token=token),
    )
    renew = renew_first
    for connector in chain:
        candidates = [
            _outbound(m) for m in unsent.values() if not m.pinned or m.connector_id == connector.pk
        ]
        requests = connector_requests(connector=connector, messages=candidates)
        if renew and requests:
            batch = [unsent[sms.id] for request in requests for sms in request]
            kept = {m.pk for m in message_lease_renew(messages=batch, token=token)}
            for message_id in {m.pk for m in batch} - kept:
                lost.add(message_id)
                del unsent[message_id]
            requests = [r for r in ([s for s in r if s.id in kept] for r in requests) if r]
        renew = renew or bool(requests)
        stop = threading.Event()  # the connector failed and is not usable: leave it
        jobs = [
            functools.partial(_try_connector, token, connector, [unsent[s.id] for s in r], r, stop)
            for r in requests
        ]
        for attempts in requests_run(jobs, connector=connector, keep_alive=extend):
            for attempt in attempts or []:  # None: not tried (paused, or stopped)
                if attempt.outcome == Outcome.ACCEPTED:
                    unsent.pop(attempt.message_id, None)
                else:
                    failures[attempt.message_id].append(attempt)
    for message in unsent.values():
        message_finish_unsent(message=message, token=token, failures=failures[message.pk])
    return {message.pk for message in messages} - lost


def _try_connector(
    token: str,
    connector: Connector,
    messages: list[Message],
    request: list[OutboundSms],
    stop: threading.Event,
) -> list[Attempt] | None:
    """One provider request with no transaction open, then its attempts recorded in one.

    The messages are recorded as in flight just before the request takes its send slot (see
    messages_recover_in_flight). None when the connector was not this worker's to use (another
    worker probes it) or an earlier request found it unusable (stop).
    """
    if stop.is_set():
        return None
    started_at, started = timezone.now(), time.monotonic()
    in_flight: list[ProviderRequest] = []

    def record_in_flight(going: list[OutboundSms]) -> None:
        in_flight.append(
            request_in_flight_record(
                message_ids=[sms.id for sms in going], connector=connector, started_at=started_at
            )
        )

    results = connector_send(
        connector=connector, messages=request, log=[], on_request=record_in_flight
    )
    if not results:
        return None
    duration_ms = round((time.monotonic() - started) * 1000)
    attempts = [
        attempt_of(
            message=message,
            connector=connector,
            result=result,
            started_at=started_at,
            duration_ms=duration_ms,
        )
        for message, result in zip(messages, results, strict=True)
    ]
    request_outcome_record(
        token=token,
        connector=connector,
        attempts=attempts,
        results=results,
        request=in_flight[0] if in_flight else None,
    )
    failed = any(attempt.outcome == Outcome.FAILED for attempt in attempts)
    sent = any(attempt.outcome == Outcome.ACCEPTED for attempt in attempts)
    if failed and not sent and not connector_is_usable(connector=connector):
        stop.set()
    return attempts
