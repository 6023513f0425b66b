"""Bulk requests of every provider that carries one text to many numbers: lists and per-number
outcomes, shared so that each adapter only says how one list goes out and how its answer reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from connectors.providers.types import BulkItem, OutboundSms, ProviderError, SendResult

# The outcome of one message of a list: accepted, or its own error.
Outcome = SendResult | ProviderError
# Sends one list (same text, sender, kind and validity) in one request: an outcome per message,
# in order. A ProviderError raised is the whole request's and holds for each message.
ListSender = Callable[[list[OutboundSms]], Sequence[Outcome]]


def send_in_lists(
    messages: list[OutboundSms], send_list: ListSender, *, size: int, by_validity: bool
) -> list[BulkItem]:
    """The messages in lists of at most `size` sharing text, sender and kind (and validity, for a
    provider that takes one), one request each; a BulkItem per message, in the given order.

    A refused list fails each of its messages with the request's error, so each fails over alone.
    """
    groups: dict[tuple, list[int]] = {}
    for index, message in enumerate(messages):
        key = (message.text, message.sender, message.kind)
        groups.setdefault((*key, message.expires_at if by_validity else None), []).append(index)
    outcomes: dict[int, Outcome] = {}
    for indexes in groups.values():
        for start in range(0, len(indexes), size):
            chunk = indexes[start : start + size]
            try:
                answered = list(send_list([messages[index] for index in chunk]))
            except ProviderError as error:
                answered = [error] * len(chunk)
            outcomes.update(zip(chunk, answered, strict=True))
    return [_item(message, outcomes[index]) for index, message in enumerate(messages)]


def one_result(outcomes: Sequence[Outcome]) -> SendResult:
    """The result of a list of one message; its error raised."""
    (outcome,) = outcomes
    if isinstance(outcome, ProviderError):
        raise outcome
    return outcome


def _item(message: OutboundSms, outcome: Outcome) -> BulkItem:
    if isinstance(outcome, ProviderError):
        return BulkItem(message, error=outcome)
    return BulkItem(message, result=outcome)
