"""/SMSReceiver as the jtel receiver document describes it: a table of requests and answers."""

import itertools
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox.models import InboundMessage, ReceiveConnector, Routing
from inbox.receiver import MESSAGE_ALIASES, RECEIVER_ALIASES, SENDER_ALIASES
from inbox.selectors import RECEIVE_CONNECTORS
from inbox.services import receive_connector_regenerate_token
from messaging.models import OptOut
from tests.inbox.conftest import DOC_TOKEN

URL = "/SMSReceiver"

# The document's four example URLs, verbatim (including the "% 20" the document has in two of them).
DOC_EXAMPLES = [
    pytest.param(
        False,
        "receiver=49123123&sender=49789789&message=This%20is%20a%20test%20message",
        "This is a test message",
        id="doc-no-auth-without-plus",
    ),
    pytest.param(
        False,
        "receiver=%2B49123123&sender=%2B49789789&message=This%20is%20a%20test%20message",
        "This is a test message",
        id="doc-no-auth-with-plus",
    ),
    pytest.param(
        True,
        "receiver=49123123&sender=49789789&message=This%20is%20a%20test% 20message"
        f"&token={DOC_TOKEN}",
        "This is a test% 20message",
        id="doc-auth-without-plus",
    ),
    pytest.param(
        True,
        "receiver=%2B49123123&sender=%2B49789789&message=This%20is%20a%20test% 20message"
        f"&token={DOC_TOKEN}",
        "This is a test% 20message",
        id="doc-auth-with-plus",
    ),
]


@pytest.mark.parametrize(("require_token", "query", "text"), DOC_EXAMPLES)
def test_document_example_urls_are_stored(
    client, make_receive_connector, require_token, query, text
):
    connector = make_receive_connector(require_token=require_token, token=DOC_TOKEN)

    answer = client.get(f"{URL}?{query}")

    assert answer.status_code == 200, answer.content
    message = InboundMessage.objects.get()
    assert (message.receiver, message.sender, message.text) == ("+49123123", "+49789789", text)
    assert message.connector == connector


@pytest.mark.parametrize(("require_token", "query", "text"), DOC_EXAMPLES[2:])
def test_document_token_examples_without_the_token_are_unauthorized(
    client, make_receive_connector, require_token, query, text
):
    make_receive_connector(require_token=True, token=DOC_TOKEN)

    answer = client.get(f"{URL}?{query.split('&token=')[0]}")

    assert answer.status_code == 401
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("receiver_name", "sender_name", "message_name"),
    list(itertools.product(RECEIVER_ALIASES, SENDER_ALIASES, MESSAGE_ALIASES)),
    ids=lambda value: value,
)
def test_every_alias_is_accepted(
    client, make_receive_connector, method, receiver_name, sender_name, message_name
):
    make_receive_connector()
    params = {receiver_name: "49123123", sender_name: "905321234567", message_name: "Merhaba"}

    answer = getattr(client, method)(URL, params)

    assert answer.status_code == 200, answer.content
    stored = InboundMessage.objects.get()
    assert (stored.receiver, stored.sender, stored.text) == (
        "+49123123",
        "+905321234567",
        "Merhaba",
    )


FULL = {"receiver": "49123123", "sender": "905321234567", "message": "Hello"}


