"""The connector gateway: the one way messages go out through a connector, and its breaker.

A caller (the dispatcher) hands the gateway messages and an exchange log; it gets back one
MessageResult per message and never an exception from a provider. Per provider request the
gateway resolves the provider once, runs preflight (no network: the law's rules, then the
provider's own), takes a send slot only for what can be carried, and calls send or send_bulk. The breaker turns each request's results into the
connector's health.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from connectors.models import Connector, HealthState
from connectors.providers import UnknownProvider, get_provider
from connectors.providers.base import Provider
from connectors.providers.types import (
    TRANSIENT_CATEGORIES,
    Call,
    CannotCarry,
    Category,
    Exchange,
    MessageExpired,
    MessageResult,
    OutboundSms,
    Outcome,
    ProviderError,
    SendResult,
    TokenStore,
)
from connectors.routing import compliance_preflight
from connectors.selectors import connector_session_token
from connectors.services import connector_acquire_send_slot, connector_store_session_token

logger = logging.getLogger(__name__)
OnRequest = Callable[[list[OutboundSms]], None]


def connector_requests(
    *, connector: Connector, messages: list[OutboundSms]
) -> list[list[OutboundSms]]:
    """The messages cut into provider requests, by the provider's declarations only.

    With supports_bulk: up to max_recipients_per_request messages sharing text, sender and kind
    (and validity, for a provider that takes one) per request; otherwise (or for an unknown
    provider) one message per request.
    """
    try:
        provider = get_provider(connector.provider)
        size = provider.max_recipients_per_request if provider.supports_bulk else 1
    except UnknownProvider:
        size = 1  # each message records the skip
    if size <= 1:
        return [[message] for message in messages]
    groups: dict[tuple, list[OutboundSms]] = defaultdict(list)
    for message in messages:
        validity = message.expires_at if provider.validity_parameter else None
        groups[(message.text, message.sender, message.kind, validity)].append(message)
    return [
        group[start : start + size]
        for group in groups.values()
        for start in range(0, len(group), size)
    ]


def connector_dedupes(*, connector: Connector) -> bool:
    """Whether the provider takes our message id as its client id and answers a repeat of it as a
    duplicate: a request whose answer was lost may then be sent again."""
    try:
        return get_provider(connector.provider).supports_client_id
    except UnknownProvider:
        return False


def connector_send(
    *,
    connector: Connector,
    messages: list[OutboundSms],
    log: list[Exchange],
    on_request: OnRequest | None = None,
) -> list[MessageResult]:
    """Carry messages through one connector in one provider request; a result per message.

    A message the connector cannot carry is skipped by preflight and takes no send slot (a legal
    rule, such as İYS for commercial Turkish messages, skips it with the category compliance); the
    rest take one slot (a bulk request counts once). Exchanges are appended to the caller's log
    as they happen, so a crashed adapter's are kept. Returns [] when the connector is paused and
    another caller holds its probe: nothing was tried. on_request is told which messages go out
    just before their request takes its send slot (the caller records them as in flight; a
    database write between the slot and the request would blur max_per_second).
    """
    try:
        provider = get_provider(connector.provider)
    except UnknownProvider:
        detail = f"Provider '{connector.provider}' is not configured (SMSCONSOLE_PROVIDERS)."
        return [
            MessageResult(message, Outcome.SKIPPED, category=Category.UNKNOWN, detail=detail)
            for message in messages
        ]
    results: dict[int, MessageResult] = {}
    ready: dict[int, OutboundSms] = {}
    for index, message in enumerate(messages):
        try:
            compliance_preflight(connector, message)
            ready[index] = provider.preflight(connector, message)
        except CannotCarry as error:
            results[index] = MessageResult.of(message, error, [])
    if ready:
        if not _take_turn(connector):
            return []
        mark = len(log)
        outcomes = _provider_call(provider, connector, list(ready.values()), log, on_request)
        exchanges = log[mark:]
        for index, outcome in zip(ready, outcomes, strict=True):
            results[index] = MessageResult.of(messages[index], outcome, exchanges)
    return [results[index] for index in range(len(messages))]


def _provider_call(
    provider: Provider,
    connector: Connector,
    messages: list[OutboundSms],
    log: list[Exchange],
    on_request: OnRequest | None,
) -> list[SendResult | ProviderError]:
    """One provider request after the connector's send slot: each message's result or error."""
    call = Call(log=log, tokens=_token_store(connector))
    try:
        if on_request is not None:  # before the slot: nothing may come between it and the request
            on_request(messages)
        connector_acquire_send_slot(connector=connector)
        return _send_unexpired(provider, connector, messages, call)
    except ProviderError as error:
        return [error] * len(messages)
    except Exception as error:  # an adapter bug must not lose the messages: fail over instead
        logger.error(
            "Provider %s raised unexpectedly for message(s) %s",
            connector.provider,
            [message.id for message in messages],
            exc_info=error,
        )
        crash = ProviderError(
            Category.UNKNOWN,
            f"The {connector.provider} adapter failed: {type(error).__name__}: {error}",
        )
        return [crash] * len(messages)


def _send_unexpired(
    provider: Provider,
    connector: Connector,
    messages: list[OutboundSms],
    call: Call,
) -> list[SendResult | ProviderError]:
    """Send the messages still valid now that the slot is taken (waiting for it takes time);
    one whose validity ran out is left out of the request, never sent late."""
    expired = {message.id for message in messages if message.expired}
    live = [message for message in messages if message.id not in expired]
    if len(live) == 1:
        sent = [provider.send(connector=connector, message=live[0], call=call)]
    elif live:
        items = provider.send_bulk(connector=connector, messages=live, call=call)
        sent = [item.error or item.result for item in items]
    else:
        sent = []
    results = iter(sent)
    return [MessageExpired(m) if m.id in expired else next(results) for m in messages]


def _token_store(connector: Connector) -> TokenStore:
    """The connector's encrypted session token field, as the adapters' token store."""
    return TokenStore(
        stored=lambda: connector_session_token(connector_id=connector.pk) if connector.pk else "",
        store=lambda token: connector_store_session_token(connector=connector, token=token),
    )


# -- the breaker: connector health from request outcomes -----------------------------------------


def _take_turn(connector: Connector) -> bool:
    """Whether this caller may send through the connector: it is not paused, or this caller
    claimed the one probe of a connector whose pause ended.

    The claim extends the pause, so concurrent callers skip the connector while the probe runs.
    """
    if connector.health_state != HealthState.TRIPPED:
        return True
    now = timezone.now()
    pause = timedelta(seconds=settings.SMSCONSOLE_BREAKER_COOLDOWN_SECONDS)
    return bool(
        Connector.objects.filter(
            pk=connector.pk, health_state=HealthState.TRIPPED, tripped_until__lte=now
        ).update(tripped_until=now + pause)
    )


def connector_record_outcome(*, connector: Connector, results: list[MessageResult]) -> None:
    """Update the connector's health from one provider request (it counts once, however many
    messages it carried): an accepted message heals it, a failure counts against it."""
    if any(result.outcome == Outcome.ACCEPTED for result in results):
        _record_success(connector)
    elif failed := [result for result in results if result.outcome == Outcome.FAILED]:
        _record_failure(connector, category=failed[-1].category, detail=failed[-1].detail)


def _record_success(connector: Connector) -> None:
    """Healthy again (writes only when that changes); this object follows, for the next request.

    No statement when this object, read for this dispatch, shows it healthy: that is nearly every
    request, and the next dispatch reads failures recorded meanwhile by other workers afresh.
    """
    if connector.health_state == HealthState.OK and not connector.consecutive_failures:
        return
    Connector.objects.filter(pk=connector.pk).filter(
        ~Q(health_state=HealthState.OK) | Q(consecutive_failures__gt=0)
    ).update(
        health_state=HealthState.OK,
        consecutive_failures=0,
        tripped_until=None,
        updated_at=timezone.now(),
    )
    connector.health_state, connector.consecutive_failures = HealthState.OK, 0
    connector.tripped_until = None


def _record_failure(connector: Connector, *, category: str, detail: str) -> None:
    """Rejected credentials stop the connector until it is edited, no balance pauses it, and a
    run of transient failures pauses it for a cool-down (thresholds are settings)."""
    now = timezone.now()
    last_error = f"{Category(category).label}: {detail}"[:1000]
    connector.consecutive_failures += 1  # so that this object's next success heals it
    connectors = Connector.objects.filter(pk=connector.pk)
    if category == Category.CREDENTIALS:
        connectors.update(
            health_state=HealthState.CREDENTIALS_REJECTED,
            tripped_until=None,
            last_error=last_error,
            consecutive_failures=F("consecutive_failures") + 1,
            updated_at=now,
        )
    elif category == Category.BALANCE:
        connectors.exclude(health_state=HealthState.CREDENTIALS_REJECTED).update(
            health_state=HealthState.TRIPPED,
            last_error=last_error,
            updated_at=now,
            tripped_until=now + timedelta(seconds=settings.SMSCONSOLE_BREAKER_BALANCE_SECONDS),
            consecutive_failures=F("consecutive_failures") + 1,
        )
    elif category in TRANSIENT_CATEGORIES:
        connectors.update(
            consecutive_failures=F("consecutive_failures") + 1,
            last_error=last_error,
            updated_at=now,
        )
        connectors.filter(consecutive_failures__gte=settings.SMSCONSOLE_BREAKER_FAILURES).exclude(
            health_state=HealthState.CREDENTIALS_REJECTED
        ).update(
            health_state=HealthState.TRIPPED,
            tripped_until=now + timedelta(seconds=settings.SMSCONSOLE_BREAKER_COOLDOWN_SECONDS),
        )
