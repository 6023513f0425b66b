"""Every change of simulator state."""

import random
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connectors.providers.smsc import command_status_parse
from connectors.simulators.models import (
    SMPP_SLUG,
    FailureMode,
    ReceiptState,
    ReceivedSms,
    SimulatedProvider,
    SimulatorAccount,
    failure_mode_choices,
)
from core.rows import objects_create

MAX_RECEIPT_DELAY = 3600
MAX_LATENCY_MS = 60_000
KEEP = object()  # a setting the caller leaves as it is


def simulated_provider_ensure(*, slug: str) -> SimulatedProvider:
    """The simulated provider with this slug, created working normally if missing."""
    provider, _ = SimulatedProvider.objects.get_or_create(slug=slug)
    return provider


def simulated_provider_set_mode(
    *,
    provider: SimulatedProvider,
    failure_mode: str,
    slow_seconds: int | None = None,
    fixed_status: int | None = None,
    fixed_body: str | None = None,
    latency_ms: int | object | None = KEEP,
) -> SimulatedProvider:
    """Put a simulated provider into a failure mode (or back to normal), and set how long its
    answers take (latency_ms; None: the default setting)."""
    errors: dict[str, list[str]] = {}
    if latency_ms not in (KEEP, None) and (
        not isinstance(latency_ms, int) or not 0 <= latency_ms <= MAX_LATENCY_MS
    ):
        errors["latency_ms"] = [
            f"Answers take 0 to {MAX_LATENCY_MS} milliseconds; leave it blank for the default."
        ]
    offered = [mode for mode, _label in failure_mode_choices(provider.slug)]
    if failure_mode not in offered:
        errors["failure_mode"] = [f"Choose one of: {', '.join(offered)}."]
    if slow_seconds is not None and not 1 <= slow_seconds <= 120:
        errors["slow_seconds"] = ["Slow answers take 1 to 120 seconds."]
    if fixed_status is not None and not 100 <= fixed_status <= 599:
        errors["fixed_status"] = ["The HTTP status must be from 100 to 599."]
    body = fixed_body if fixed_body is not None else provider.fixed_body
    if failure_mode == FailureMode.FIXED_ANSWER and not body:
        errors["fixed_body"] = ["Give the body the simulator should answer with."]
    elif (
        failure_mode == FailureMode.FIXED_ANSWER
        and provider.slug == SMPP_SLUG
        and command_status_parse(body) is None
    ):
        errors["fixed_body"] = [
            "Give an SMPP command status: a name such as ESME_RTHROTTLED or a number such as 0x58."
        ]
    if errors:
        raise ValidationError(errors)
    provider.failure_mode = failure_mode
    for name, value in (
        ("slow_seconds", slow_seconds),
        ("fixed_status", fixed_status),
        ("fixed_body", fixed_body),
    ):
        if value is not None:
            setattr(provider, name, value)
    if latency_ms is not KEEP:
        provider.latency_ms = latency_ms
    provider.save()
    return provider


def simulator_account_ensure(
    *,
    slug: str,
    username: str,
    password: str,
    sender_titles: list[str],
    balance: int = 1000,
    max_text_length: int = 612,
) -> tuple[SimulatorAccount, bool]:
    """The account with this user name, created with these values if missing; (account, created)."""
    provider = simulated_provider_ensure(slug=slug)
    return SimulatorAccount.objects.get_or_create(
        provider=provider,
        username=username,
        defaults={
            "password": password,
            "sender_titles": list(sender_titles),
            "balance": balance,
            "max_text_length": max_text_length,
        },
    )


def simulator_account_update(
    *, account: SimulatorAccount, balance: int, sender_titles: list[str], receipt_url: str = ""
) -> SimulatorAccount:
    """Change an account's balance, approved sender titles and receipt webhook URL."""
    titles = [t.strip() for t in sender_titles if t.strip()]
    if balance < 0:
        raise ValidationError({"balance": ["The balance cannot be negative."]})
    if not titles:
        raise ValidationError({"sender_titles": ["Approve at least one sender title."]})
    account.balance = balance
    account.sender_titles = titles
    account.receipt_url = receipt_url.strip()
    account.save(update_fields=["balance", "sender_titles", "receipt_url"])
    return account


