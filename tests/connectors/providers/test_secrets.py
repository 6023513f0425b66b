"""No provider lets a credential into its recorded exchanges or the logs, sent, checked or refused."""

import logging

import pytest

from connectors.providers import get_provider
from connectors.providers.base import Category, ProviderError
from tests.connectors.providers.harness import SETUPS, recorded

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("simulator_setup", SETUPS.values(), ids=SETUPS.keys()),
]

WRONG_PASSWORD = "Wrong-s3cret-given"


def test_no_secret_in_exchanges_or_logs(simulator_setup, connector, simulator_url, caplog):
    caplog.set_level(logging.DEBUG)
    provider = get_provider(simulator_setup.slug)
    refused = simulator_setup.connector(
        simulator_url(simulator_setup.slug), password=WRONG_PASSWORD
    )

    sent = provider.send(connector=connector, message=simulator_setup.message())
    checked = provider.check(connector=connector)
    with pytest.raises(ProviderError) as caught:
        provider.send(connector=refused, message=simulator_setup.message(id=8))

    assert caught.value.category == Category.CREDENTIALS
    exchanges = recorded([*sent.exchanges, *checked.exchanges, *caught.value.exchanges])
    logs = "\n".join(caplog.handler.format(r) for r in caplog.records if not _simulator_log(r))
    for secret in (*simulator_setup.secrets, WRONG_PASSWORD):
        assert secret not in exchanges + logs
    assert simulator_setup.redaction_shown in exchanges


def _simulator_log(record: logging.LogRecord) -> bool:
    # The simulator refusing a request logs its path, and Twilio's path holds the account SID:
    # that is the provider's own log, which a real provider keeps on its side.
    return record.name == "django.request" and "/simulators/" in record.getMessage()
