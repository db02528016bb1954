# Existing assignments get their issuer, 签收 time and settled state.

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    """Existing assignments: issued by their task's organisation; signed when a 签收 was recorded; settled
    ones, and their open milestone copies, count as closed or withdrawn (never as late)."""
    Assignment = apps.get_model("assignments", "Assignment")
    AssignmentMilestone = apps.get_model("assignments", "AssignmentMilestone")
    AssignmentEvent = apps.get_model("assignments", "AssignmentEvent")
    Task = apps.get_model("plans", "Task")
    issuer = Task.objects.filter(pk=OuterRef("task_id")).values("organisation_id")[:1]
    Assignment.objects.update(issuer_id=Subquery(issuer))
    received = AssignmentEvent.objects.filter(assignment_id=OuterRef("pk"), kind="received").order_by("created_at")
    Assignment.objects.update(received_at=Subquery(received.values("created_at")[:1]))
    for status in ("closed", "withdrawn"):
        settled = Assignment.objects.filter(status=status)
        copies = AssignmentMilestone.objects.filter(assignment__in=settled)
        copies.update(ended=status)
        copies.filter(accepted_at__isnull=True).update(progress=status, at_risk=False)
        settled.update(progress=status, escalation="", overdue_since=None)


class Migration(migrations.Migration):

    dependencies = [
        ("assignments", "0003_chain_departments_escalation"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
