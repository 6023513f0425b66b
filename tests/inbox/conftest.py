import pytest

from inbox.models import ReceiveConnector
from inbox.services import receive_connector_create

# The token in the jtel receiver document's examples.
DOC_TOKEN = "5760da99304185ca54edad4704379dd02e8d90419ab5e1fa5e066699bd9525de"


@pytest.fixture
def make_receive_connector(db):
    """Create a receive connector through the service; `token=` pins its token."""

    def make(*, token: str = "", **fields) -> ReceiveConnector:
        fields = {
            "name": "jtel",
            "receiver_numbers": ["49123123"],
            "require_token": False,
            **fields,
        }
        connector = receive_connector_create(**fields)
        if token:
            ReceiveConnector.objects.filter(pk=connector.pk).update(token=token)
            connector.refresh_from_db()
        return connector

    return make
