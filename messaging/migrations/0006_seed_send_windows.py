"""The seeded quiet hours: Jordan enforced (TRC), Turkey offered but off (no statute sets hours)."""

import datetime

from django.db import migrations

WINDOWS = [
    {
        "country": "JO",
        "start": datetime.time(7, 0),
        "end": datetime.time(21, 0),
        "time_zone": "Asia/Amman",
        "enforced": True,
        "source": "TRC (Jordan): no promotional SMS between 21:00 and 07:00.",
    },
    {
        "country": "TR",
        "start": datetime.time(9, 0),
        "end": datetime.time(21, 0),
        "time_zone": "Europe/Istanbul",
        "enforced": False,
        "source": "No statute sets hours in Turkey; many operators keep to daytime.",
    },
]


def seed(apps, schema_editor):
    SendWindow = apps.get_model("messaging", "SendWindow")
    for window in WINDOWS:
        SendWindow.objects.get_or_create(country=window["country"], defaults=window)


def unseed(apps, schema_editor):
    SendWindow = apps.get_model("messaging", "SendWindow")
    SendWindow.objects.filter(country__in=[w["country"] for w in WINDOWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("messaging", "0005_routing_compliance")]

    operations = [migrations.RunPython(seed, unseed)]
