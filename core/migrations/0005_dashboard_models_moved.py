# HourlyStat and StatsWatermark moved to the dashboard app; the tables keep their names.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('smsconsole', '0004_stats_rollup_schedule'),
        ('dashboard', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='HourlyStat'),
                migrations.DeleteModel(name='StatsWatermark'),
            ],
        ),
    ]
