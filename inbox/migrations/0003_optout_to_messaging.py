"""Opt-outs move to messaging (messaging/migrations/0004_optout.py); the table stays inbox_optout."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inbox', '0002_unread_index'),
    ]

    operations = [
        # Messaging sits below the inbox, so an opt-out keeps the received SMS's id without a
        # foreign key: drop the database constraint (the column and its index stay).
        migrations.AlterField(
            model_name='optout',
            name='inbound_message',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='inbox.inboundmessage'),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='OptOut')],
        ),
    ]
