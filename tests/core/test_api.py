"""The API answers in its JSON error shape whatever goes wrong, and the console keeps its pages."""

from concurrent.futures import ThreadPoolExecutor
from unittest.mock import ANY

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import get_resolver
from rest_framework import serializers
from rest_framework.test import APIClient

from core.api import AnswerModelSerializer, FieldsBuiltOnce
from core.models import ApiKey

pytestmark = pytest.mark.django_db
MESSAGES = "/api/v1/messages/"


@pytest.fixture
def api_no_raise(issued_api_key):
    """An API client that gets the 500 answer instead of the exception."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued_api_key.key}")
    return client


def _assert_error_shape(response, status: int) -> dict:
    body = response.json()
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert body["status"] == status
    assert isinstance(body["error"], str)
    assert body["error"]
    return body


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/nothing/", "/rest/3.0/nope"])
def test_unknown_api_url_answers_404_as_json(api, path):
    _assert_error_shape(api.get(path), 404)


def test_unknown_console_url_keeps_the_html_page(console):
    response = console.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_body_over_the_upload_limit_answers_413_as_json(api, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"to": "+905321234567", "text": "%s"}' % ("x" * 5000)
    if content_type != "application/json":
        body = "to=%2B905321234567&text=" + "x" * 5000
    response = api.generic("POST", MESSAGES, body, content_type=content_type)
    assert "1000 bytes" in _assert_error_shape(response, 413)["error"]


def test_server_error_answers_500_as_json(api_no_raise, monkeypatch):
    monkeypatch.setattr("connectors.api.connector_list", lambda: 1 / 0)
    body = _assert_error_shape(api_no_raise.get("/api/v1/connectors/"), 500)
    assert "ZeroDivisionError" not in body["error"]


def test_method_not_allowed_answers_405_as_json(api):
    _assert_error_shape(api.put(MESSAGES), 405)


def test_bad_input_answers_400_as_json(api):
    _assert_error_shape(api.post(MESSAGES, {}, format="json"), 400)


def test_csrf_failure_of_a_session_answers_403_as_json(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    _assert_error_shape(client.post(MESSAGES, {}, format="json"), 403)


def test_permission_denied_outside_a_view_answers_403_as_json_on_api_paths():
    handler = get_resolver().resolve_error_handler(403)
    response = handler(RequestFactory().get("/api/v1/x/"), PermissionDenied())
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_an_answer_serializer_renders_like_a_model_serializer_and_each_instance_its_own():
    class Plain(serializers.ModelSerializer):
        class Meta:
            model = ApiKey
            fields = ["id", "name", "prefix", "scopes", "created_at", "revoked_at"]

    class Answer(AnswerModelSerializer):
        Meta = Plain.Meta

    keys = [ApiKey(id=n, name=f"key {n}", prefix=f"smsc_{n}", scopes=["admin"]) for n in (1, 2)]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda key: Answer(key).data, keys * 50))

    assert answers == [Plain(key).data for key in keys * 50]
    assert Answer(keys[0]).fields["name"] is not Answer(keys[1]).fields["name"]


def test_an_input_serializer_with_fields_built_once_validates_like_a_plain_one():
    class Plain(serializers.Serializer):
        to = serializers.CharField(max_length=5)
        kind = serializers.ChoiceField(choices=["a", "b"], default="a")
        count = serializers.IntegerField(required=False, allow_null=True, default=None)

    class Once(FieldsBuiltOnce, Plain):
        pass

    inputs = [
        {"to": "123"},
        {"to": "123456", "kind": "c"},
        {"count": "x"},
        {"to": "1", "kind": "b", "count": "7"},
    ]

    def outcome(serializer_class: type[serializers.Serializer], data: dict) -> tuple:
        serializer = serializer_class(data=data)
        valid = serializer.is_valid()
        return valid, dict(serializer.validated_data) if valid else serializer.errors

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda data: outcome(Once, data), inputs * 50))

    assert outcomes == [outcome(Plain, data) for data in inputs * 50]
    assert outcomes[1] == (False, {"to": [ANY], "kind": [ANY]})
