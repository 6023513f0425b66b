# The table of the "shared" cache when no Redis is configured (settings.CACHES), made here so a
# deployment needs only `migrate`. Made whatever the settings say, so REDIS_URL may come and go.

from django.core.management import call_command
from django.db import migrations

TABLE = "smsconsole_shared_cache"


def create_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ('smsconsole', '0006_api_key_scopes'),
    ]

    operations = [migrations.RunPython(create_table, drop_table)]
