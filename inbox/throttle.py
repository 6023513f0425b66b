"""Wrong receiver tokens per address: after too many in a minute, the address gets 429 until the
minute ends. Counters live in the "shared" cache, so every web process sees the same counts."""

import logging
import time

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger("inbox.receiver")
WINDOW_SECONDS = 60
# A flood ends after this long without a refused request; the next one is logged again.
FLOOD_QUIET_SECONDS = 300


def _window() -> int:
    return int(time.time() // WINDOW_SECONDS)


def _count_key(address: str) -> str:
    return f"receiver-bad-token:{address}:{_window()}"


def seconds_to_window_end() -> int:
    """Seconds until the current counting minute ends (the 429's Retry-After)."""
    return int((_window() + 1) * WINDOW_SECONDS - time.time()) + 1


def receiver_is_throttled(*, address: str) -> bool:
    """Whether this address sent too many wrong tokens this minute; the first refusal of a flood
    is logged, the rest only keep the flood going."""
    limit = settings.SMSCONSOLE_RECEIVER_BAD_TOKEN_LIMIT
    cache = caches["shared"]
    if not limit or (cache.get(_count_key(address)) or 0) < limit:
        return False
    flood_key = f"receiver-bad-token-flood:{address}"
    if cache.add(flood_key, True, FLOOD_QUIET_SECONDS):
        logger.warning(
            "Receiver: %s wrong tokens from %s within a minute; answering 429 to it. "
            "Logged once per flood.",
            limit,
            address,
        )
    else:
        cache.touch(flood_key, FLOOD_QUIET_SECONDS)
    return True


def receiver_record_bad_token(*, address: str) -> None:
    """Count a request from this address that had a wrong or missing token."""
    cache = caches["shared"]
    key = _count_key(address)
    cache.add(key, 0, 2 * WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 2 * WINDOW_SECONDS)
