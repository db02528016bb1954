"""Notifications move out of the plans app: state and content type only (the table exists); 0002
renames the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, old="plans", new="notifications"):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model="notification").update(app_label=new)


def move_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="notifications", new="plans")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("plans", "0002_status_fillfactor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=80)),
                        ("day", models.DateField()),
                        ("title", models.CharField(max_length=200, verbose_name="标题")),
                        ("body", models.TextField(blank=True, verbose_name="内容")),
                        ("url", models.CharField(blank=True, max_length=300, verbose_name="链接")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("emailed_at", models.DateTimeField(blank=True, null=True)),
                        ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "通知",
                        "verbose_name_plural": "通知",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "plans_notification",
                        "constraints": [models.UniqueConstraint(fields=("recipient", "key", "day"), name="notification_once_a_day")],
                        "indexes": [
                            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
                            models.Index(condition=models.Q(("emailed_at__isnull", True)), fields=["day", "id"], name="notification_to_mail_idx"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
