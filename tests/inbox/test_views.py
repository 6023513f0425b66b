import pytest
from django.urls import reverse

from inbox.models import InboundMessage, ReceiveConnector
from inbox.services import inbound_message_receive
from messaging.models import OptOut
from messaging.services import optout_create


def _receive(sender: str, text: str, receiver: str = "49123123") -> InboundMessage:
    return inbound_message_receive(receiver=receiver, sender=sender, text=text)


@pytest.mark.parametrize(
    "url_name",
    [
        "inbox:list",
        "inbox:receive-connector-list",
        "inbox:receive-connector-create",
        "inbox:optout-list",
    ],
)
def test_pages_need_login(client, db, url_name):
    answer = client.get(reverse(url_name))

    assert answer.status_code == 302
    assert "/login/" in answer["Location"]


def test_inbox_groups_conversations_newest_first_with_unread_counts(
    console, make_receive_connector
):
    make_receive_connector()
    _receive("905321111111", "first from A")
    _receive("905322222222", "from B")
    _receive("905321111111", "second from A")

    answer = console.get(reverse("inbox:list"))

    rows = list(answer.context["page"].object_list)
    assert [(r["sender"], r["unread"], r["last_text"]) for r in rows] == [
        ("+905321111111", 2, "second from A"),
        ("+905322222222", 1, "from B"),
    ]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("0532 111", ["+905321111111"]),
        ("+90532222", ["+905322222222"]),
        ("kampanya", ["+905322222222"]),
        ("nothing like it", []),
    ],
    ids=["national-digits", "international-prefix", "text", "no-match"],
)
def test_inbox_search_by_number_or_text(console, make_receive_connector, search, expected):
    make_receive_connector()
    _receive("905321111111", "hello")
    _receive("905322222222", "Kampanya hakkında")
    _receive("905322222222", "thanks")

    answer = console.get(reverse("inbox:list"), {"q": search})

    assert [r["sender"] for r in answer.context["page"].object_list] == expected


def test_inbox_filters_by_receive_connector(console, make_receive_connector):
    make_receive_connector(name="A", receiver_numbers=["4455"])
    other = make_receive_connector(name="B", receiver_numbers=["5566"])
    _receive("905321111111", "to A", receiver="4455")
    _receive("905322222222", "to B", receiver="5566")

    answer = console.get(reverse("inbox:list"), {"connector": other.pk})

    assert [r["sender"] for r in answer.context["page"].object_list] == ["+905322222222"]


def test_opening_a_conversation_marks_it_read(console, make_receive_connector):
    make_receive_connector()
    _receive("905321111111", "Merhaba 👋\nİkinci satır")

    answer = console.get(reverse("inbox:conversation", args=["+905321111111"]))

    assert answer.status_code == 200
    assert "Merhaba 👋<br>İkinci satır" in answer.content.decode()
    assert not InboundMessage.objects.filter(is_read=False).exists()


def test_reply_creates_an_outbound_message(console, make_receive_connector):
    from messaging.models import Message

    make_receive_connector()
    _receive("905321111111", "Fiyat nedir?")

    answer = console.post(
        reverse("inbox:conversation", args=["+905321111111"]), {"text": "100 TL", "sender": ""}
    )

    assert answer.status_code == 302
    message = Message.objects.get()
    assert (message.to, message.text, message.kind) == ("+905321111111", "100 TL", "transactional")
    page = console.get(answer["Location"]).content.decode()
    assert page.index("Fiyat nedir?") < page.index("100 TL")


def test_reply_that_cannot_be_sent_says_why(console, make_receive_connector):
    make_receive_connector()
    _receive("4455", "short code wrote")

    answer = console.post(reverse("inbox:conversation", args=["4455"]), {"text": "hi"})

    assert answer.status_code == 400
    assert answer.context["form"].errors


def test_receive_connector_create_shows_url_and_token(console, db):
    answer = console.post(
        reverse("inbox:receive-connector-create"),
        {
            "name": "Turkcell",
            "receiver_numbers": "+90 850 123 45 67\n4455",
            "routing": "inbox",
            "require_token": "on",
            "is_active": "on",
        },
    )

    assert answer.status_code == 302
    connector = ReceiveConnector.objects.get()
    assert connector.receiver_numbers == ["+908501234567", "4455"]
    page = console.get(reverse("inbox:receive-connector-list")).content.decode()
    assert "http://testserver/SMSReceiver" in page
    assert connector.token in page


def test_receiver_url_uses_the_public_url_when_set(console, db, settings):
    settings.SMSCONSOLE_PUBLIC_URL = "https://sms.example.com/"

    page = console.get(reverse("inbox:receive-connector-list")).content.decode()

    assert "https://sms.example.com/SMSReceiver" in page


def test_receive_connector_form_shows_service_errors(console, make_receive_connector):
    make_receive_connector(name="Existing", receiver_numbers=["4455"])

    answer = console.post(
        reverse("inbox:receive-connector-create"),
        {"name": "Existing", "receiver_numbers": "4455, abc", "routing": "forward"},
    )

    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert "exists" in errors["name"][0]
    assert any(
        "already served by receive connector 'Existing'" in e for e in errors["receiver_numbers"]
    )
    assert any("'abc' is not a number" in e for e in errors["receiver_numbers"])
    assert "Enter the URL" in errors["forward_url"][0]


def test_receive_connector_edit_delete_and_regenerate(console, make_receive_connector):
    connector = make_receive_connector()
    old_token = connector.token

    console.post(
        reverse("inbox:receive-connector-edit", args=[connector.pk]),
        {"name": "Renamed", "receiver_numbers": "49123123\n7777", "routing": "inbox"},
    )
    console.post(reverse("inbox:receive-connector-regenerate-token", args=[connector.pk]))
    connector.refresh_from_db()

    assert (connector.name, connector.receiver_numbers) == ("Renamed", ["+49123123", "7777"])
    assert connector.token != old_token
    assert not connector.require_token

    console.post(reverse("inbox:receive-connector-delete", args=[connector.pk]))

    assert not ReceiveConnector.objects.exists()


def test_optout_list_add_and_remove(console, db):
    optout_create(number="+905321111111", keyword="İPTAL")

    console.post(reverse("inbox:optout-list"), {"number": "0090 532 222 22 22"})
    page = console.get(reverse("inbox:optout-list")).content.decode()

    assert "+905321111111" in page
    assert "+905322222222" in page
    console.post(
        reverse("inbox:optout-delete", args=[OptOut.objects.get(number="+905321111111").pk])
    )
    assert list(OptOut.objects.values_list("number", flat=True)) == ["+905322222222"]


@pytest.mark.parametrize(
    "sender", ["ACME/INFO", "Bank?x=1#y", "4455"], ids=["slash", "url-chars", "short"]
)
def test_any_sender_gets_a_working_conversation_link(console, make_receive_connector, sender):
    make_receive_connector()
    _receive(sender, "hello")

    inbox = console.get(reverse("inbox:list"))
    conversation = console.get(reverse("inbox:conversation", args=[sender]))

    assert inbox.status_code == 200
    assert conversation.status_code == 200
    assert conversation.context["number"] == sender
    assert [item.text for item in conversation.context["items"]] == ["hello"]
