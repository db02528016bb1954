"""Milestone copies keep half of each page free (PostgreSQL; 70 % full since plans 0002): a full recompute
rewrites the state of most copies, and a new version that fits on its own page is a HOT update, with no
entry in any of the copies' seven indexes. Rows already stored follow once the table is rewritten
(VACUUM FULL or pg_repack, at a quiet hour)."""

from django.db import migrations

TABLE = "assignments_assignmentmilestone"


def fillfactor(value: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("assignments", "0012_one_receiver_index")]

    operations = [migrations.RunPython(fillfactor(50), fillfactor(70))]
