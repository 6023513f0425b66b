"""Read-only access: a Marketer sees connectors without credentials, a Viewer gets no forms."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import RoleName
from core.services import api_key_create
from inbox.models import InboundMessage
from inbox.services import inbound_message_receive, receive_connector_create
from messaging.campaigns.services import campaign_create, template_create
from messaging.services import message_create
from tests.factories import ConnectorFactory, UserFactory

pytestmark = pytest.mark.django_db
CREDENTIAL_URL = "https://api-user:url-s3cret@sms.example.com/"


@pytest.fixture
def connector(db):
    return ConnectorFactory(
        name="İleti Merkezi",
        username="im-api-key-123",
        options={"base_url": CREDENTIAL_URL, "timeout_seconds": 5},
        sender_list=["ACME"],
    )


def _client(role) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


def _key_client(*scopes: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key_create(name="k", scopes=scopes).key)
    return client


def test_a_marketer_sees_connectors_without_credentials_or_changing_controls(connector):
    html = _client(RoleName.MARKETER).get(reverse("connectors:list")).content.decode()
    row = html.split('id="connector-rows"', 1)[1]
    assert "İleti Merkezi" in row
    assert "im-api-key-123" not in html
    assert "url-s3cret" not in html
    assert "hx-post" not in row
    assert reverse("connectors:edit", args=[connector.pk]) not in html
    assert reverse("connectors:delete", args=[connector.pk]) not in html
    assert reverse("connectors:add") not in html


@pytest.mark.parametrize("name", ["connectors:edit", "connectors:delete"])
def test_a_marketer_cannot_open_a_connectors_credentials(connector, name):
    response = _client(RoleName.MARKETER).get(reverse(name, args=[connector.pk]))
    assert response.status_code == 403
    assert "im-api-key-123" not in response.content.decode()


@pytest.mark.parametrize(
    ("client_for", "shown"),
    [
        (lambda: _client(RoleName.MARKETER), False),
        (lambda: _key_client("connectors:read"), False),
        (lambda: _key_client("connectors:write"), True),
        (lambda: _client(RoleName.ADMIN), True),
    ],
    ids=["marketer", "read-key", "write-key", "admin"],
)
def test_connector_api_shows_user_name_and_options_only_to_who_may_change_them(
    connector, client_for, shown
):
    client = client_for()
    listed = client.get("/api/v1/connectors/").json()[0]
    detail = client.get(f"/api/v1/connectors/{connector.pk}/").json()
    for body in (listed, detail):
        assert body["name"] == "İleti Merkezi"
        assert ("username" in body) is shown
        assert ("options" in body) is shown
        assert "password" not in body
        assert ("url-s3cret" in str(body)) is shown


def test_receive_connector_api_shows_the_token_only_to_who_may_change_it(db):
    receive_connector_create(name="jtel", receiver_numbers=["49123123"], require_token=True)
    read = _key_client("connectors:read").get("/api/v1/receive-connectors/").json()[0]
    write = _key_client("connectors:write").get("/api/v1/receive-connectors/").json()[0]
    assert read["name"] == "jtel"
    assert "token" not in read
    assert len(write["token"]) > 20


@pytest.fixture
def data(connector):
    """Something on every page: a template, a campaign, a message, a conversation, an opt-out."""
    template_create(key="promo", name="Promo", text="Hi {{name}}")
    campaign = campaign_create(name="Spring", text="Sale", pasted="+905321234567")
    message = message_create(to="+905321234568", text="Hello", sender="ACME")
    receive_connector_create(name="jtel", receiver_numbers=["49123123"], require_token=False)
    inbound_message_receive(receiver="49123123", sender="905321234569", text="Merhaba")
    return {"campaign": campaign, "message": message}


def _changing_controls(html: str) -> list[str]:
    """Forms that POST (other than signing out and choosing one's language) and htmx posts."""
    forms = re.findall(r'<form[^>]*method="post"[^>]*>', html)
    personal = (reverse("logout"), reverse("accounts:language"))
    return [form for form in forms if not any(url in form for url in personal)] + re.findall(
        r"hx-post=\"[^\"]+\"", html
    )


def test_a_viewer_gets_no_form_or_button_that_changes_anything(data):
    viewer = _client(RoleName.VIEWER)
    pages = [
        reverse("dashboard"),
        reverse("messaging:list"),
        reverse("messaging:detail", args=[data["message"].pk]),
        reverse("campaigns:campaign-list"),
        reverse("campaigns:campaign-detail", args=[data["campaign"].pk]),
        reverse("campaigns:template-list"),
        reverse("inbox:list"),
        reverse("inbox:conversation", args=["+905321234569"]),
    ]
    for path in pages:
        response = viewer.get(path)
        assert response.status_code == 200, path
        assert _changing_controls(response.content.decode()) == [], path


def test_the_same_pages_give_a_marketer_and_an_agent_their_controls(data):
    campaign = reverse("campaigns:campaign-detail", args=[data["campaign"].pk])
    conversation = reverse("inbox:conversation", args=["+905321234569"])
    assert _changing_controls(_client(RoleName.MARKETER).get(campaign).content.decode())
    assert _changing_controls(_client(RoleName.AGENT).get(conversation).content.decode())


def test_a_viewer_reading_a_conversation_leaves_it_unread_for_the_agents(data):
    conversation = reverse("inbox:conversation", args=["+905321234569"])
    _client(RoleName.VIEWER).get(conversation)
    assert InboundMessage.objects.get(text="Merhaba").is_read is False

    _client(RoleName.AGENT).get(conversation)
    assert InboundMessage.objects.get(text="Merhaba").is_read is True
