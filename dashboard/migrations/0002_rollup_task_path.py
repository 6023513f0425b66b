# The rollup task moved from smsconsole.tasks to dashboard.tasks: existing schedules follow it.

from django.db import migrations

OLD, NEW = "smsconsole.tasks.stats_rollup_task", "dashboard.tasks.stats_rollup_task"


def follow(old: str, new: str):
    def update(apps, schema_editor):
        apps.get_model("django_q", "Schedule").objects.filter(func=old).update(func=new)

    return update


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0001_initial'),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(follow(OLD, NEW), follow(NEW, OLD))]
