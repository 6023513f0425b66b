"""Transport failures end in the same category for every HTTP provider, whatever its protocol."""

import time

import pytest

from connectors.providers.types import Category
from connectors.services import connector_check
from connectors.simulators.models import FailureMode
from tests.connectors.providers.harness import SETUPS, send_refused

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("simulator_setup", SETUPS.values(), ids=SETUPS.keys()),
]

GARBAGE = "<html><body>Service Unavailable</body></html>"
INTERNAL_PAGE = "<html><body>Admin console of an internal service</body></html>"
SLOW_SECONDS, TIMEOUT_SECONDS = 1, 0.3


def test_http_500_is_a_transient_provider_error(simulator_setup, connector):
    simulator_setup.set_mode(FailureMode.HTTP_500)

    error = send_refused(simulator_setup, connector, simulator_setup.message())

    assert (error.category, error.code, error.http_status, error.transient) == (
        Category.PROVIDER_ERROR,
        "500",
        500,
        True,
    )


def test_slow_answer_is_a_timeout(simulator_setup, connector):
    connector.options = {**connector.options, "timeout_seconds": TIMEOUT_SECONDS}
    simulator_setup.set_mode(FailureMode.SLOW, slow_seconds=SLOW_SECONDS)
    started = time.monotonic()

    error = send_refused(simulator_setup, connector, simulator_setup.message())

    assert (error.category, error.http_status, error.transient) == (Category.TIMEOUT, None, True)
    assert error.exchanges[-1].error
    # The simulator still answers (and writes) after its pause: let it, before the tables are emptied.
    time.sleep(max(0.0, SLOW_SECONDS + 0.4 - (time.monotonic() - started)))


def test_refused_connection_is_a_network_failure(simulator_setup, connector):
    connector.options = {**connector.options, "base_url": "http://127.0.0.1:9"}

    error = send_refused(simulator_setup, connector, simulator_setup.message())

    assert (error.category, error.transient) == (Category.NETWORK, True)
    assert "refused" in error.detail
    assert error.exchanges[-1].error


def test_answer_that_is_not_the_providers_format_is_unknown(simulator_setup, connector):
    simulator_setup.set_mode(FailureMode.FIXED_ANSWER, fixed_status=200, fixed_body=GARBAGE)

    error = send_refused(simulator_setup, connector, simulator_setup.message())

    assert (error.category, error.http_status, error.transient) == (Category.UNKNOWN, 200, False)
    assert error.exchanges[-1].response_body == GARBAGE


def test_base_url_whose_name_resolves_inside_is_refused_when_connecting(
    simulator_setup, connector, resolve
):
    resolve("sms.example.com", "10.0.0.5")
    base_url = "https://sms.example.com" + simulator_setup.path
    connector.options = {**connector.options, "base_url": base_url}

    error = send_refused(simulator_setup, connector, simulator_setup.message())

    assert error.category == Category.NETWORK
    assert "10.0.0.5, a private address" in error.detail


def test_connection_test_never_shows_an_answer_that_is_not_the_providers(
    simulator_setup, connector
):
    simulator_setup.set_mode(FailureMode.FIXED_ANSWER, fixed_status=200, fixed_body=INTERNAL_PAGE)

    result = connector_check(connector=connector)

    assert "internal service" not in result.detail
