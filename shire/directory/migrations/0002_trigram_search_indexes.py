"""On PostgreSQL, trigram indexes for word search (`search_text LIKE '%word%'` then reads an index).

pg_trgm is a trusted extension (PostgreSQL 13 and later): a database owner may create it. Where it
cannot be created, the indexes are left out and search still works, by reading the table. SQLite
needs nothing: its directory is small enough to read.
"""
from django.db import migrations, transaction

INDEXES = [
    ("directory_service_search_trgm", "directory_service"),
    ("directory_organization_search_trgm", "directory_organization"),
]


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege, or the extension is not installed: search reads the table
        return
    with connection.cursor() as cursor:
        for name, table in INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _ in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
