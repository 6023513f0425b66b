"""Demo data for the inbox: one receive connector and a few received messages (idempotent)."""

from inbox.models import InboundMessage, ReceiveConnector
from inbox.services import inbound_message_receive, receive_connector_create

DEMO_CONNECTOR = "Demo replies"
DEMO_NUMBER = "+908501234567"
DEMO_MESSAGES = [
    ("+905321234567", "Merhaba, kampanya ne zamana kadar geçerli?"),
    ("+962791234567", "مرحبا، هل الطلب جاهز؟"),
    ("+905551112233", "Teşekkürler, siparişim ulaştı 👍"),
    ("+905321234567", "Bir de şubeleriniz hafta sonu açık mı?"),
    ("+905449998877", "İPTAL"),
]


def seed(command) -> None:
    """Create the demo receive connector and messages unless they exist."""
    connector = ReceiveConnector.objects.filter(name=DEMO_CONNECTOR).first()
    if connector is None:
        connector = receive_connector_create(name=DEMO_CONNECTOR, receiver_numbers=[DEMO_NUMBER])
        command.stdout.write(f"Receive connector '{DEMO_CONNECTOR}' created for {DEMO_NUMBER}.")
    if InboundMessage.objects.filter(connector=connector).exists():
        command.stdout.write("Demo inbox messages exist (unchanged).")
        return
    for sender, text in DEMO_MESSAGES:
        inbound_message_receive(
            receiver=connector.receiver_numbers[0], sender=sender, text=text, token=connector.token
        )
    command.stdout.write(f"{len(DEMO_MESSAGES)} demo inbox messages received.")
