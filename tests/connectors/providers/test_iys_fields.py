"""İYS on the wire: the Turkish providers that check İYS ask for it on commercial messages only,
with the message's recipient type before the connector's default (over HTTP to the simulators)."""

import pytest

from connectors.providers import all_providers
from tests.connectors.providers.harness import SETUPS, send_accepted

pytestmark = pytest.mark.django_db(transaction=True)

# What each adapter puts in the request (Jet SMS and Mobildev names are assumed: docs/providers.md).
CASES = [
    ("iletimerkezi", "commercial", "", "iys=1&iysList=BIREYSEL"),
    ("iletimerkezi", "commercial", "TACIR", "iys=1&iysList=TACIR"),
    ("iletimerkezi", "transactional", "TACIR", "iys=0"),
    ("jetsms", "commercial", "", "<iysfilter>1</iysfilter><recipienttype>BIREYSEL</recipienttype>"),
    ("jetsms", "commercial", "TACIR", "<recipienttype>TACIR</recipienttype>"),
    ("jetsms", "transactional", "", "<iysfilter>0</iysfilter>"),
    ("mobildev", "commercial", "TACIR", "<IysMessageType>CAMPAIGN</IysMessageType><IysRecipientType>TACIR</IysRecipientType>"),
    ("mobildev", "transactional", "", "<IysMessageType>NOTIFICATION</IysMessageType>"),
]  # fmt: skip


@pytest.mark.parametrize(("slug", "kind", "recipient_type", "expected"), CASES)
def test_iys_fields_follow_the_kind_and_recipient_type(
    live_server, slug, kind, recipient_type, expected
):
    setup = SETUPS[slug]
    setup.account()
    connector = setup.connector(live_server.url)
    message = setup.message(kind=kind, iys_recipient_type=recipient_type)

    result = send_accepted(connector, message)

    exchange = result.exchanges[-1]
    sent = exchange.url + exchange.request_body
    assert expected in sent
    if kind == "transactional":
        assert "BIREYSEL" not in sent
        assert "TACIR" not in sent


def test_only_the_turkish_gateways_declare_iys_and_their_country():
    declared = {
        slug: (p.supports_iys, p.default_destinations) for slug, p in all_providers().items()
    }
    assert declared["iletimerkezi"] == declared["jetsms"] == declared["mobildev"] == (True, ("90",))
    assert declared["josms"] == (False, ("962",))
    assert declared["infobip"] == declared["figensoft"] == (False, ("any",))
