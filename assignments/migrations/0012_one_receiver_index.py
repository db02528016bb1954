"""One unique index for a task's receivers (organisation or department) and the task's lookups; no index
on the issuer: two fewer index entries for every assignment the daily refresh writes."""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assignments', '0011_fewer_index_writes'),
        ('orgtree', '0003_treechange_roles'),
        ('plans', '0008_cadence_recipients_escalation'),
    ]

    # The new index first: a receiver is never unguarded.
    operations = [
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.UniqueConstraint(models.F('task'), models.F('organisation'), django.db.models.functions.comparison.Coalesce(models.F('department'), models.Value(0)), name='assignment_unique_receiver', violation_error_message='这项任务已经交给过这个承办方'),
        ),
        migrations.RemoveConstraint(
            model_name='assignment',
            name='assignment_unique',
        ),
        migrations.RemoveConstraint(
            model_name='assignment',
            name='assignment_unique_department',
        ),
        migrations.AlterField(
            model_name='assignment',
            name='issuer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='issued_assignments', to='orgtree.organisation', verbose_name='交办单位'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='task',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='plans.task'),
        ),
    ]
