"""Forward errors stored before the outbound policy quoted the answer's body: keep the status only."""

import re

from django.db import migrations

BATCH = 500
_STATUS = re.compile(r"HTTP (\d{3})")


def _own_words(error: str) -> str:
    if error.startswith("Could not connect: "):
        return "Could not connect to the forward URL's host."
    status = int(_STATUS.match(error).group(1))
    if 300 <= status < 400:
        return f"HTTP {status}: the forward URL answered with a redirect, which is never followed."
    return f"HTTP {status}: the forward URL did not accept the message."


def forwards(apps, schema_editor):
    InboundMessage = apps.get_model('inbox', 'InboundMessage')
    quoted = InboundMessage.objects.filter(forward_error__regex=r'^(HTTP \d{3}: |Could not connect: )')
    changed = []
    for message in quoted.only('id', 'forward_error').iterator(chunk_size=BATCH):
        message.forward_error = _own_words(message.forward_error)
        changed.append(message)
        if len(changed) == BATCH:
            InboundMessage.objects.bulk_update(changed, ['forward_error'])
            changed = []
    InboundMessage.objects.bulk_update(changed, ['forward_error'])


class Migration(migrations.Migration):

    dependencies = [
        ('inbox', '0003_optout_to_messaging'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
