"""No provider lets a credential into its recorded exchanges or the logs, sent, checked or refused."""

import logging

import pytest

from connectors.providers.types import Category
from connectors.services import connector_check
from tests.connectors.providers.harness import SETUPS, recorded, send_accepted, send_failed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("simulator_setup", SETUPS.values(), ids=SETUPS.keys()),
]

WRONG_PASSWORD = "Wrong-s3cret-given"


def test_no_secret_in_exchanges_or_logs(simulator_setup, connector, live_server, caplog):
    caplog.set_level(logging.DEBUG)
    refused = simulator_setup.connector(live_server.url, password=WRONG_PASSWORD)

    sent = send_accepted(connector, simulator_setup.message())
    checked = connector_check(connector=connector)
    failed = send_failed(refused, simulator_setup.message(id=8))

    assert failed.category == Category.CREDENTIALS
    exchanges = recorded([*sent.exchanges, *checked.exchanges, *failed.exchanges])
    logs = "\n".join(caplog.handler.format(r) for r in caplog.records if not _simulator_log(r))
    for secret in (*simulator_setup.secrets, WRONG_PASSWORD):
        assert secret not in exchanges + logs
    assert simulator_setup.redaction_shown in exchanges


def _simulator_log(record: logging.LogRecord) -> bool:
    # The simulator refusing a request logs its path, and Twilio's path holds the account SID:
    # that is the provider's own log, which a real provider keeps on its side.
    return record.name == "django.request" and "/simulators/" in record.getMessage()
