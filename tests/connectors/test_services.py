"""Connector services: validation, ordering, switching, health reset and the connection test."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from connectors.models import Connector, HealthState
from connectors.selectors import connector_list, connectors_for_dispatch, sender_titles_active
from connectors.services import (
    connector_check,
    connector_create,
    connector_move,
    connector_set_active,
    connector_update,
)
from core.models import AuditEntry
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


def _create(**overrides) -> Connector:
    fields = {
        "name": "Main",
        "provider": "josms",
        "username": "acme",
        "password": "pw-Secret-1",
        "sender_list": ["ACME"],
        "options": {"base_url": "http://127.0.0.1:9"},
    }
    return connector_create(**{**fields, **overrides})


def _order() -> list[str]:
    return [c.name for c in connector_list()]


def test_create_takes_the_provider_default_priority_and_options():
    connector = _create()
    assert connector.priority == 80
    assert connector.options == {"base_url": "http://127.0.0.1:9", "timeout_seconds": 10}


@pytest.mark.parametrize(
    ("sender_list", "expected"),
    [
        ("ACME\nACMEINFO", ["ACME", "ACMEINFO"]),
        ("ACME, ACMEINFO", ["ACME", "ACMEINFO"]),
        ([" ACME ", "ACME", ""], ["ACME"]),
        (["ELEVENCHARS"], ["ELEVENCHARS"]),
        (["Şirket İYS"], ["Şirket İYS"]),
    ],
    ids=["lines", "commas", "trimmed-deduplicated", "exactly-eleven", "turkish-letters"],
)
def test_sender_list_is_normalised(sender_list, expected):
    assert _create(sender_list=sender_list).sender_list == expected


@pytest.mark.parametrize(
    ("sender_list", "message"),
    [
        (
            ["TWELVECHARSX"],
            "Sender title 'TWELVECHARSX' is 12 characters long; at most 11 are allowed.",
        ),
        ([], "Add at least one approved sender title (1 to 11 characters)."),
        (["AC<ME>"], "Sender title 'AC<ME>' may only hold letters, digits, spaces and"),
        (42, "Give the sender titles as a list of strings."),
    ],
    ids=["twelve-characters", "empty", "markup", "not-a-list"],
)
def test_bad_sender_list_is_refused_with_a_clear_message(sender_list, message):
    with pytest.raises(ValidationError) as caught:
        _create(sender_list=sender_list)
    assert any(text.startswith(message) for text in caught.value.message_dict["sender_list"])
    assert not Connector.objects.exists()


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as caught:
        _create(name="", sender_list=["TOOLONGSENDER"], options={"base_url": "ftp://x"})
    assert {"name", "sender_list", "options.base_url"} <= set(caught.value.message_dict)


@pytest.mark.parametrize(
    "base_url",
    ["http://example.com", "http://10.0.0.5", "http://user:pw@127.0.0.1", "file:///etc/passwd"],
    ids=["http-public-host", "http-private-address", "credentials-in-url", "file-scheme"],
)
def test_base_url_must_be_https_or_http_to_an_allowed_host(base_url):
    with pytest.raises(ValidationError) as caught:
        _create(options={"base_url": base_url})
    assert "options.base_url" in caught.value.message_dict


def test_http_hosts_come_from_the_setting(settings):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = ["sms-gateway.internal"]
    assert _create(options={"base_url": "http://sms-gateway.internal"}).options["base_url"]
    with pytest.raises(ValidationError, match=r"sms-gateway\.internal"):
        _create(options={"base_url": "http://127.0.0.1"})


@pytest.mark.parametrize(
    "base_url",
    [
        "https://10.0.0.1",
        "https://169.254.169.254",
        "https://[::1]",
        "https://0.0.0.0",
        "https://localhost:8000",  # the console itself under `make run`
        "http://localhost:8000",
    ],
)
def test_base_url_to_a_non_public_place_is_refused_unless_allowlisted(settings, base_url):
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = ["127.0.0.1"]
    with pytest.raises(ValidationError) as caught:
        _create(options={"base_url": base_url})
    assert "SMSCONSOLE_PROVIDER_HTTP_HOSTS" in caught.value.message_dict["options.base_url"][0]

    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS = ["10.0.0.1", "169.254.169.254", "::1", "0.0.0.0"]
    settings.SMSCONSOLE_PROVIDER_HTTP_HOSTS += ["localhost"]
    assert _create(options={"base_url": base_url}).options["base_url"] == base_url


def test_update_with_a_blank_password_keeps_it_and_keeps_health():
    connector = ConnectorFactory(consecutive_failures=2)
    connector_update(connector=connector, name="Renamed", password="")
    connector.refresh_from_db()
    assert connector.password == "s3cret-Pa55word"
    assert connector.consecutive_failures == 2


def test_changing_credentials_clears_a_rejected_state_and_the_session():
    connector = ConnectorFactory(
        health_state=HealthState.CREDENTIALS_REJECTED, consecutive_failures=4, session_token="old"
    )
    connector_update(connector=connector, password="fixed-Secret")
    connector.refresh_from_db()
    assert connector.health_state == HealthState.OK
    assert connector.consecutive_failures == 0
    assert connector.session_token == ""


@pytest.mark.parametrize(
    ("provider", "old", "new"),
    [
        ("jetsms", {"base_url": "http://127.0.0.1:9"}, {"base_url": "https://127.0.0.1:9"}),
        ("jetsms", {"base_url": "http://127.0.0.1:9"}, {"base_url": "http://localhost:9"}),
        ("jetsms", {"base_url": "http://127.0.0.1:9"}, {"base_url": "http://127.0.0.1:10"}),
        ("jetsms", {"base_url": "https://sms.example.com"}, {"base_url": "https://example.net"}),
        ("smsc", {"host": "127.0.0.1", "port": 2775}, {"host": "localhost", "port": 2775}),
        ("smsc", {"host": "127.0.0.1", "port": 2775}, {"host": "127.0.0.1", "port": 2776}),
    ],
    ids=["scheme", "host", "port", "https-host", "smpp-host", "smpp-port"],
)
def test_a_new_address_without_the_password_is_refused_and_changes_nothing(provider, old, new):
    connector = ConnectorFactory(provider=provider, options=old)
    with pytest.raises(ValidationError) as caught:
        connector_update(connector=connector, options=new, password="")
    assert "Enter the password again" in caught.value.message_dict["password"][0]
    assert Connector.objects.get(pk=connector.pk).options == old


def test_a_new_provider_without_the_password_is_refused():
    connector = ConnectorFactory(provider="jetsms")
    with pytest.raises(ValidationError) as caught:
        connector_update(connector=connector, provider="josms")
    assert set(caught.value.message_dict) == {"password"}


def test_a_new_path_on_the_same_host_keeps_the_stored_password():
    connector = ConnectorFactory(options={"base_url": "http://127.0.0.1:9"})
    connector_update(connector=connector, options={"base_url": "http://127.0.0.1:9/v2"})
    connector.refresh_from_db()
    assert connector.options["base_url"] == "http://127.0.0.1:9/v2"
    assert connector.password == "s3cret-Pa55word"


def test_a_new_address_with_the_password_is_saved_and_audited():
    connector = ConnectorFactory(options={"base_url": "http://127.0.0.1:9"})
    connector_update(
        connector=connector, options={"base_url": "http://localhost:9"}, password="n3w-Secret"
    )
    connector.refresh_from_db()
    entry = AuditEntry.objects.get(action="update", target_id=str(connector.pk))
    assert connector.password == "n3w-Secret"
    assert entry.changes["password"] == "changed"
    assert entry.changes["options"][1]["base_url"] == "http://localhost:9"
    assert "n3w-Secret" not in str(entry.changes)


def test_update_of_an_unknown_field_is_refused():
    connector = ConnectorFactory()
    with pytest.raises(ValidationError, match="This field cannot be changed"):
        connector_update(connector=connector, health_state="ok")


def test_failed_update_leaves_the_row_unchanged():
    connector = ConnectorFactory(name="Before")
    with pytest.raises(ValidationError):
        connector_update(connector=connector, name="After", sender_list=["WAYTOOLONGTITLE"])
    assert Connector.objects.get(pk=connector.pk).name == "Before"


def test_move_up_and_down_swap_neighbours_and_keep_the_priority_numbers():
    for name, priority in (("A", 10), ("B", 20), ("C", 30)):
        ConnectorFactory(name=name, priority=priority)
    connector_move(connector=Connector.objects.get(name="C"), direction="up")
    assert _order() == ["A", "C", "B"]
    connector_move(connector=Connector.objects.get(name="A"), direction="down")
    assert _order() == ["C", "A", "B"]
    assert sorted(Connector.objects.values_list("priority", flat=True)) == [10, 20, 30]


def test_move_past_either_end_changes_nothing():
    ConnectorFactory(name="A", priority=10)
    ConnectorFactory(name="B", priority=20)
    connector_move(connector=Connector.objects.get(name="A"), direction="up")
    connector_move(connector=Connector.objects.get(name="B"), direction="down")
    assert _order() == ["A", "B"]


def test_move_with_equal_priorities_renumbers_so_the_order_sticks():
    first = ConnectorFactory(name="A", priority=50)
    ConnectorFactory(name="B", priority=50)
    connector_move(connector=first, direction="down")
    assert _order() == ["B", "A"]


def test_switched_off_connector_is_not_used_for_dispatch_nor_offers_its_senders():
    on = ConnectorFactory(sender_list=["ON"])
    off = ConnectorFactory(sender_list=["OFF"])
    connector_set_active(connector=off, is_active=False)
    assert connectors_for_dispatch() == [on]
    assert sender_titles_active() == ["ON"]


def test_connection_test_result_is_remembered():
    connector = ConnectorFactory(options={"base_url": "http://127.0.0.1:9", "timeout_seconds": 2})
    result = connector_check(connector=connector)
    connector.refresh_from_db()
    assert result.ok is False
    assert result.detail
    assert connector.last_check_ok is False
    assert connector.last_check_detail == result.detail[:1000]
    assert connector.last_checked_at <= timezone.now()
