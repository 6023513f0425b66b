"""Encoding and segment arithmetic of an SMS text (GSM 03.38 / 3GPP TS 23.038).

No library handles the Turkish single-shift table, so the tables are written out here. Lengths are
counted in septets for the GSM encodings and in UTF-16 code units for UCS-2.
"""

import functools
from dataclasses import dataclass

from django.utils.translation import gettext

GSM_7 = "GSM-7"
GSM_7_TURKISH = "GSM-7 Turkish"
UCS_2 = "UCS-2"
ENCODINGS = (GSM_7, GSM_7_TURKISH, UCS_2)

# The GSM 03.38 default alphabet in code order, one septet each; 0x1B is the escape to the
# extension table. Written out because smpplib's table has a backtick where § belongs.
GSM_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_ESCAPE = 0x1B
GSM_BASIC = frozenset(GSM_ALPHABET) - {chr(GSM_ESCAPE)}
# The default extension table: escape + the character's code, two septets each.
GSM_EXTENSION_CODES = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
GSM_EXTENSION = frozenset(GSM_EXTENSION_CODES)
GSM_EXTENSION_CHARACTERS = {code: char for char, code in GSM_EXTENSION_CODES.items()}
# The Turkish national language single-shift table (TS 23.038 A.2.1), also two septets each.
TURKISH_SHIFT = frozenset("\f^{}\\[~]|ĞİŞçğış€")


@dataclass(frozen=True)
class Layout:
    """How many units fit in a single message and in each part of a concatenated one."""

    single: int
    part: int
    unit: str


# UDH costs: concatenation takes 6 octets (7 septets); the Turkish shift indicator takes 3 more
# octets, so 4 octets (5 septets) alone and 9 octets (11 septets) together with concatenation.
LAYOUTS = {
    GSM_7: Layout(single=160, part=153, unit="septets"),
    GSM_7_TURKISH: Layout(single=155, part=149, unit="septets"),
    UCS_2: Layout(single=70, part=67, unit="UTF-16 units"),
}


@dataclass(frozen=True)
class TextMeasure:
    """What a text costs: encoding, lengths and the number of SMS it is split into."""

    encoding: str
    characters: int
    units: int
    segments: int
    single_limit: int
    part_limit: int
    unit_name: str
    remaining: int  # units still free in the last segment before another one starts

    def as_dict(self) -> dict:
        return {
            "encoding": self.encoding,
            "characters": self.characters,
            "units": self.units,
            "unit_name": self.unit_name,
            "segments": self.segments,
            "single_limit": self.single_limit,
            "part_limit": self.part_limit,
            "remaining": self.remaining,
        }


# The longest text one message may have (a provider splits it into parts).
MAX_TEXT_CHARACTERS = 1600


def digits_only(value: str) -> bool:
    """Whether the value is ASCII digits 0-9 (str.isdigit also holds for '²' and '٣', int() refuses '²')."""
    return value.isascii() and value.isdigit()


def text_problem(text: str) -> str:
    """What makes a text unsendable, in words for the person who wrote it; "" when it is fine."""
    if not text.strip():
        return gettext("Enter the message text (1 to %(limit)s characters).") % {
            "limit": f"{MAX_TEXT_CHARACTERS:,}"
        }
    if len(text) > MAX_TEXT_CHARACTERS:
        return gettext("The text is %(length)s characters long; at most %(limit)s are allowed.") % {
            "length": f"{len(text):,}",
            "limit": f"{MAX_TEXT_CHARACTERS:,}",
        }
    if "\x00" in text:
        # No provider carries it, and PostgreSQL cannot store it: refuse instead of failing later.
        return gettext("The text contains a NUL character (\\0); remove it.")
    return ""


def encoding_for(text: str) -> str:
    """The cheapest encoding that represents the whole text."""
    characters = set(text)
    if characters <= GSM_BASIC | GSM_EXTENSION:
        return GSM_7
    if characters <= GSM_BASIC | TURKISH_SHIFT:
        return GSM_7_TURKISH
    return UCS_2


def _unit_costs(text: str, encoding: str) -> list[int]:
    """The cost of each character: escape pairs and surrogate pairs cost 2 and are never split."""
    if encoding == UCS_2:
        return [2 if ord(c) > 0xFFFF else 1 for c in text]
    shift = GSM_EXTENSION if encoding == GSM_7 else TURKISH_SHIFT
    return [2 if c in shift else 1 for c in text]


def _segment_count(costs: list[int], layout: Layout) -> tuple[int, int]:
    """(segments, units used in the last segment), packing whole characters into parts."""
    total = sum(costs)
    if total == 0:
        return 0, 0
    if total <= layout.single:
        return 1, total
    segments, used = 1, 0
    for cost in costs:
        if used + cost > layout.part:
            segments, used = segments + 1, 0
        used += cost
    return segments, used


@functools.lru_cache(maxsize=256)  # a campaign measures the same text for every recipient
def measure(text: str) -> TextMeasure:
    """Encoding, character and unit counts and segments of a text."""
    encoding = encoding_for(text)
    layout = LAYOUTS[encoding]
    costs = _unit_costs(text, encoding)
    segments, used = _segment_count(costs, layout)
    limit = layout.single if segments <= 1 else layout.part
    return TextMeasure(
        encoding=encoding,
        characters=len(text),
        units=sum(costs),
        segments=segments,
        single_limit=layout.single,
        part_limit=layout.part,
        unit_name=layout.unit,
        remaining=limit - used,
    )


def split_parts(text: str, encoding: str | None = None) -> list[str]:
    """The text cut into the parts it is sent as, never between an escape or a surrogate pair."""
    encoding = encoding or encoding_for(text)
    layout = LAYOUTS[encoding]
    costs = _unit_costs(text, encoding)
    if sum(costs) <= layout.single:
        return [text] if text else []
    parts, start, used = [], 0, 0
    for index, cost in enumerate(costs):
        if used + cost > layout.part:
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return parts


def gsm_encode(text: str) -> bytes:
    """GSM-7 default alphabet text as unpacked octets (one septet each, as SMPP carries it)."""
    octets = bytearray()
    for char in text:
        if char in GSM_EXTENSION_CODES:
            octets += bytes((GSM_ESCAPE, GSM_EXTENSION_CODES[char]))
        else:
            octets.append(GSM_ALPHABET.index(char))
    return bytes(octets)


def gsm_decode(octets: bytes) -> str:
    """Unpacked GSM-7 octets back to text (an unknown extension code reads as a space)."""
    chars, escaped = [], False
    for octet in octets:
        if octet == GSM_ESCAPE and not escaped:
            escaped = True
            continue
        chars.append(
            GSM_EXTENSION_CHARACTERS.get(octet, " ") if escaped else GSM_ALPHABET[octet % 0x80]
        )
        escaped = False
    return "".join(chars)
