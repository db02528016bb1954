"""Assignments move out of the plans app. Their tables already exist (created by plans.0001): this
migration only takes them into this app's state and moves their content types, so permissions and admin
history follow; 0002 renames the tables and fields."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("assignment", "assignmentmilestone", "assignmentevent", "extensionrequest")
PROGRESS = [("completed", "已完成"), ("completed_late", "逾期完成"), ("ongoing", "持续推进"),
            ("on_track", "进行中"), ("due_soon", "即将到期"), ("overdue", "已逾期")]  # fmt: skip


def move_content_types(apps, schema_editor, old="plans", new="assignments"):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model__in=MOVED).update(app_label=new)


def move_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="assignments", new="plans")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("orgtree", "0002_established_on_type_index"),
        ("plans", "0002_status_fillfactor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Assignment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("status", models.CharField(choices=[("assigned", "已交办"), ("returned", "已退办"), ("closed", "已销号")], default="assigned", max_length=10, verbose_name="状态")),
                        ("created_at", models.DateTimeField(verbose_name="交办时间")),
                        ("progress_status", models.CharField(choices=PROGRESS, db_default="on_track", max_length=16, verbose_name="进度状态")),
                        ("completion_percent", models.PositiveSmallIntegerField(db_default=0, verbose_name="完成率")),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="assignments", to="orgtree.organisation", verbose_name="承办组织")),
                        ("plan", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="assignments", to="plans.plan")),
                        ("task", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="assignments", to="plans.task")),
                    ],
                    options={
                        "verbose_name": "交办",
                        "verbose_name_plural": "交办",
                        "db_table": "plans_assignment",
                        "constraints": [models.UniqueConstraint(fields=("task", "organisation"), name="assignment_unique")],
                        "indexes": [models.Index(fields=["organisation", "plan"], name="assignment_org_plan_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="AssignmentMilestone",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("start_date", models.DateField(blank=True, null=True, verbose_name="开始日期")),
                        ("due_date", models.DateField(blank=True, null=True, verbose_name="完成时限")),
                        ("completed_on", models.DateField(blank=True, null=True, verbose_name="完成日期")),
                        ("accepted_at", models.DateTimeField(blank=True, null=True, verbose_name="审核通过时间")),
                        ("percent", models.PositiveSmallIntegerField(db_default=0, verbose_name="完成百分比")),
                        ("status", models.CharField(choices=PROGRESS, db_default="on_track", max_length=16, verbose_name="状态")),
                        ("at_risk", models.BooleanField(db_default=False, verbose_name="进度滞后")),
                        ("assignment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="milestones", to="assignments.assignment")),
                        ("milestone", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="copies", to="plans.milestone")),
                    ],
                    options={
                        "verbose_name": "交办节点",
                        "verbose_name_plural": "交办节点",
                        "db_table": "plans_assignmentmilestone",
                        "constraints": [models.UniqueConstraint(fields=("assignment", "milestone"), name="assignment_milestone_unique")],
                    },
                ),
                migrations.CreateModel(
                    name="AssignmentEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("assigned", "交办"), ("received", "签收"), ("reported", "反馈"), ("accepted", "审核通过"), ("returned", "退回修改"), ("reminded", "催办"), ("extended", "延期"), ("closed", "销号")], max_length=10, verbose_name="环节")),
                        ("comment", models.TextField(blank=True, verbose_name="说明")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ("assignment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="events", to="assignments.assignment")),
                    ],
                    options={
                        "verbose_name": "交办记录",
                        "verbose_name_plural": "交办记录",
                        "ordering": ["created_at", "id"],
                        "db_table": "plans_assignmentevent",
                    },
                ),
                migrations.CreateModel(
                    name="ExtensionRequest",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("original_due", models.DateField(verbose_name="原完成时限")),
                        ("requested_due", models.DateField(verbose_name="申请延至")),
                        ("reason", models.TextField(verbose_name="理由")),
                        ("status", models.CharField(choices=[("pending", "待审批"), ("approved", "已同意"), ("refused", "未同意")], default="pending", max_length=10, verbose_name="状态")),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("decision_comment", models.TextField(blank=True, verbose_name="审批意见")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("copy", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="extension_requests", to="assignments.assignmentmilestone")),
                        ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("requested_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "延期申请",
                        "verbose_name_plural": "延期申请",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "plans_extensionrequest",
                        "constraints": [models.UniqueConstraint(condition=models.Q(("status", "pending")), fields=("copy",), name="one_pending_extension_per_milestone")],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
