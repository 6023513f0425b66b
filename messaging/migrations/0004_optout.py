"""Opt-outs move here from the inbox app: the state only, the table keeps its name inbox_optout."""

from django.db import migrations, models


def _relabel(apps, *, old: str, new: str) -> None:
    # Permissions (through the content type) and the audit log follow the model to its new app.
    ContentType = apps.get_model('contenttypes', 'ContentType')
    if not ContentType.objects.filter(app_label=new, model='optout').exists():
        ContentType.objects.filter(app_label=old, model='optout').update(app_label=new)
    AuditEntry = apps.get_model('smsconsole', 'AuditEntry')
    AuditEntry.objects.filter(target_type=f'{old}.optout').update(target_type=f'{new}.optout')


def forwards(apps, schema_editor):
    _relabel(apps, old='inbox', new='messaging')


def backwards(apps, schema_editor):
    _relabel(apps, old='messaging', new='inbox')


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('inbox', '0003_optout_to_messaging'),
        ('messaging', '0003_worker_heartbeat'),
        ('smsconsole', '0002_auditentry'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OptOut',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=32, unique=True)),
                        ('keyword', models.CharField(blank=True, help_text='The stop word received, if any.', max_length=100)),
                        ('inbound_message_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'opt-out',
                        'db_table': 'inbox_optout',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
