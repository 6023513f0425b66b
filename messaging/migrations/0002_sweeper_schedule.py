"""The sweeper schedule exists wherever the database does, with or without the demo seed."""

from django.db import migrations

from core.schedules import every_minute


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        every_minute(
            name="messaging: sweep queued and stuck messages",
            func="messaging.tasks.message_sweep_task",
        )
    ]
