import pytest
from rest_framework.test import APIClient

from inbox.models import ReceiveConnector
from inbox.services import inbound_message_receive

INBOX = "/api/v1/inbox/"
CONNECTORS = "/api/v1/receive-connectors/"


@pytest.mark.parametrize("url", [INBOX, CONNECTORS])
def test_api_needs_a_key(db, url):
    assert APIClient().get(url).status_code in (401, 403)


def test_inbox_lists_messages_with_the_contract_fields(api, make_receive_connector):
    connector = make_receive_connector()
    inbound_message_receive(receiver="49123123", sender="905321111111", text="Merhaba", keyword="K")

    answer = api.get(INBOX)

    assert answer.status_code == 200
    item = answer.json()["results"][0]
    assert {k: item[k] for k in ("receiver", "sender", "text", "keyword", "connector")} == {
        "receiver": "+49123123",
        "sender": "+905321111111",
        "text": "Merhaba",
        "keyword": "K",
        "connector": connector.pk,
    }
    assert {"id", "received_at"} <= item.keys()


@pytest.mark.parametrize(
    ("params", "expected_senders"),
    [
        ({"number": "905322222222"}, ["+905322222222"]),
        ({"number": "+905321111111"}, ["+905321111111"]),
        ({"connector": "second"}, ["+905322222222"]),
        ({"since": "2999-01-01T00:00:00Z"}, []),
        ({"since": "2000-01-01T00:00:00Z"}, ["+905322222222", "+905321111111"]),
    ],
    ids=["number-without-plus", "number-e164", "connector", "since-future", "since-past"],
)
def test_inbox_filters(api, make_receive_connector, params, expected_senders):
    make_receive_connector(name="first", receiver_numbers=["4455"])
    second = make_receive_connector(name="second", receiver_numbers=["5566"])
    inbound_message_receive(receiver="4455", sender="905321111111", text="a")
    inbound_message_receive(receiver="5566", sender="905322222222", text="b")
    if params.get("connector") == "second":
        params = {"connector": second.pk}

    answer = api.get(INBOX, params)

    assert [item["sender"] for item in answer.json()["results"]] == expected_senders


def test_inbox_refuses_a_bad_since(api, db):
    answer = api.get(INBOX, {"since": "yesterday"})

    assert answer.status_code == 400
    assert "since" in answer.json()["fields"]


def test_receive_connector_crud(api, db):
    created = api.post(
        CONNECTORS,
        {"name": "Replies", "receiver_numbers": ["908501234567", "4455"], "require_token": True},
        format="json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["receiver_numbers"] == ["+908501234567", "4455"]
    assert body["routing"] == "inbox"
    assert len(body["token"]) == 64
    url = f"{CONNECTORS}{body['id']}/"

    patched = api.patch(url, {"routing": "none", "is_active": False}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["routing"], patched.json()["is_active"]) == ("none", False)
    assert patched.json()["receiver_numbers"] == ["+908501234567", "4455"]

    assert api.get(CONNECTORS).json()[0]["name"] == "Replies"
    assert api.delete(url).status_code == 204
    assert not ReceiveConnector.objects.exists()


def test_receive_connector_token_is_read_only_and_can_be_regenerated(api, make_receive_connector):
    connector = make_receive_connector()
    old = connector.token

    api.patch(f"{CONNECTORS}{connector.pk}/", {"token": "mine"}, format="json")
    connector.refresh_from_db()
    assert connector.token == old

    answer = api.post(f"{CONNECTORS}{connector.pk}/regenerate-token/")

    assert answer.status_code == 200
    connector.refresh_from_db()
    assert answer.json()["token"] == connector.token != old


@pytest.mark.parametrize(
    ("payload", "field", "says"),
    [
        ({"name": "X", "receiver_numbers": ["49123123"]}, "receiver_numbers", "already served"),
        ({"name": "X", "receiver_numbers": ["abc"]}, "receiver_numbers", "not a number"),
        ({"name": "jtel", "receiver_numbers": ["1"]}, "name", "exists"),
        (
            {"name": "X", "receiver_numbers": ["4455"], "routing": "forward"},
            "forward_url",
            "Enter the URL",
        ),
        ({"name": "X", "receiver_numbers": ["4455"], "routing": "sms"}, "routing", "valid choice"),
    ],
    ids=["number-taken", "not-a-number", "name-taken", "forward-without-url", "unknown-routing"],
)
def test_receive_connector_create_errors(api, make_receive_connector, payload, field, says):
    make_receive_connector()

    answer = api.post(CONNECTORS, payload, format="json")

    assert answer.status_code == 400
    assert says in str(answer.json()["fields"][field])
    assert ReceiveConnector.objects.count() == 1


def test_optouts_can_be_listed_added_and_removed(api, db):
    created = api.post("/api/v1/opt-outs/", {"number": "0532 111 11 11"}, format="json")

    assert created.status_code == 201
    assert created.json()["number"] == "+905321111111"
    api.post("/api/v1/opt-outs/", {"number": "+905322222222"}, format="json")
    listed = api.get("/api/v1/opt-outs/", {"number": "90532222"}).json()["results"]
    assert [item["number"] for item in listed] == ["+905322222222"]
    assert api.delete(f"/api/v1/opt-outs/{listed[0]['id']}/").status_code == 204
    assert api.post("/api/v1/opt-outs/", {"number": "no"}, format="json").status_code == 400


def test_optout_search_with_a_nul_character_is_a_400(api, db):
    answer = api.get("/api/v1/opt-outs/", {"number": "905\x0032"})

    assert answer.status_code == 400
    assert "number" in answer.json()["fields"]
