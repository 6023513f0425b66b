"""Properties of messaging/text.py checked against an independent split of the encoded units.

The reference below encodes the text into its real units (GSM septets with 0x1B escapes, UTF-16
code units for UCS-2), cuts them every `part` units and moves a cut back by one where it would
separate an escape from its character or a surrogate pair; measure() must agree with it.
"""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import GSM_7, GSM_7_TURKISH, LAYOUTS, UCS_2, measure

ESCAPE = "\x1b"
DEFAULT_EXTENSION = "\f^{}\\[~]|€"
TURKISH_ONLY = "ĞğİıŞşç"  # in the Turkish single-shift table, not in the default alphabet
PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,!?-'\"@£$¥èéÇÖÜöüäà\n"
OTHER = "بثجحخ中文ж😀🇹🇷€{"  # Arabic, CJK, Cyrillic, emoji (surrogate pairs), mixed

gsm_texts = st.text(alphabet=PLAIN + DEFAULT_EXTENSION, min_size=1, max_size=700)
turkish_texts = st.text(alphabet=PLAIN + DEFAULT_EXTENSION + TURKISH_ONLY, min_size=1, max_size=700)
any_texts = st.text(
    alphabet=PLAIN + DEFAULT_EXTENSION + TURKISH_ONLY + OTHER, min_size=1, max_size=400
)


def _units(text: str, encoding: str) -> list[str]:
    """The text as transmitted: one entry per septet or UTF-16 code unit."""
    if encoding == UCS_2:
        raw = text.encode("utf-16-be")
        return [raw[i : i + 2].decode("latin-1") for i in range(0, len(raw), 2)]
    shifted = DEFAULT_EXTENSION if encoding == GSM_7 else DEFAULT_EXTENSION + TURKISH_ONLY
    return [unit for c in text for unit in ((ESCAPE, c) if c in shifted else (c,))]


def _continues(units: list[str], index: int, encoding: str) -> bool:
    """Whether units[index] belongs to the unit before it (a cut there would split a pair)."""
    if encoding == UCS_2:
        return 0xDC <= ord(units[index][0]) <= 0xDF  # a low surrogate
    return units[index - 1] == ESCAPE


def _split(text: str, encoding: str) -> list[list[str]]:
    layout = LAYOUTS[encoding]
    units = _units(text, encoding)
    if len(units) <= layout.single:
        return [units]
    parts, start = [], 0
    while start < len(units):
        end = min(start + layout.part, len(units))
        if end < len(units) and _continues(units, end, encoding):
            end -= 1
        parts.append(units[start:end])
        start = end
    return parts


def _check_against_split(text: str) -> None:
    measured = measure(text)
    parts = _split(text, measured.encoding)
    assert measured.units == sum(len(part) for part in parts)
    assert measured.segments == len(parts)
    layout = LAYOUTS[measured.encoding]
    limit = layout.single if len(parts) == 1 else layout.part
    assert all(len(part) <= limit for part in parts)
    assert 0 <= measured.remaining <= limit
    assert measured.remaining == limit - len(parts[-1])
    # Never below the true minimum: every unit has to fit somewhere.
    minimum = 1 if measured.units <= layout.single else math.ceil(measured.units / layout.part)
    assert measured.segments >= minimum


@settings(max_examples=300)
@given(gsm_texts)
def test_gsm_segments_match_splitting_the_septets(text):
    assert measure(text).encoding == GSM_7
    _check_against_split(text)


@settings(max_examples=300)
@given(turkish_texts)
def test_turkish_segments_match_splitting_the_septets(text):
    encoding = measure(text).encoding
    assert encoding == (GSM_7_TURKISH if set(text) & set(TURKISH_ONLY) else GSM_7)
    _check_against_split(text)


@settings(max_examples=300)
@given(any_texts)
def test_any_text_segments_match_splitting_its_units(text):
    _check_against_split(text)


@given(st.text(alphabet=PLAIN, max_size=200), st.sampled_from(TURKISH_ONLY))
def test_each_turkish_shift_letter_costs_two_septets(text, letter):
    measured = measure(text + letter)
    assert measured.encoding == GSM_7_TURKISH
    assert measured.units == len(text) + 2
    assert measured.single_limit == 155


@given(st.integers(min_value=1, max_value=600), st.sampled_from("{€ğ"))
def test_an_escape_pair_at_a_part_boundary_moves_whole_to_the_next_part(prefix, shifted):
    text = "a" * prefix + shifted + "a" * 200
    _check_against_split(text)


@given(st.integers(min_value=60, max_value=300))
def test_a_surrogate_pair_at_a_part_boundary_moves_whole_to_the_next_part(prefix):
    text = "ب" * prefix + "😀" + "ب" * 100
    measured = measure(text)
    assert measured.encoding == UCS_2
    assert measured.units == prefix + 2 + 100
    _check_against_split(text)
