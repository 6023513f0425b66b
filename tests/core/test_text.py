import pytest

from core.text import GSM_7, GSM_7_TURKISH, UCS_2, measure

ARABIC = "مرحبا بكم في عمّان"
EMOJI = "😀"


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        pytest.param("a" * 160, GSM_7, 160, 1, id="160-plain-fits-one"),
        pytest.param("a" * 161, GSM_7, 161, 2, id="161-plain-needs-two"),
        pytest.param("a" * 306, GSM_7, 306, 2, id="306-plain-fills-two-parts"),
        pytest.param("a" * 307, GSM_7, 307, 3, id="307-plain-needs-three"),
        pytest.param("{", GSM_7, 2, 1, id="brace-costs-two"),
        pytest.param("€", GSM_7, 2, 1, id="euro-alone-stays-gsm-and-costs-two"),
        pytest.param("a" * 158 + "{", GSM_7, 160, 1, id="extension-at-single-limit"),
        pytest.param("a" * 159 + "{", GSM_7, 161, 2, id="extension-over-single-limit"),
        pytest.param(
            "Şişli'de ılık bir gün", GSM_7_TURKISH, 25, 1, id="turkish-letters-use-single-shift"
        ),
        pytest.param(
            "Çok güzel Ömür Ünlü", GSM_7, 19, 1, id="default-alphabet-turkish-letters-stay-gsm"
        ),
        pytest.param("ç", GSM_7_TURKISH, 2, 1, id="small-c-cedilla-needs-turkish-shift"),
        pytest.param("ş" * 77 + "a", GSM_7_TURKISH, 155, 1, id="turkish-155-septets-fit-one"),
        pytest.param("ş" * 78, GSM_7_TURKISH, 156, 2, id="turkish-156-septets-need-two"),
        pytest.param("ı" + "a" * 296, GSM_7_TURKISH, 298, 2, id="turkish-149x2-septets-fit-two"),
        pytest.param(
            "ı" + "a" * 297, GSM_7_TURKISH, 299, 3, id="turkish-149x2-plus-one-needs-three"
        ),
        pytest.param("ğ" + "a" * 445, GSM_7_TURKISH, 447, 3, id="turkish-149x3-septets-fit-three"),
        pytest.param(
            "ğ" + "a" * 446, GSM_7_TURKISH, 448, 4, id="turkish-149x3-plus-one-needs-four"
        ),
        pytest.param(ARABIC, UCS_2, len(ARABIC), 1, id="arabic-is-ucs2"),
        pytest.param("ب" * 70, UCS_2, 70, 1, id="ucs2-70-fit-one"),
        pytest.param("ب" * 71, UCS_2, 71, 2, id="ucs2-71-need-two"),
        pytest.param(EMOJI, UCS_2, 2, 1, id="emoji-counts-two-units"),
        pytest.param("Şişli 😀", UCS_2, 8, 1, id="emoji-forces-ucs2-over-turkish"),
        pytest.param("", GSM_7, 0, 0, id="empty-is-no-sms"),
    ],
)
def test_measure_encoding_units_and_segments(text, encoding, units, segments):
    measured = measure(text)

    assert (measured.encoding, measured.units, measured.segments) == (encoding, units, segments)
    assert measured.characters == len(text)


def test_escape_pair_is_never_split_across_parts():
    # 306 septets would fill two parts exactly, but "{" would straddle the first boundary.
    measured = measure("a" * 152 + "{" + "a" * 152)

    assert measured.units == 306
    assert measured.segments == 3


def test_surrogate_pair_is_never_split_across_parts():
    # 134 units would fill two parts exactly, but the emoji would straddle the first boundary.
    measured = measure("ب" * 66 + EMOJI + "ب" * 66)

    assert measured.units == 134
    assert measured.segments == 3


def test_remaining_counts_down_in_the_current_part():
    assert measure("a" * 150).remaining == 10
    assert measure("a" * 170).remaining == 153 - 17


from core.text import split_parts  # noqa: E402  (appended with the SMPP splitter, issue 8)


@pytest.mark.parametrize(
    ("text", "encoding", "sizes"),
    [
        pytest.param("a" * 160, None, [160], id="single-gsm-stays-whole"),
        pytest.param("a" * 307, None, [153, 153, 1], id="gsm-parts-of-153"),
        pytest.param(
            "a" * 152 + "{" + "a" * 152, None, [152, 152, 1], id="escape-pair-moves-to-next"
        ),
        pytest.param(
            "ب" * 66 + EMOJI + "ب" * 66, None, [66, 66, 1], id="surrogate-pair-moves-to-next"
        ),
        pytest.param("ş" * 80, None, [74, 6], id="turkish-shift-parts-of-149-septets"),
        pytest.param("a" * 71, UCS_2, [67, 4], id="forced-ucs2-parts-of-67"),
        pytest.param("", None, [], id="empty-has-no-parts"),
    ],
)
def test_split_parts_never_cuts_a_character(text, encoding, sizes):
    parts = split_parts(text, encoding)

    assert [len(part) for part in parts] == sizes
    assert "".join(parts) == text
    if encoding is None:
        assert len(parts) == measure(text).segments
