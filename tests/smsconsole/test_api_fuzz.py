"""Schemathesis against the OpenAPI schema with an API key: whatever the input, no server error,
and every answer's status code is one the schema documents (bounded examples, runs in CI)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

EXAMPLES_PER_OPERATION = 10


schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def _test_transaction_kept_open():
    """Requests go straight to the WSGI handler, whose request signals would close the test's
    database connection (and its transaction) on PostgreSQL; Django's test client disconnects
    them the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_test_transaction_kept_open")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_any_input_without_server_error_and_as_documented(case, issued_api_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {issued_api_key.key}"},
        checks=[not_a_server_error, status_code_conformance],
    )
