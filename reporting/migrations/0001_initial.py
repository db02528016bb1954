"""Progress reports move out of the plans app: state and content types only (the tables exist); 0002
renames the tables and fields."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("progressreport", "reportmilestone", "reportattachment")


def move_content_types(apps, schema_editor, old="plans", new="reporting"):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model__in=MOVED).update(app_label=new)


def move_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="reporting", new="plans")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("assignments", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ProgressReport",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("period", models.CharField(help_text="2019-06、2019Q2 或 2019H1", max_length=7, verbose_name="报告期")),
                        ("status", models.CharField(choices=[("draft", "草稿"), ("submitted", "待审核"), ("returned", "已退回"), ("accepted", "已通过")], default="draft", max_length=10, verbose_name="状态")),
                        ("state", models.CharField(choices=[("not_started", "未开始"), ("in_progress", "进行中"), ("done", "已完成"), ("blocked", "受阻")], default="in_progress", max_length=12, verbose_name="进展")),
                        ("percent", models.PositiveSmallIntegerField(default=0, verbose_name="完成百分比")),
                        ("narrative", models.TextField(blank=True, verbose_name="进展情况")),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="版本")),
                        ("is_late", models.BooleanField(default=False, verbose_name="逾期提交")),
                        ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="提交时间")),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="审核时间")),
                        ("review_comment", models.TextField(blank=True, verbose_name="审核意见")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("assignment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reports", to="assignments.assignment")),
                        ("reviewed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("submitted_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "进度报告",
                        "verbose_name_plural": "进度报告",
                        "ordering": ["-period", "-id"],
                        "db_table": "plans_progressreport",
                        "constraints": [models.UniqueConstraint(fields=("assignment", "period"), name="report_unique_period")],
                    },
                ),
                migrations.CreateModel(
                    name="ReportAttachment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("file", models.FileField(upload_to="reports/%Y/%m/")),
                        ("name", models.CharField(max_length=200, verbose_name="文件名")),
                        ("size", models.PositiveIntegerField(verbose_name="大小")),
                        ("kind", models.CharField(max_length=10, verbose_name="类型")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("report", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="attachments", to="reporting.progressreport")),
                        ("uploaded_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "附件",
                        "verbose_name_plural": "附件",
                        "ordering": ["id"],
                        "db_table": "plans_reportattachment",
                    },
                ),
                migrations.CreateModel(
                    name="ReportMilestone",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("completed_on", models.DateField(verbose_name="完成日期")),
                        ("copy", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="claims", to="assignments.assignmentmilestone")),
                        ("report", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="claims", to="reporting.progressreport")),
                    ],
                    options={
                        "db_table": "plans_reportmilestone",
                        "constraints": [models.UniqueConstraint(fields=("report", "copy"), name="report_claim_unique")],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
