from django.core.management import call_command

from inbox.models import InboundMessage, ReceiveConnector
from messaging.models import OptOut


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo")
    call_command("seed_demo")

    assert ReceiveConnector.objects.count() == 1
    assert InboundMessage.objects.count() == 5
    assert OptOut.objects.count() == 1
