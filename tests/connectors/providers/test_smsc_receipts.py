"""SMPP delivery receipts: deliver_sm parsing, and a message through the simulated SMSC to
delivered or undelivered over a real receiver bind."""

import pytest
import smpplib.smpp

from connectors.providers.smsc import ReceiptListener, close_binds, receipt_from_deliver_sm
from connectors.providers.smsc.receipts import message_id_forms
from connectors.simulators.selectors import simulated_provider_get
from connectors.simulators.services import simulated_provider_set_receipts
from connectors.simulators.smsc import SmscSimulator
from messaging.models import DeliveryReport, Message, MessageStatus, ReceiptSource
from messaging.services import message_create, receipts_record
from tests.connectors.providers.harness import harness_setup
from tests.factories import ConnectorFactory

SETUP = harness_setup("smsc")


class _Client:
    sequence = 0

    def next_sequence(self) -> int:
        return 1


def deliver_sm(text: str, **tlvs):
    pdu = smpplib.smpp.make_pdu(
        "deliver_sm",
        client=_Client(),
        source_addr="905321234567",
        destination_addr="ACME",
        esm_class=tlvs.pop("esm_class", 0x04),
        short_message=text.encode(),
        **tlvs,
    )
    return smpplib.smpp.parse_pdu(pdu.generate(), client=_Client())


RECEIPTS = [
    pytest.param(
        "id:0000186A5 sub:001 dlvrd:001 submit date:2412051200 done date:2412051201 "
        "stat:DELIVRD err:000 text:Kodunuz",
        {},
        ("delivered", "0000186A5", "DELIVRD"),
        id="text only, hex id",
    ),
    pytest.param(
        "id:100005 sub:001 dlvrd:000 submit date:2412051200 done date:2412051201 stat:UNDELIV "
        "err:001 text:",
        {},
        ("undelivered", "100005", "UNDELIV"),
        id="undelivered with an error",
    ),
    pytest.param(
        "id:1 stat:EXPIRED err:000",
        {"receipted_message_id": "ABC123", "message_state": 3},
        ("expired", "ABC123", "EXPIRED"),
        id="TLVs win over the text",
    ),
    pytest.param("id:5 stat:REJECTD err:000", {}, ("rejected", "5", "REJECTD"), id="rejected"),
]


@pytest.mark.parametrize(("text", "tlvs", "expected"), RECEIPTS)
def test_a_deliver_sm_receipt_is_read(text, tlvs, expected):
    receipt = receipt_from_deliver_sm(deliver_sm(text, **tlvs))

    assert (receipt.state, receipt.provider_message_id, receipt.code) == expected
    assert receipt.number == "+905321234567"
    assert receipt.raw == text


def test_an_ordinary_deliver_sm_is_no_receipt():
    assert receipt_from_deliver_sm(deliver_sm("Merhaba", esm_class=0)) is None


@pytest.mark.parametrize(
    ("given", "also"),
    [
        ("100005", {"186a5", "186A5"}),
        ("0000186A5", {"100005", "186A5", "186a5"}),
        ("12²", set()),  # a byte of a latin-1 id that str.isdigit takes for a digit
    ],
    ids=["decimal", "hex with zeros", "superscript digit"],
)
def test_message_ids_are_tried_in_hex_and_decimal(given, also):
    assert also <= set(message_id_forms(given))


@pytest.fixture
def smsc(transactional_db):
    SETUP.account()
    simulator = SmscSimulator().start()
    yield simulator
    close_binds()
    simulator.stop()


@pytest.fixture
def connector(smsc):
    where = {"host": smsc.host, "port": smsc.port, "timeout_seconds": 2}
    return ConnectorFactory(**SETUP.fields("", options=where))


def listener_for(connector) -> ReceiptListener:
    def store(receipt):
        receipts_record(connector=connector, receipts=[receipt], source=ReceiptSource.SMPP)

    listener = ReceiptListener(connector, store)
    listener.open()
    return listener


def receipts_for(connector, *, delivered: bool) -> None:
    simulated_provider_set_receipts(
        provider=simulated_provider_get(slug="smsc"),
        delivered_percent=100 if delivered else 0,
        receipt_delay_seconds=0,
    )


@pytest.mark.parametrize("delivered", [True, False], ids=["delivered", "undelivered"])
def test_a_message_ends_as_the_smscs_receipt_says(smsc, connector, delivered):
    receipts_for(connector, delivered=delivered)
    listener = listener_for(connector)
    try:
        message = message_create(to=SETUP.shared.to, text="Kodunuz 1234", connector=connector.pk)
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert listener.listen(3.0) == 1
    finally:
        listener.close()

    message.refresh_from_db()
    assert message.delivery_state == ("delivered" if delivered else "undelivered")
    report = DeliveryReport.objects.get()
    assert (report.message_id, report.source, report.applied) == (message.pk, "smpp", True)
    # The simulator writes the id in hex in the receipt, in decimal in submit_sm_resp.
    assert report.provider_message_id == f"{int(message.provider_message_id):X}"


def test_a_receipt_waits_for_a_receiver_to_bind(smsc, connector):
    receipts_for(connector, delivered=True)
    message = message_create(to=SETUP.shared.to, text="Kodunuz 1234", connector=connector.pk)

    listener = listener_for(connector)
    try:
        assert listener.listen(3.0) == 1
    finally:
        listener.close()

    assert Message.objects.get(pk=message.pk).delivery_state == "delivered"


def test_a_refused_receiver_bind_is_a_credentials_error(smsc):
    connector = ConnectorFactory(
        **SETUP.fields("", password="wrong", options={"host": smsc.host, "port": smsc.port})
    )
    listener = ReceiptListener(connector, lambda receipt: None)

    with pytest.raises(Exception, match="refused the receiver bind"):
        listener.open()
