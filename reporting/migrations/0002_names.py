"""Tables named after this app; a report's self-assessed 进展 is its `stage` (beside its review
`status`), and a claimed milestone is an `assignment_milestone` (it was called a copy)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("assignments", "0002_names"),
        ("plans", "0003_move_out"),
    ]

    operations = [
        migrations.AlterModelTable(name="progressreport", table=None),
        migrations.AlterModelTable(name="reportmilestone", table=None),
        migrations.AlterModelTable(name="reportattachment", table=None),
        migrations.RenameField(model_name="progressreport", old_name="state", new_name="stage"),
        migrations.RemoveConstraint(model_name="reportmilestone", name="report_claim_unique"),
        migrations.RenameField(model_name="reportmilestone", old_name="copy", new_name="assignment_milestone"),
        migrations.AddConstraint(
            model_name="reportmilestone",
            constraint=models.UniqueConstraint(fields=("report", "assignment_milestone"), name="report_claim_unique"),
        ),
        migrations.AlterModelOptions(
            name="reportmilestone",
            options={"verbose_name": "报告所报节点", "verbose_name_plural": "报告所报节点"},
        ),
    ]
