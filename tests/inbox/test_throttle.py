"""Wrong receiver tokens are throttled per address: 429 after the limit in a minute, logged once."""

import logging

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from inbox.models import InboundMessage
from tests.inbox.conftest import DOC_TOKEN

URL = "/SMSReceiver"
LIMIT = 3
ATTACKER = "203.0.113.7"
PROVIDER = "198.51.100.20"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.SMSCONSOLE_RECEIVER_BAD_TOKEN_LIMIT = LIMIT


@pytest.fixture
def guarded(make_receive_connector):
    return make_receive_connector(require_token=True, token=DOC_TOKEN)


def _receive(client, token: str, address: str = ATTACKER):
    query = {"receiver": "49123123", "sender": "49789789", "message": "STOP", "token": token}
    return client.get(URL, query, REMOTE_ADDR=address)


def test_wrong_tokens_up_to_the_limit_answer_401_then_429_even_with_the_right_token(
    client, guarded
):
    answers = [_receive(client, f"guess-{n}").status_code for n in range(LIMIT)]
    refused = _receive(client, DOC_TOKEN)
    assert answers == [401] * LIMIT
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 61
    assert not InboundMessage.objects.exists()


def test_a_missing_token_counts_as_a_wrong_one(client, guarded):
    for _ in range(LIMIT):
        _receive(client, "")
    assert _receive(client, DOC_TOKEN).status_code == 429


def test_another_address_is_not_throttled(client, guarded):
    for n in range(LIMIT + 2):
        _receive(client, f"guess-{n}")
    assert _receive(client, DOC_TOKEN, address=PROVIDER).status_code == 200


def test_right_tokens_are_never_counted(client, guarded):
    answers = {_receive(client, DOC_TOKEN, address=PROVIDER).status_code for _ in range(LIMIT + 2)}
    assert answers == {200}


def test_a_flood_is_logged_once(client, guarded, caplog):
    with caplog.at_level(logging.WARNING, logger="inbox.receiver"):
        for n in range(LIMIT + 20):
            _receive(client, f"guess-{n}")
    floods = [r for r in caplog.records if "wrong tokens from" in r.getMessage()]
    assert len(floods) == 1
    assert ATTACKER in floods[0].getMessage()


def test_limit_zero_turns_the_throttle_off(client, guarded, settings):
    settings.SMSCONSOLE_RECEIVER_BAD_TOKEN_LIMIT = 0
    answers = {_receive(client, f"guess-{n}").status_code for n in range(LIMIT + 2)}
    assert answers == {401}


def test_counters_live_in_a_cache_every_web_process_shares():
    assert isinstance(caches["shared"], DatabaseCache | RedisCache)


@pytest.mark.django_db
def test_console_warns_in_red_on_a_receive_connector_without_a_token(
    console, make_receive_connector
):
    make_receive_connector(name="open", require_token=False)
    make_receive_connector(name="guarded", receiver_numbers=["49555"], require_token=True)
    html = console.get(reverse("inbox:receive-connector-list")).content.decode()
    assert html.count("token-off-warning") == 1
    assert "including STOP opt-outs" in html
