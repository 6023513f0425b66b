"""Reads of simulator state, with the provider's failure mode applied."""

import hmac
import random
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone

from connectors.simulators.models import (
    FailureMode,
    ReceivedSms,
    SimulatedProvider,
    SimulatorAccount,
)

M = TypeVar("M", bound=Model)


def _first(rows: QuerySet[M]) -> M | None:
    """The row of a lookup by a unique key, or None: unordered, as first() would order by the
    model's ordering (for an account, a join to its provider): a fifth of a simulated answer's
    time went to compiling that order."""
    return next(iter(rows.order_by()[:1]), None)


def simulated_provider_get(*, slug: str) -> SimulatedProvider:
    """The simulated provider's state; one never configured works normally."""
    return _first(SimulatedProvider.objects.filter(slug=slug)) or SimulatedProvider(slug=slug)


def simulated_latency_seconds(*, provider: SimulatedProvider) -> float:
    """How long this answer waits: the provider's latency, drawn within ± the jitter setting."""
    latency = provider.answer_after_ms / 1000
    spread = latency * settings.SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT / 100
    return max(0.0, random.uniform(latency - spread, latency + spread))


def simulator_account_named(
    *, provider: SimulatedProvider, username: str
) -> SimulatorAccount | None:
    """The provider's account of this user name, or None (no credentials checked)."""
    return _first(provider.accounts.filter(username=username))


def simulator_account_authenticate(
    *, provider: SimulatedProvider, username: str, password: str
) -> SimulatorAccount | None:
    """The account these credentials open, or None (always None in "wrong credentials" mode)."""
    if provider.pk is None or provider.failure_mode == FailureMode.WRONG_CREDENTIALS:
        return None
    account = simulator_account_named(provider=provider, username=username)
    if account is None or not hmac.compare_digest(account.password.encode(), password.encode()):
        return None
    return account


def simulator_account_by_token(
    *, provider: SimulatedProvider, token: str
) -> SimulatorAccount | None:
    """The account a bearer token was issued to, or None."""
    if not token or provider.pk is None or provider.failure_mode == FailureMode.WRONG_CREDENTIALS:
        return None
    return provider.accounts.filter(token=token).first()


def simulator_balance(*, account: SimulatorAccount) -> int:
    """Credits the account can spend now (none in "no balance" mode)."""
    return 0 if account.provider.failure_mode == FailureMode.NO_BALANCE else account.balance


def simulator_client_id_seen(*, account: SimulatorAccount, client_id: str) -> bool:
    """Whether this account already sent a message with this client id."""
    return bool(client_id) and account.received.filter(client_id=client_id).exists()


def simulator_order_repeated(
    *, account: SimulatorAccount, text: str, numbers: list[str], window: timedelta
) -> bool:
    """Whether the same text went to the same numbers within the window."""
    recent = account.received.filter(text=text, received_at__gte=timezone.now() - window)
    by_order: dict[int, set[str]] = {}
    for order_id, number in recent.values_list("order_id", "number"):
        by_order.setdefault(order_id, set()).add(number)
    return set(numbers) in by_order.values()


def simulator_received_list(*, slug: str | None = None, limit: int = 50) -> QuerySet[ReceivedSms]:
    """The newest messages the simulators received."""
    messages = ReceivedSms.objects.select_related("account__provider")
    if slug:
        messages = messages.filter(account__provider__slug=slug)
    return messages[:limit]


def simulated_provider_list() -> QuerySet[SimulatedProvider]:
    """Every simulated provider with its accounts."""
    return SimulatedProvider.objects.prefetch_related(
        Prefetch("accounts", queryset=SimulatorAccount.objects.order_by("username"))
    )


def simulator_account_by_secret(
    *, provider: SimulatedProvider, secret: str
) -> SimulatorAccount | None:
    """The account whose password is this API key (Infobip "App" keys carry no user name)."""
    if not secret or provider.pk is None or provider.failure_mode == FailureMode.WRONG_CREDENTIALS:
        return None
    for account in provider.accounts.all():
        if hmac.compare_digest(account.password.encode(), secret.encode()):
            return account
    return None
