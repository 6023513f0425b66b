"""Stop words: a received text that is only "STOP" (or İPTAL, …) opts its sender out."""

import logging
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError

from inbox.models import MAX_KEYWORD_LENGTH, InboundMessage
from messaging.models import OptOut
from messaging.services import optout_create

logger = logging.getLogger(__name__)


def _fold(text: str) -> str:
    # Turkish dotted/dotless i first: "İ".lower() is "i̇" and "ı".upper() is "I" in Python.
    text = text.replace("İ", "I").replace("ı", "i").casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _strip_edges(text: str) -> str:
    # "Stop." or '"İPTAL"\n' still mean stop: drop surrounding whitespace and punctuation.
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start])[0] == "P"):
        start += 1
    while end > start and (
        text[end - 1].isspace() or unicodedata.category(text[end - 1])[0] == "P"
    ):
        end -= 1
    return text[start:end]


def text_is_stop_word(text: str) -> bool:
    """Whether the whole text is a configured stop word, ignoring case, accents and punctuation."""
    stop_words = {_fold(word.strip()) for word in settings.SMSCONSOLE_STOP_WORDS if word.strip()}
    return _fold(_strip_edges(text)) in stop_words


def stop_word_opt_out(*, message: InboundMessage) -> OptOut | None:
    """Opt the sender of a stop word out of commercial messages (None when it is not a number)."""
    try:
        return optout_create(
            number=message.sender,
            keyword=_strip_edges(message.text)[:MAX_KEYWORD_LENGTH],
            inbound_message_id=message.pk,
            actor=f"sms:{message.sender}",
        )
    except ValidationError:
        # An alphanumeric sender title cannot be sent to, so there is nothing to opt out.
        logger.info("Inbound SMS %s: stop word from a sender that is not a number.", message.pk)
        return None
