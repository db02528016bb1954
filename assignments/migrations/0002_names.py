"""Tables named after this app; one word per meaning: `progress` is the computed state (it was
`status` on milestones and `progress_status` on assignments), an assignment handed back is `withdrawn`
(it shared `returned` with a report sent back), and a receiver's milestone is an `assignment_milestone`
(it was also called a copy)."""

import django.db.models.deletion
from django.db import migrations, models

PROGRESS = [("completed", "已完成"), ("completed_late", "逾期完成"), ("ongoing", "持续推进"),
            ("on_track", "进行中"), ("due_soon", "即将到期"), ("overdue", "已逾期")]  # fmt: skip


def withdrawn(apps, schema_editor):
    """Assignments handed back were stored as 'returned', and so was the event that did it: the last
    'returned' event of each such assignment is the withdrawal (earlier ones sent a report back)."""
    assignment = apps.get_model("assignments", "Assignment")
    event = apps.get_model("assignments", "AssignmentEvent")
    ids = list(assignment.objects.filter(status="returned").values_list("id", flat=True))
    assignment.objects.filter(id__in=ids).update(status="withdrawn")
    for assignment_id in ids:
        last = event.objects.filter(assignment_id=assignment_id, kind="returned").order_by("-created_at", "-id")
        last = last.first()
        if last is not None:
            event.objects.filter(pk=last.pk).update(kind="withdrawn")


def returned(apps, schema_editor):
    assignment = apps.get_model("assignments", "Assignment")
    event = apps.get_model("assignments", "AssignmentEvent")
    assignment.objects.filter(status="withdrawn").update(status="returned")
    event.objects.filter(kind="withdrawn").update(kind="returned")


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0001_initial"),
        ("plans", "0003_move_out"),
    ]

    operations = [
        migrations.AlterModelTable(name="assignment", table=None),
        migrations.AlterModelTable(name="assignmentmilestone", table=None),
        migrations.AlterModelTable(name="assignmentevent", table=None),
        migrations.AlterModelTable(name="extensionrequest", table=None),
        migrations.RenameField(model_name="assignment", old_name="progress_status", new_name="progress"),
        migrations.RenameField(model_name="assignmentmilestone", old_name="status", new_name="progress"),
        migrations.AlterField(
            model_name="assignmentmilestone",
            name="progress",
            field=models.CharField(choices=PROGRESS, db_default="on_track", max_length=16, verbose_name="进度状态"),
        ),
        migrations.AlterField(
            model_name="assignmentmilestone",
            name="milestone",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="assignment_milestones", to="plans.milestone"),
        ),
        migrations.AlterField(
            model_name="assignment",
            name="task",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="assignments", to="plans.task"),
        ),
        migrations.AlterField(
            model_name="assignment",
            name="status",
            field=models.CharField(choices=[("assigned", "已交办"), ("withdrawn", "已退办"), ("closed", "已销号")], default="assigned", max_length=10, verbose_name="状态"),
        ),
        migrations.AlterField(
            model_name="assignmentevent",
            name="kind",
            field=models.CharField(choices=[("assigned", "交办"), ("received", "签收"), ("reported", "反馈"), ("accepted", "审核通过"), ("returned", "退回修改"), ("reminded", "催办"), ("extended", "延期"), ("withdrawn", "退办"), ("closed", "销号")], max_length=10, verbose_name="环节"),
        ),
        migrations.RunPython(withdrawn, returned),
        migrations.RemoveConstraint(model_name="extensionrequest", name="one_pending_extension_per_milestone"),
        migrations.RenameField(model_name="extensionrequest", old_name="copy", new_name="assignment_milestone"),
        migrations.AddConstraint(
            model_name="extensionrequest",
            constraint=models.UniqueConstraint(condition=models.Q(("status", "pending")), fields=("assignment_milestone",), name="one_pending_extension_per_milestone"),
        ),
    ]
