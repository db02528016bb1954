"""Room in every page for new row versions: the status engine rewrites status columns that no index
covers, and with free space PostgreSQL can do that in place (HOT) instead of touching every index."""

from django.db import migrations

TABLES = ("plans_assignmentmilestone", "plans_assignment")


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
