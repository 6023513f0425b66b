"""Fixtures for provider tests: the simulator account and connector of the module's provider."""

import pytest

# The harness asserts on behalf of the tests: its failures should explain themselves like theirs.
pytest.register_assert_rewrite("tests.connectors.providers.harness")


@pytest.fixture
def simulator_setup(request):
    """The provider the test module names with SETUP (shared tables parametrize this instead)."""
    return request.module.SETUP


@pytest.fixture
def account(simulator_setup, db):
    return simulator_setup.account()


@pytest.fixture
def connector(simulator_setup, account, live_server):
    return simulator_setup.connector(live_server.url)
