"""Demo data: a few messages that show encodings, failover and skips once a worker runs."""

from django.core.exceptions import ValidationError

from messaging.models import Message
from messaging.services import message_create

T, C = "transactional", "commercial"
DEMO_MESSAGES = [
    {"to": "+905321234567", "text": "Siparişiniz yola çıktı. Takip kodu: ACME-48213", "kind": T},
    {"to": "+905337654321", "text": "Doğrulama kodunuz 731904. Kimseyle paylaşmayın.", "kind": T},
    {"to": "+905551112233", "text": "Hafta sonuna özel %20 indirim! Kod: ILIK20 {acme}", "kind": C},
    {"to": "+962791234567", "text": "رمز التحقق الخاص بك هو 4821", "kind": T},
]


def seed(command) -> None:
    """Queue the demo messages once (only into an empty log); a running worker sends them."""
    if Message.objects.exists():
        command.stdout.write("Messages exist; no demo messages queued.")
        return
    queued = 0
    for fields in DEMO_MESSAGES:
        try:
            message_create(**fields)
        except ValidationError as error:
            command.stdout.write(f"Demo message to {fields['to']} not queued: {error.messages}")
        else:
            queued += 1
    command.stdout.write(
        f"{queued} demo messages queued; `make run` starts the worker that sends them."
    )
