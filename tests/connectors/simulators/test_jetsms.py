"""The Jet SMS simulator speaks the xmlsms protocol: raw XML in, `<code> <text>` out."""

import pytest
import requests

from connectors.simulators.models import ReceivedSms
from connectors.simulators.services import simulator_account_ensure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def post(simulator_url):
    simulator_account_ensure(
        slug="jetsms", username="u1", password="p1", sender_titles=["ACME"], max_text_length=160
    )

    def post(body: bytes | str):
        data = body.encode() if isinstance(body, str) else body
        return requests.post(simulator_url("jetsms") + "/SMS-Web8/xmlsms", data=data, timeout=5)

    return post


def context(inner: str, kind="smmgsd", encoding="UTF-8", title="ACME") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><message-context type="{kind}">'
        "<username>u1</username>"
        f"<password>p1</password><outbox-name>{title}</outbox-name><reference/>{inner}</message-context>"
    )


ANSWERS = [
    pytest.param("", "90 XML null", id="empty body"),
    pytest.param("<message-context", "90 XML Parser Hatasi", id="broken XML"),
    pytest.param("<other/>", "90 XML Parser Hatasi", id="wrong root element"),
    pytest.param(
        context("<text>x</text><gsmnos>5321234567</gsmnos>", kind="xyz"), "90 ", id="unknown type"
    ),
    pytest.param(
        context("<text>x</text><gsmnos>5321234567</gsmnos>").replace("p1", "p2"),
        "10 wrong user",
        id="10",
    ),
    pytest.param(
        context("<text>x</text><gsmnos>5321234567</gsmnos>", title=""), "30 ", id="30 empty title"
    ),
    pytest.param(
        context("<text>x</text><gsmnos>5321234567</gsmnos>", title="OTHER"),
        "12 wrong title",
        id="12",
    ),
    pytest.param(context("<text>x</text><gsmnos></gsmnos>"), "31 ", id="31 no number"),
    pytest.param(context("<text>x</text><gsmnos>2121234567</gsmnos>"), "31 ", id="31 landline"),
    pytest.param(context("<text> </text><gsmnos>5321234567</gsmnos>"), "38 ", id="38 blank text"),
    pytest.param(
        context("<text>😀</text><gsmnos>5321234567</gsmnos>"),
        "80 XML Error : Unexpected SMS characters",
        id="80",
    ),
    pytest.param(
        context(f"<text>{'x' * 161}</text><gsmnos>5321234567</gsmnos>"),
        "85 Mesaj 160 den uzun",
        id="85",
    ),
]


@pytest.mark.parametrize(("body", "starts"), ANSWERS)
def test_error_answers(post, body, starts):
    answer = post(body)

    assert (answer.status_code, answer.headers["Content-Type"]) == (
        200,
        "text/plain; charset=utf-8",
    )
    assert answer.text.startswith(starts)
    assert not ReceivedSms.objects.exists()


ACCEPTED = [
    pytest.param(
        context("<text>Ağaç &amp; kuş</text><gsmnos>5321234567,905327654321</gsmnos>").encode(),
        [("905321234567", "Ağaç & kuş"), ("905327654321", "Ağaç & kuş")],
        id="smmgsd, two numbers",
    ),
    pytest.param(
        context(
            "<message><text>Şeker</text><gsmnos>5321234567</gsmnos></message>",
            encoding="iso-8859-9",
        ).encode("iso-8859-9"),
        [("905321234567", "Şeker")],
        id="smmgsd wrapped in message, ISO-8859-9",
    ),
    pytest.param(
        context(
            "<message><gsmno>5321234567</gsmno><text>A</text></message>"
            "<message><gsmno>5327654321</gsmno><text>B</text></message>",
            kind="mmmgsd",
        ).encode(),
        [("905321234567", "A"), ("905327654321", "B")],
        id="mmmgsd, one text per number",
    ),
]


@pytest.mark.parametrize(("body", "received"), ACCEPTED)
def test_accepted_answers_00_with_the_group_id(post, body, received):
    answer = post(body)

    code, group_id = answer.text.split(" ")
    assert code == "00"
    assert sorted(ReceivedSms.objects.values_list("number", "text")) == received
    assert set(ReceivedSms.objects.values_list("order_id", flat=True)) == {int(group_id)}


def test_balance_runs_out_with_11(post):
    from connectors.simulators.models import SimulatorAccount

    SimulatorAccount.objects.update(balance=1)

    answer = post(context("<text>x</text><gsmnos>5321234567,5327654321</gsmnos>"))

    assert answer.text == "11 not enough limit"


def test_get_is_not_allowed(simulator_url, post):
    assert requests.get(simulator_url("jetsms") + "/SMS-Web8/xmlsms", timeout=5).status_code == 405


LISTS = [
    pytest.param("5321234567,905321234568,5321234569", 3, id="three numbers, both formats"),
    pytest.param("5321234567,2121234567,5321234569", 2, id="a landline in the list is left out"),
]


@pytest.mark.parametrize(("gsmnos", "taken"), LISTS)
def test_a_number_list_is_one_group_with_a_row_per_number(post, gsmnos, taken):
    answer = post(context(f"<text>Kargonuz yolda</text><gsmnos>{gsmnos}</gsmnos>"))

    code, _, group_id = answer.text.partition(" ")
    assert code == "00"
    received = ReceivedSms.objects.all()
    assert received.count() == taken
    assert {str(r.order_id) for r in received} == {group_id}


def test_a_list_with_no_number_it_can_read_is_31(post):
    answer = post(context("<text>x</text><gsmnos>2121234567,123</gsmnos>"))

    assert answer.text.startswith("31 ")
    assert not ReceivedSms.objects.exists()
