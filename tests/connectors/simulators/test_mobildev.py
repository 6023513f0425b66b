"""The Mobildev simulator takes a `Numbers` comma list: one id for the request, a row per number."""

import pytest
import requests

from connectors.simulators.models import ReceivedSms
from connectors.simulators.services import simulator_account_ensure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def post(simulator_url):
    simulator_account_ensure(
        slug="mobildev", username="acme-mb1000", password="p1", sender_titles=["ACME"]
    )

    def post(numbers: str):
        body = (
            "<MainmsgBody><UserName>acme-mb1000</UserName><PassWord>p1</PassWord>"
            "<Action>0</Action><Mesgbody>Kargonuz yolda</Mesgbody>"
            f"<Numbers>{numbers}</Numbers><Originator>ACME</Originator><SDate/></MainmsgBody>"
        )
        return requests.post(simulator_url("mobildev") + "/com.mobilus", data=body, timeout=5)

    return post


LISTS = [
    pytest.param("05321234567", "ID:", 1, id="one number"),
    pytest.param("05321234567,5321234568,05321234569", "ID:", 3, id="a list"),
    pytest.param("05321234567,02121234567", "10", 0, id="a landline sinks the list (assumed)"),
]


@pytest.mark.parametrize(("numbers", "answer", "rows"), LISTS)
def test_numbers_list(post, numbers, answer, rows):
    text = post(numbers).text

    assert text.startswith(answer)
    assert ReceivedSms.objects.count() == rows
    if rows:
        assert {f"ID:{r.order_id}" for r in ReceivedSms.objects.all()} == {text}
