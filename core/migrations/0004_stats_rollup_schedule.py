"""The dashboard rollup schedule exists wherever the database does, with or without the demo seed."""

from django.db import migrations

from core.schedules import every_minute


class Migration(migrations.Migration):
    dependencies = [
        ("smsconsole", "0003_hourly_stats"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        every_minute(
            name="smsconsole: roll up the dashboard counters",
            func="dashboard.tasks.stats_rollup_task",
        )
    ]
