"""The API's JSON parser: too deep a nesting is a 400 JSON error, never a RecursionError."""

import pytest

pytestmark = pytest.mark.django_db
ENDPOINTS = ["/api/v1/messages/", "/rest/3.0/sendNotification", "/api/v1/campaigns/"]


def _nested(levels: int) -> str:
    return '{"to": "+905321234567", "text": ' + "[" * levels + "]" * levels + "}"


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("levels", [100_000, 900])
def test_deeply_nested_json_answers_400_as_json(api, path, levels):
    response = api.generic("POST", path, _nested(levels), content_type="application/json")
    body = response.json()
    assert response.status_code == 400
    assert body["status"] == 400
    assert "nested" in body["error"]


def test_json_nested_a_few_levels_is_parsed(api):
    response = api.generic(
        "POST", "/api/v1/messages/", _nested(20), content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" not in response.json()["error"]
    assert "text" in response.json()["fields"]
