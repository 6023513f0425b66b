"""Generic HTTP connector (slug http, and FigenSoft on top of it) against the generic simulator."""

import pytest
from django.core.exceptions import ValidationError

from connectors.providers import get_provider
from connectors.providers.types import Category, OutboundSms
from connectors.simulators.http import FORM_RULES
from connectors.simulators.models import FailureMode, ReceivedSms
from tests.connectors.providers.harness import (
    connector_change,
    harness_setup,
    recorded,
    send_accepted,
    send_failed,
)

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = harness_setup("http", options=FORM_RULES, unapproved_titles=("OTHER",))
provider = get_provider("http")
JSON = '{"to": "{{to}}", "text": "{{text}}", "from": "{{sender}}", "ref": "{{id}}"}'
XML = "<sms><to>{{to}}</to><text>{{text}}</text><from>{{sender}}</from><ref>{{id}}</ref></sms>"
AWKWARD = 'Şişli\'de "özel" <fırsat> & 100% {indirim}\\ yeni+satır'


@pytest.fixture
def make_connector(account, live_server):
    """A generic connector to the simulator with the form rules, changed by the given options."""
    return lambda **options: SETUP.connector(live_server.url, options=options)


def sms(text="Kodunuz 1234", sender=""):
    return OutboundSms(id=42, to="+905321234567", text=text, sender=sender)


ACCEPTED = [
    pytest.param({}, "905321234567", id="form POST, credentials as fields, id by regex"),
    pytest.param({"method": "GET"}, "905321234567", id="GET with the form as query"),
    pytest.param(
        {
            "content_type": "json",
            "body_template": JSON,
            "auth": "basic",
            "success_pattern": '"OK"',
            "id_pattern": "",
            "id_json_path": "message_id",
        },
        "+905321234567",
        id="JSON, Basic auth, id by JSON path",
    ),
    pytest.param(
        {
            "content_type": "xml",
            "body_template": XML,
            "auth": "header",
            "auth_header_name": "Authorization",
            "auth_header_prefix": "Bearer",
            "success_pattern": "<status>OK</status>",
            "id_pattern": "<id>(\\d+)</id>",
        },
        "+905321234567",
        id="XML, password in a Bearer header",
    ),
]


@pytest.mark.parametrize(("options", "number"), ACCEPTED)
def test_send_accepted_with_values_escaped_for_the_content_type(make_connector, options, number):
    result = send_accepted(make_connector(**options), sms(AWKWARD))

    received = ReceivedSms.objects.get()
    assert (received.number, received.text, received.sender, received.client_id) == (
        number,
        AWKWARD,
        "ACME",
        "42",
    )
    assert result.provider_message_id == str(received.order_id)
    assert SETUP.password not in recorded(result.exchanges)


FAILED = [
    pytest.param({}, {"password": "wrong"}, None, Category.CREDENTIALS, "401", id="HTTP 401"),
    pytest.param({}, {}, FailureMode.NO_BALANCE, Category.BALANCE, "402", id="HTTP 402"),
    pytest.param(
        {"success_pattern": "^ACCEPTED"},
        {},
        None,
        Category.UNKNOWN,
        "200",
        id="2xx but pattern not matched",
    ),
    pytest.param(
        {"id_pattern": r"MSGID=(\d+)"}, {}, None, Category.UNKNOWN, "200", id="2xx but no id found"
    ),
]


@pytest.mark.parametrize(("options", "changes", "mode", "category", "code"), FAILED)
def test_send_failed(make_connector, options, changes, mode, category, code):
    target = make_connector(**options)
    connector_change(target, changes)
    if mode:
        SETUP.set_mode(mode)

    failed = send_failed(target, sms())

    assert (failed.category, failed.code) == (category, code)


def test_unapproved_sender_answer_is_not_accepted(make_connector):
    failed = send_failed(make_connector(), sms(sender="OTHER"))

    assert failed.http_status == 400
    assert not ReceivedSms.objects.exists()


