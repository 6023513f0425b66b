"""The connectors console: list, add, edit, reorder, toggle, test and delete."""

import pytest
from django.urls import reverse

from connectors.models import Connector
from connectors.providers import all_providers, get_provider
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db
SECRET = "s3cret-Pa55word"  # ConnectorFactory's password
HTMX = {"HTTP_HX_REQUEST": "true"}


def _form_data(provider: str = "jetsms", **overrides) -> dict:
    """A valid add/edit form: the provider's default options, plus common fields."""
    options = get_provider(provider).option_fields().items()
    data = {
        **{f"opt_{name}": field.initial for name, field in options if field.initial is not None},
        "name": "Jet SMS main",
        "priority": "60",
        "is_active": "on",
        "username": "acme",
        "password": "n3w-Secret",
        "sender_list": "ACME\nACMEINFO",
        "opt_base_url": "http://127.0.0.1:9",
        "opt_timeout_seconds": "5",
    }
    return {**data, **overrides}


def _names_in_order() -> list[str]:
    return list(Connector.objects.order_by("priority", "id").values_list("name", flat=True))


def test_list_shows_connectors_in_priority_order_with_their_details(console):
    ConnectorFactory(name="Second", priority=20, sender_list=["ACME2"])
    ConnectorFactory(name="First", priority=10, sender_list=["ACME1", "ACMEINFO"])
    response = console.get(reverse("connectors:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("First") < html.index("Second")
    assert "ACMEINFO" in html
    assert "Jet SMS" in html


def test_list_without_connectors_invites_adding_one(console):
    response = console.get(reverse("connectors:list"))
    assert b"Add your first connector" in response.content


@pytest.mark.parametrize(
    ("state", "is_active", "badge"),
    [
        ("ok", True, "Healthy"),
        ("ok", False, "Inactive"),
        ("tripped", True, "Paused until"),
        ("credentials_rejected", True, "Credentials rejected"),
    ],
    ids=["healthy", "inactive", "tripped", "credentials-rejected"],
)
def test_list_shows_the_health_badge(console, state, is_active, badge):
    from datetime import timedelta

    from django.utils import timezone

    ConnectorFactory(
        health_state=state, is_active=is_active, tripped_until=timezone.now() + timedelta(minutes=5)
    )
    assert badge in console.get(reverse("connectors:list")).content.decode()


def test_provider_pick_page_lists_every_provider(console):
    html = console.get(reverse("connectors:add")).content.decode()
    for slug, provider in all_providers().items():
        assert reverse("connectors:create", args=[slug]) in html
        assert provider.name in html


@pytest.mark.parametrize(
    ("slug", "username_label", "password_label"),
    [("iletimerkezi", "API key", "API hash"), ("josms", "Account name", "Account password")],
    ids=["iletimerkezi", "josms"],
)
def test_add_form_uses_the_provider_labels(console, slug, username_label, password_label):
    html = console.get(reverse("connectors:create", args=[slug])).content.decode()
    assert f'for="id_username">{username_label}' in html
    assert f'for="id_password">{password_label}' in html


@pytest.mark.parametrize("slug", sorted(all_providers()))
def test_add_form_renders_for_every_provider(console, slug):
    response = console.get(reverse("connectors:create", args=[slug]))
    assert response.status_code == 200
    assert all_providers()[slug].default_base_url in response.content.decode()


def test_add_form_for_an_unknown_provider_is_not_found(console):
    assert console.get(reverse("connectors:create", args=["nosuch"])).status_code == 404


def test_adding_a_connector_stores_it_and_returns_to_the_list(console):
    response = console.post(
        reverse("connectors:create", args=["jetsms"]), _form_data(), follow=True
    )
    connector = Connector.objects.get()
    assert response.redirect_chain[-1][0] == reverse("connectors:list")
    assert "Jet SMS main" in response.content.decode()
    assert (connector.provider, connector.priority, connector.is_active) == ("jetsms", 60, True)
    assert connector.password == "n3w-Secret"
    assert connector.sender_list == ["ACME", "ACMEINFO"]
    assert connector.options["base_url"] == "http://127.0.0.1:9"


def test_adding_a_connector_needs_the_password(console):
    response = console.post(reverse("connectors:create", args=["jetsms"]), _form_data(password=""))
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert not Connector.objects.exists()


def test_sender_title_over_eleven_characters_is_refused_with_a_clear_message(console):
    response = console.post(
        reverse("connectors:create", args=["jetsms"]),
        _form_data(sender_list="ACME\nACMEPROMOTIONS"),
    )
    assert response.status_code == 400
    assert (
        "Sender title &#x27;ACMEPROMOTIONS&#x27; is 14 characters long; at most 11 are allowed."
        in (response.content.decode())
    )
    assert not Connector.objects.exists()


def test_plain_http_base_url_to_another_host_is_refused_with_a_clear_message(console):
    response = console.post(
        reverse("connectors:create", args=["jetsms"]), _form_data(opt_base_url="http://example.com")
    )
    assert response.status_code == 400
    assert (
        "Use an https:// URL. Plain http is only allowed to the hosts in"
        in response.content.decode()
    )
    assert not Connector.objects.exists()


def test_edit_form_never_holds_the_stored_password(console):
    connector = ConnectorFactory()
    html = console.get(reverse("connectors:edit", args=[connector.pk])).content.decode()
    assert connector.username in html
    assert SECRET not in html
    assert "Leave blank to keep" in html


def test_editing_with_a_blank_password_keeps_the_stored_one(console):
    connector = ConnectorFactory()
    response = console.post(
        reverse("connectors:edit", args=[connector.pk]), _form_data(name="Renamed", password="")
    )
    connector.refresh_from_db()
    assert response.status_code == 302
    assert connector.name == "Renamed"
    assert connector.password == SECRET


def test_editing_with_a_new_password_replaces_it(console):
    connector = ConnectorFactory()
    console.post(
        reverse("connectors:edit", args=[connector.pk]), _form_data(password="an0ther-Secret")
    )
    connector.refresh_from_db()
    assert connector.password == "an0ther-Secret"


def test_editing_the_base_url_host_needs_the_password_again(console):
    connector = ConnectorFactory()
    response = console.post(
        reverse("connectors:edit", args=[connector.pk]),
        _form_data(opt_base_url="http://localhost:9", password=""),
    )
    connector.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the password again" in html
    assert connector.options["base_url"] == "http://127.0.0.1:9"
    assert SECRET not in html


def test_edit_with_an_error_changes_nothing_and_shows_no_password(console):
    connector = ConnectorFactory(name="Before")
    response = console.post(
        reverse("connectors:edit", args=[connector.pk]),
        _form_data(name="After", sender_list="TOOLONGSENDERTITLE", password="typed-Secret"),
    )
    connector.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 400
    assert connector.name == "Before"
    assert "is 18 characters long" in html
    assert SECRET not in html
    assert "typed-Secret" not in html


def test_delete_asks_first_then_deletes(console):
    connector = ConnectorFactory(name="Doomed")
    confirm = console.get(reverse("connectors:delete", args=[connector.pk]))
    assert b"Delete connector" in confirm.content
    assert Connector.objects.filter(pk=connector.pk).exists()
    response = console.post(reverse("connectors:delete", args=[connector.pk]), follow=True)
    assert not Connector.objects.filter(pk=connector.pk).exists()
    assert "Connector “Doomed” deleted." in response.content.decode()


def test_toggle_switches_a_connector_off_and_answers_htmx_with_the_rows(console):
    connector = ConnectorFactory(is_active=True)
    response = console.post(reverse("connectors:toggle", args=[connector.pk]), **HTMX)
    connector.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert connector.is_active is False
    assert f'id="connector-{connector.pk}"' in html
    assert "Inactive" in html
    assert "<html" not in html


def test_toggle_switches_an_inactive_connector_on(console):
    connector = ConnectorFactory(is_active=False)
    response = console.post(reverse("connectors:toggle", args=[connector.pk]))
    connector.refresh_from_db()
    assert response.status_code == 302
    assert connector.is_active is True


def test_move_up_swaps_with_the_connector_above(console):
    first = ConnectorFactory(name="A", priority=10)
    second = ConnectorFactory(name="B", priority=20)
    response = console.post(reverse("connectors:move", args=[second.pk, "up"]), **HTMX)
    html = response.content.decode()
    assert _names_in_order() == ["B", "A"]
    assert html.index(f'id="connector-{second.pk}"') < html.index(f'id="connector-{first.pk}"')


def test_move_down_swaps_with_the_connector_below(console):
    first = ConnectorFactory(name="A", priority=10)
    ConnectorFactory(name="B", priority=20)
    response = console.post(reverse("connectors:move", args=[first.pk, "down"]))
    assert response.status_code == 302
    assert _names_in_order() == ["B", "A"]


def test_rows_disable_moving_past_the_ends(console):
    first = ConnectorFactory(priority=10)
    last = ConnectorFactory(priority=20)
    html = console.post(reverse("connectors:toggle", args=[last.pk]), **HTMX).content.decode()
    assert _button_disabled(html, reverse("connectors:move", args=[first.pk, "up"]))
    assert not _button_disabled(html, reverse("connectors:move", args=[first.pk, "down"]))
    assert _button_disabled(html, reverse("connectors:move", args=[last.pk, "down"]))


def _button_disabled(html: str, url: str) -> bool:
    start = html.index(f'hx-post="{url}"')
    return "disabled" in html[start : html.index(">", start)]


def test_move_in_an_unknown_direction_is_not_found(console):
    connector = ConnectorFactory()
    assert (
        console.post(reverse("connectors:move", args=[connector.pk, "sideways"])).status_code == 404
    )


def test_test_connection_records_and_shows_the_result(console):
    connector = ConnectorFactory(options={"base_url": "http://127.0.0.1:9", "timeout_seconds": 2})
    response = console.post(reverse("connectors:test", args=[connector.pk]), **HTMX)
    connector.refresh_from_db()
    assert response.status_code == 200
    assert connector.last_checked_at is not None
    assert connector.last_check_ok is False
    assert connector.last_check_detail[:40] in response.content.decode()
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize(
    "page",
    ["connectors:list", "connectors:edit", "connectors:delete"],
)
def test_no_connector_page_contains_the_password_or_its_ciphertext(console, page):
    from django.db import connection

    connector = ConnectorFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM connectors_connector WHERE id = %s", [connector.pk])
        ciphertext = cursor.fetchone()[0]
    args = [] if page == "connectors:list" else [connector.pk]
    body = console.get(reverse(page, args=args)).content
    assert SECRET.encode() not in body
    assert ciphertext.encode() not in body


def test_deleting_the_only_active_connector_warns_first(console):
    only = ConnectorFactory(is_active=True)
    ConnectorFactory(is_active=False)
    html = console.get(reverse("connectors:delete", args=[only.pk])).content.decode()
    assert "This is the only active connector" in html


def test_deleting_one_of_several_active_connectors_does_not_warn(console):
    first = ConnectorFactory(is_active=True)
    ConnectorFactory(is_active=True)
    html = console.get(reverse("connectors:delete", args=[first.pk])).content.decode()
    assert "This is the only active connector" not in html
