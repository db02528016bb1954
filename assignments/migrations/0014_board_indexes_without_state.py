"""The boards' ancestor indexes without the counted columns. A state in any index made each row the status
refresh rewrites a new entry in every index of the table (8 of them); with none, PostgreSQL rewrites it on
its own page (HOT). The boards read the state from the table's pages, which a board's range of rows needs
anyway once the rows have changed since the last VACUUM."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assignments', '0013_copies_fillfactor'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='assignment',
            name='assignment_anc0_idx',
        ),
        migrations.RemoveIndex(
            model_name='assignment',
            name='assignment_anc1_idx',
        ),
        migrations.RemoveIndex(
            model_name='assignment',
            name='assignment_anc2_idx',
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['anc0', 'anc1'], name='assignment_anc0_idx'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['anc1', 'anc2'], name='assignment_anc1_idx'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['anc2', 'anc3'], name='assignment_anc2_idx'),
        ),
    ]
