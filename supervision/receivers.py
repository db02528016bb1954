"""States follow progress at once: when a report is accepted or a due date moves (assignments'
progress_changed, sent after commit), that plan's statuses are refreshed — in-process in the embedded
mode, by a worker otherwise (or, with Redis down, by the next scheduled run: core.jobs)."""

from django.dispatch import receiver

from assignments.signals import progress_changed
from core.jobs import enqueue

from .tasks import refresh_statuses_task


@receiver(progress_changed, dispatch_uid="supervision.refresh_after_progress")
def refresh_after_progress(sender, plan_id, **kwargs):
    enqueue(refresh_statuses_task, plan_id=plan_id)
