"""The dashboard rollup schedule exists wherever the database does, with or without the demo seed."""

from django.db import migrations

ROLLUP = "smsconsole: roll up the dashboard counters"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=ROLLUP,
        defaults={
            "func": "smsconsole.tasks.stats_rollup_task",
            "schedule_type": "I",  # every `minutes` minutes
            "minutes": 1,
            "repeats": -1,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=ROLLUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("smsconsole", "0003_hourly_stats"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
