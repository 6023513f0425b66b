# The dashboard's counters move from the smsconsole app to dashboard: the tables keep their names,
# so only Django's model state changes (smsconsole 0005 removes them from its state).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('connectors', '0002_connectorsendslot'),
        ('smsconsole', '0004_stats_rollup_schedule'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StatsWatermark',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('message_id', models.BigIntegerField(default=0)),
                        ('attempt_id', models.BigIntegerField(default=0)),
                        ('inbound_id', models.BigIntegerField(default=0)),
                        ('message_seen', models.BigIntegerField(default=0)),
                        ('attempt_seen', models.BigIntegerField(default=0)),
                        ('inbound_seen', models.BigIntegerField(default=0)),
                        ('rolled_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'smsconsole_statswatermark',
                    },
                ),
                migrations.CreateModel(
                    name='HourlyStat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('hour', models.DateTimeField(help_text='Start of the hour, UTC.')),
                        ('connector_name', models.CharField(blank=True, help_text="The attempts' connector name; blank on message rows.", max_length=100)),
                        ('queued', models.PositiveIntegerField(default=0)),
                        ('sending', models.PositiveIntegerField(default=0)),
                        ('sent', models.PositiveIntegerField(default=0, help_text='Messages sent, or attempts accepted.')),
                        ('failed', models.PositiveIntegerField(default=0, help_text='Messages or attempts failed.')),
                        ('skipped', models.PositiveIntegerField(default=0)),
                        ('failover', models.PositiveIntegerField(default=0)),
                        ('inbound', models.PositiveIntegerField(default=0)),
                        ('latency_histogram', models.JSONField(blank=True, default=dict)),
                        ('connector', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='connectors.connector')),
                    ],
                    options={
                        'ordering': ['hour', 'connector_name'],
                        'db_table': 'smsconsole_hourlystat',
                        'indexes': [models.Index(fields=['hour', 'connector_name'], name='hourly_stat_hour_idx'), models.Index(condition=models.Q(('queued__gt', 0), ('sending__gt', 0), _connector='OR'), fields=['hour'], name='hourly_stat_moving_idx')],
                    },
                ),
            ],
        ),
    ]
