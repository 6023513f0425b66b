"""django-q2 schedules that must exist wherever the database does, created by data migrations."""

from django.db import migrations


def every_minute(*, name: str, func: str) -> migrations.RunPython:
    """A migration operation that keeps a schedule running `func` every minute (and removes it)."""

    def create(apps, schema_editor):
        apps.get_model("django_q", "Schedule").objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": "I", "minutes": 1, "repeats": -1},
        )

    def delete(apps, schema_editor):
        apps.get_model("django_q", "Schedule").objects.filter(name=name).delete()

    return migrations.RunPython(create, delete)