def _without(*names: str, **extra: str) -> dict:
    return {**{k: v for k, v in FULL.items() if k not in names}, **extra}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("connector_fields", "params", "status", "says"),
    [
        pytest.param({}, FULL, 200, "OK", id="200-stored"),
        pytest.param(
            {}, _without("sender"), 400, "missing sender (sender|absender)", id="400-no-sender"
        ),
        pytest.param(
            {},
            _without("receiver"),
            400,
            "missing receiver (receiver|ziel|system)",
            id="400-no-receiver",
        ),
        pytest.param(
            {},
            _without("message"),
            400,
            "missing message (message|data|smstext)",
            id="400-no-message",
        ),
        pytest.param(
            {},
            {},
            400,
            "missing sender (sender|absender), receiver (receiver|ziel|system), message",
            id="400-nothing",
        ),
        pytest.param({}, _without(message="   "), 400, "missing message", id="400-blank-message"),
        pytest.param({}, _without(sender="+"), 400, "missing sender", id="400-lone-plus-sender"),
        pytest.param(
            {},
            _without(message="x" * 1601),
            400,
            "1601 characters; at most 1600",
            id="400-1601-chars",
        ),
        pytest.param({}, _without(message="ş" * 1600), 200, "OK", id="200-1600-chars"),
        pytest.param({}, _without(sender="9" * 40), 400, "sender is longer", id="400-long-sender"),
        pytest.param({}, _without(message="a\x00b"), 400, "NUL character", id="400-nul-in-message"),
        pytest.param(
            {}, _without(receiver="49999999"), 404, "+49999999", id="404-unknown-receiver"
        ),
        pytest.param({"is_active": False}, FULL, 404, "no receive connector", id="404-inactive"),
        pytest.param({"routing": Routing.NONE}, FULL, 502, "no routing", id="502-no-routing"),
        pytest.param(
            {"require_token": True}, FULL, 401, "requires a token", id="401-token-missing"
        ),
        pytest.param(
            {"require_token": True},
            _without(token="x" * 64),
            401,
            "token is wrong",
            id="401-token-wrong",
        ),
        pytest.param(
            {"require_token": True}, _without(token=DOC_TOKEN), 200, "OK", id="200-token-right"
        ),
        pytest.param(
            {"require_token": True, "routing": Routing.NONE},
            _without(token="wrong"),
            401,
            "token is wrong",
            id="401-before-502",
        ),
        pytest.param(
            {"require_token": False},
            _without(token="anything"),
            200,
            "OK",
            id="200-token-not-required",
        ),
    ],
)
def test_receiver_answers(
    client, make_receive_connector, method, connector_fields, params, status, says
):
    make_receive_connector(token=DOC_TOKEN, **connector_fields)

    answer = getattr(client, method)(URL, params)

    assert answer.status_code == status
    assert says in answer.content.decode()
    assert answer["Content-Type"].startswith("text/plain")
    assert InboundMessage.objects.count() == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    "text",
    [
        "Şişli'de İPTAL değil: ğüşıöç ĞÜŞİÖÇ",
        "مرحبا، أريد إلغاء الاشتراك",
        "👍🏽 tamam 🇹🇷",
        "line one\r\nline two\n\ttabbed",
        "100% + 50% & a=b; ?#",
    ],
    ids=["turkish", "arabic", "emoji", "newlines", "url-special-characters"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_text_keeps_every_character(client, make_receive_connector, method, text):
    make_receive_connector()

    answer = getattr(client, method)(URL, {**FULL, "message": text})

    assert answer.status_code == 200
    assert InboundMessage.objects.get().text == text


@pytest.mark.parametrize(
    ("served", "query", "sender"),
    [
        pytest.param(
            "49123123", "receiver=%2B49123123&sender=%2B49789789", "+49789789", id="encoded-plus"
        ),
        # An unencoded "+" decodes to a space; the number still resolves.
        pytest.param("49123123", "receiver=+49123123&sender=+49789789", "+49789789", id="raw-plus"),
        pytest.param(
            "+49123123", "receiver=0049123123&sender=0049789789", "+49789789", id="double-zero"
        ),
        pytest.param("7979", "receiver=7979&sender=05321234567", "05321234567", id="short-code"),
        pytest.param("+7979", "receiver=%2B7979&sender=ACME", "ACME", id="short-code-with-plus"),
        pytest.param(
            "+90 850 123 45 67", "receiver=908501234567&sender=1", "1", id="spaced-config"
        ),
    ],
)
def test_numbers_are_normalised_in_form_only(client, make_receive_connector, served, query, sender):
    make_receive_connector(receiver_numbers=[served])

    answer = client.get(f"{URL}?{query}&message=hi")

    assert answer.status_code == 200, answer.content
    assert InboundMessage.objects.get().sender == sender


def test_post_form_body_wins_over_query_string(client, make_receive_connector):
    make_receive_connector()

    answer = client.post(f"{URL}?sender=111111111&message=query", {**FULL, "message": "body"})

    assert answer.status_code == 200
    stored = InboundMessage.objects.get()
    assert (stored.sender, stored.text) == ("+905321234567", "body")


def test_post_in_a_declared_turkish_charset_is_decoded(client, make_receive_connector):
    make_receive_connector()
    body = urlencode({**FULL, "message": "Şükran İPTAL değil"}, encoding="iso-8859-9")

    answer = client.post(
        URL, body, content_type="application/x-www-form-urlencoded; charset=iso-8859-9"
    )

    assert answer.status_code == 200
    assert InboundMessage.objects.get().text == "Şükran İPTAL değil"


def test_keyword_is_stored(client, make_receive_connector):
    make_receive_connector()

    client.get(URL, {**FULL, "keyword": "KAMPANYA"})

    assert InboundMessage.objects.get().keyword == "KAMPANYA"


def test_body_over_64_kb_is_refused_and_nothing_stored(client, make_receive_connector):
    make_receive_connector()

    answer = client.post(URL, {**FULL, "keyword": "k", "padding": "x" * (64 * 1024)})

    assert answer.status_code == 400
    assert "larger than 64 KB" in answer.content.decode()
    assert not InboundMessage.objects.exists()


def test_a_provider_retry_is_stored_once(client, make_receive_connector):
    make_receive_connector()

    answers = [client.post(URL, FULL).status_code for _ in range(3)]

    assert answers == [200, 200, 200]
    assert InboundMessage.objects.count() == 1


def test_stop_word_opts_the_sender_out(client, make_receive_connector):
    make_receive_connector()

    client.get(URL, {**FULL, "message": "iptal"})

    assert OptOut.objects.get().number == "+905321234567"
    assert InboundMessage.objects.get().is_stop_word


def test_other_methods_are_not_allowed(client, make_receive_connector):
    make_receive_connector()

    assert client.put(URL, FULL).status_code == 405


def test_receiver_needs_no_csrf_token_and_no_login(make_receive_connector):
    from django.test import Client

    make_receive_connector()

    answer = Client(enforce_csrf_checks=True).post(URL, FULL)

    assert answer.status_code == 200


def test_a_fault_answers_500_logs_it_and_stores_nothing(
    client, make_receive_connector, monkeypatch, caplog
):
    make_receive_connector()

    def refuse(**fields):
        raise RuntimeError("database went away")

    monkeypatch.setattr(OptOut.objects, "get_or_create", refuse)

    answer = client.get(URL, {**FULL, "message": "STOP"})

    assert answer.status_code == 500
    assert "database went away" not in answer.content.decode()
    assert "database went away" in caplog.text
    assert not InboundMessage.objects.exists()


def test_logged_text_has_no_control_characters(client, make_receive_connector, caplog):
    make_receive_connector()

    client.get(URL, {**FULL, "message": "hi\n2026-01-01 INFO forged line\x1b[31m"})

    logged = [r.getMessage() for r in caplog.records if r.name.startswith("inbox.services")]
    assert logged
    assert all("\n" not in line and "\x1b" not in line for line in logged)
    assert any("forged line" in line for line in logged)


def test_post_in_an_unknown_charset_is_refused(client, make_receive_connector):
    make_receive_connector()

    answer = client.generic(
        "POST",
        URL,
        urlencode(FULL).encode(),
        content_type="application/x-www-form-urlencoded; charset=klingon",
    )

    assert answer.status_code == 400
    assert "unknown charset 'klingon'" in answer.content.decode()


def test_multipart_post_is_accepted(client, make_receive_connector):
    make_receive_connector()

    answer = client.post(URL, {**FULL, "message": "çok parçalı"})  # the test client sends multipart

    assert answer.status_code == 200
    assert InboundMessage.objects.get().text == "çok parçalı"


def test_the_receiver_reads_its_connector_once_until_one_changes(client, make_receive_connector):
    make_receive_connector()
    client.get(URL, FULL)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {**FULL, "message": "Again"}).status_code == 200

    assert not [q for q in queries if "inbox_receivernumber" in q["sql"]]


