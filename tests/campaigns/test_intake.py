import pytest
from django.core.exceptions import ValidationError

from messaging.campaigns import intake
from tests.campaigns.conftest import csv_upload


def rows_of(content, placeholders=()):
    return list(intake.csv_rows(csv_upload(content), placeholders=list(placeholders)))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("phone,first_name\n+905321234567,Ayşe\n", [(2, "+905321234567", {"first_name": "Ayşe"})]),
        (
            "\ufeffphone,first_name\n05321234567,Ayşe\n".encode(),
            [(2, "05321234567", {"first_name": "Ayşe"})],
        ),
        (
            "Phone;First_name;first_name\n0532 123 45 67;x;Ali\n",
            [(2, "0532 123 45 67", {"first_name": "Ali"})],
        ),
        (
            'msisdn,first_name\n"+90 532, 123 45 67","Yılmaz, Ayşe"\n',
            [(2, "+90 532, 123 45 67", {"first_name": "Yılmaz, Ayşe"})],
        ),
        (
            'phone;first_name\n"0532";"multi\nline"\n5551112233;Can\n',
            [(3, "0532", {"first_name": "multi\nline"}), (4, "5551112233", {"first_name": "Can"})],
        ),
        (
            "phone,first_name\r\n\r\n+905321234567,Ece\r\n",
            [(3, "+905321234567", {"first_name": "Ece"})],
        ),
        ("phone,first_name\n+905321234567\n", [(2, "+905321234567", {"first_name": ""})]),
    ],
    ids=[
        "comma",
        "utf8-bom",
        "semicolon-case-insensitive-header",
        "quoted-comma",
        "quoted-newline-line-numbers",
        "crlf-blank-lines",
        "short-row",
    ],
)
def test_csv_rows_are_read(content, expected):
    rows = rows_of(content, ["first_name"])
    assert [(r.line, r.number, r.params) for r in rows] == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The file is empty"),
        ("name,city\nAli,Ankara\n", "no phone column"),
        ("phone,last_name\n+905321234567,Yılmaz\n", "no column for {{first_name}}"),
        ("phone,first_name\n+905321234567,\xc7\n".encode("cp1254"), "not UTF-8"),
    ],
    ids=["empty", "no-phone-column", "no-placeholder-column", "not-utf8"],
)
def test_csv_refused_whole_with_a_reason(content, message):
    with pytest.raises(ValidationError) as error:
        rows_of(content, ["first_name"])
    assert message in str(error.value.message_dict["file"])


def test_pasted_rows_split_on_lines_commas_and_semicolons():
    rows = list(intake.pasted_rows("+905321234567, 05321234568\n\n0532 123 45 69;x"))
    assert [(r.line, r.number.strip()) for r in rows] == [
        (1, "+905321234567"),
        (1, "05321234568"),
        (3, "0532 123 45 69"),
        (3, "x"),
    ]


def test_listed_rows_number_items_and_keep_params():
    rows = list(intake.listed_rows([{"msisdn": "+905321234567", "params": {"a": 1}}, "junk"]))
    assert [(r.line, r.number, r.params) for r in rows] == [
        (1, "+905321234567", {"a": 1}),
        (2, "", {}),
    ]
