"""The models of 交办, 反馈 and notifications now belong to the assignments, reporting and notifications
apps (which took them into their state first); here they leave this app's state. Nothing in the database
changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_status_fillfactor"),
        ("assignments", "0001_initial"),
        ("reporting", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="task",
                    name="parent_assignment",
                    field=models.ForeignKey(blank=True, help_text="下级把上级交办的任务分解为本级计划的子任务", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="subtasks", to="assignments.assignment", verbose_name="分解自"),
                ),
                migrations.DeleteModel(name="ReportMilestone"),
                migrations.DeleteModel(name="ReportAttachment"),
                migrations.DeleteModel(name="ProgressReport"),
                migrations.DeleteModel(name="ExtensionRequest"),
                migrations.DeleteModel(name="AssignmentEvent"),
                migrations.DeleteModel(name="AssignmentMilestone"),
                migrations.DeleteModel(name="Assignment"),
                migrations.DeleteModel(name="Notification"),
            ],
        ),
    ]