def test_a_new_token_refuses_the_old_one_at_the_next_request(client, make_receive_connector):
    connector = make_receive_connector(require_token=True, token=DOC_TOKEN)
    assert client.get(URL, {**FULL, "token": DOC_TOKEN}).status_code == 200

    receive_connector_regenerate_token(connector=connector)

    assert client.get(URL, {**FULL, "message": "Old", "token": DOC_TOKEN}).status_code == 401
    answer = client.get(URL, {**FULL, "message": "New", "token": connector.token})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("change", "status"),
    [
        pytest.param(lambda c: setattr(c, "is_active", False) or c.save(), 404, id="switched-off"),
        pytest.param(lambda c: c.numbers.get().delete(), 404, id="number-deleted"),
        pytest.param(lambda c: c.delete(), 404, id="connector-deleted"),
        pytest.param(
            lambda c: setattr(c, "routing", Routing.NONE) or c.save(), 502, id="no-routing"
        ),
    ],
)
def test_a_change_made_anywhere_applies_to_the_next_request(
    client, make_receive_connector, change, status
):
    connector = make_receive_connector()
    assert client.get(URL, FULL).status_code == 200

    change(connector)  # as the admin or a shell would: a model save or delete

    assert client.get(URL, {**FULL, "message": "After"}).status_code == status


def test_a_change_seen_by_another_process_applies_here(client, make_receive_connector):
    connector = make_receive_connector()
    assert client.get(URL, FULL).status_code == 200
    ReceiveConnector.objects.filter(pk=connector.pk).update(is_active=False)  # no signal here

    caches["shared"].set(RECEIVE_CONNECTORS.generation_key, "another process changed one")

    assert client.get(URL, {**FULL, "message": "After"}).status_code == 404
