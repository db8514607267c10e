"""The table of the shared cache (settings.CACHES: Django's DatabaseCache), so that `shire migrate`
alone sets a database up. The directory's pages and API answers are kept there, under a version
every change to the directory renews (services.directory_version). createcachetable makes only
the tables that are missing, and none for a cache that is not in the database."""
from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_listed_services_by_name")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop, elidable=False)]