BAD_OPTIONS = [
    pytest.param(
        {"body_template": "to={{phone}}"}, "options.body_template", id="unknown placeholder"
    ),
    pytest.param(
        {"content_type": "json", "body_template": '{"to": {{to}}}'},
        "options.body_template",
        id="JSON placeholder outside a string",
    ),
    pytest.param(
        {"content_type": "xml", "body_template": "<a>{{text}}</b>"},
        "options.body_template",
        id="XML not well formed",
    ),
    pytest.param({"id_pattern": r"\d+"}, "options.id_pattern", id="id pattern without a group"),
    pytest.param({"success_pattern": "(["}, "options.success_pattern", id="invalid regex"),
    pytest.param(
        {"auth": "header", "auth_header_prefix": "Bearer abc123"},
        "options.auth_header_prefix",
        id="secret typed into the header prefix",
    ),
    pytest.param(
        {"base_url": "http://example.com/send"},
        "options.base_url",
        id="plain http to a remote host",
    ),
    pytest.param(
        {"body_template": "to={{recipients}}&text={{text}}"},
        "options.list_template",
        id="{{recipients}} without a list template",
    ),
    pytest.param(
        {"list_template": "{{phone}}", "body_template": "to={{recipients}}"},
        "options.list_template",
        id="unknown placeholder in the list template",
    ),
    pytest.param(
        {"list_template": "{{id}}", "body_template": "to={{recipients}}"},
        "options.list_template",
        id="list template without the number",
    ),
    pytest.param(
        {"list_template": "{{to}}", "body_template": "to={{to}}&text={{text}}"},
        "options.body_template",
        id="list template but no {{recipients}} in the body",
    ),
    pytest.param(
        {"list_template": "{{to}}", "body_template": "to={{recipients}}&ref={{id}}"},
        "options.body_template",
        id="a per-recipient placeholder left in the body",
    ),
    pytest.param(
        {
            "content_type": "json",
            "list_template": "{{to}}",
            "body_template": '{"to": [{{recipients}}], "text": "{{text}}"}',
        },
        "options.body_template",
        id="JSON list items not written as strings",
    ),
    pytest.param(
        {"list_template": "{{to}}", "body_template": "to={{recipients}}", "list_size": 5000},
        "options.list_size",
        id="more recipients per request than the connector takes",
    ),
]


GOOD_LISTS = [
    pytest.param("form", "{{to_no_plus}}", "to={{recipients}}&text={{text}}", id="form"),
    pytest.param(
        "json", '"{{to}}"', '{"to": [{{recipients}}], "text": "{{text}}"}', id="JSON array"
    ),
    pytest.param(
        "json",
        '{"to": "{{to}}", "ref": "{{id}}"}',
        '{"messages": [{{recipients}}], "text": "{{text}}"}',
        id="JSON objects",
    ),
    pytest.param(
        "xml", "<to>{{to}}</to>", "<sms>{{recipients}}<text>{{text}}</text></sms>", id="XML"
    ),
]


@pytest.mark.parametrize(("content_type", "item", "body"), GOOD_LISTS)
def test_clean_options_takes_a_list_template_that_yields_a_valid_body(content_type, item, body):
    options = {
        "base_url": "https://sms.example.com/send",
        "content_type": content_type,
        "list_template": item,
        "body_template": body,
    }

    cleaned = provider.clean_options(options)

    assert (cleaned["list_template"], cleaned["body_template"]) == (item, body)


@pytest.mark.parametrize(("options", "field"), BAD_OPTIONS)
def test_clean_options_rejects(options, field):
    base = {
        "base_url": "https://sms.example.com/send",
        "body_template": FORM_RULES["body_template"],
    }

    with pytest.raises(ValidationError) as raised:
        provider.clean_options({**base, **options})

    assert field in raised.value.message_dict


def test_figensoft_is_the_generic_connector_with_its_own_name_and_priority():
    figensoft = get_provider("figensoft")

    assert (figensoft.name, figensoft.default_priority) == ("FigenSoft", 30)
    assert figensoft.option_fields().keys() == provider.option_fields().keys()