def simulator_token_issue(*, account: SimulatorAccount) -> str:
    """Issue a new bearer token to the account; the previous one stops working."""
    account.token = secrets.token_hex(24)
    account.save(update_fields=["token"])
    return account.token


def simulator_token_revoke(*, account: SimulatorAccount) -> None:
    """Make the account's bearer token invalid, as when it expires."""
    account.token = ""
    account.save(update_fields=["token"])


def simulated_provider_set_receipts(
    *, provider: SimulatedProvider, delivered_percent: int, receipt_delay_seconds: int
) -> SimulatedProvider:
    """How the simulated provider's receipts come: the share delivered and after how long."""
    errors: dict[str, list[str]] = {}
    if not 0 <= delivered_percent <= 100:
        errors["delivered_percent"] = ["The delivered share is 0 to 100 percent."]
    if not 0 <= receipt_delay_seconds <= MAX_RECEIPT_DELAY:
        errors["receipt_delay_seconds"] = [f"The delay is 0 to {MAX_RECEIPT_DELAY} seconds."]
    if errors:
        raise ValidationError(errors)
    provider.delivered_percent = delivered_percent
    provider.receipt_delay_seconds = receipt_delay_seconds
    provider.save(update_fields=["delivered_percent", "receipt_delay_seconds", "updated_at"])
    return provider


def simulator_account_set_receipt_url(*, account: SimulatorAccount, url: str) -> SimulatorAccount:
    """Set the account's webhook URL, as an operator does in the provider's panel."""
    account.receipt_url = url.strip()
    account.save(update_fields=["receipt_url"])
    return account


@transaction.atomic
def simulator_sms_receive(
    *,
    account: SimulatorAccount,
    sender: str,
    messages: list[tuple[str, str]],
    client_id: str = "",
    client_ids: list[str] | None = None,
    validity: str = "",
    receipt_url: str = "",
) -> int | None:
    """Take (number, text) messages, a credit each; return the order id, or None without balance.

    `client_ids` gives each message its own client id (else `client_id` is every message's).
    `validity` is the request's validity field as given (e.g. Infobip's minutes), for inspection.
    Each message's fate is drawn now (the provider's delivered share) and reported final after
    its receipt delay; `receipt_url` (the request's callback, else the account's webhook) is
    where its receipt is pushed.
    """
    cost = len(messages)
    if account.provider.failure_mode == FailureMode.NO_BALANCE:
        return None
    provider = account.provider
    due_at = timezone.now() + timedelta(seconds=provider.receipt_delay_seconds)
    rows = [
        ReceivedSms(
            account=account,
            order_id=0,
            client_id=client_ids[index] if client_ids else client_id,
            sender=sender,
            number=number,
            text=text,
            validity=validity,
            receipt_state=(
                ReceiptState.DELIVERED
                if random.random() * 100 < provider.delivered_percent
                else ReceiptState.UNDELIVERED
            ),
            receipt_due_at=due_at,
            receipt_url=receipt_url or account.receipt_url,
        )
        for index, (number, text) in enumerate(messages)
    ]
    with transaction.atomic():  # one write: a provider takes a request whole
        charged = SimulatorAccount.objects.filter(pk=account.pk, balance__gte=cost).update(
            balance=F("balance") - cost
        )
        if not charged:
            return None
        objects_create(objects=rows)
        # The first row's id is unique across all simulators and grows like a provider's order ids.
        order_id = 100_000 + rows[0].pk
        ReceivedSms.objects.filter(pk__in=[row.pk for row in rows]).update(order_id=order_id)
    return order_id


def simulator_receipts_handed_out(*, received: list[ReceivedSms]) -> None:
    """Mark receipts a report query handed out (Infobip hands each out once)."""
    ReceivedSms.objects.filter(pk__in=[r.pk for r in received]).update(
        receipt_sent_at=timezone.now()
    )


def simulator_received_text_set(*, order_id: int, text: str) -> None:
    """Replace the text of a received message (the SMSC joins concatenated parts as they come)."""
    ReceivedSms.objects.filter(order_id=order_id).update(text=text)


def simulator_received_clear(*, provider: SimulatedProvider) -> int:
    """Forget the messages a simulated provider received; return how many."""
    deleted, _ = ReceivedSms.objects.filter(account__provider=provider).delete()
    return deleted
