"""States follow progress at once: when a report is accepted or a due date moves (assignments'
progress_changed, sent after commit), that plan's statuses are refreshed — in-process in the embedded
mode, by a worker otherwise (or, with Redis down, by the next scheduled run: core.jobs). A plan saved or
deleted renews the plan filters' token."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from assignments.signals import progress_changed
from core import generations
from core.jobs import enqueue
from plans.models import Plan

from .tasks import refresh_statuses_task


@receiver([post_save, post_delete], sender=Plan, dispatch_uid="supervision.plans_changed")
def plans_changed(sender, **kwargs):
    """The boards' and lists' plan filters are cached under this token (board.plan_choices)."""
    generations.renew(generations.PLANS)


@receiver(progress_changed, dispatch_uid="supervision.refresh_after_progress")
def refresh_after_progress(sender, plan_id, **kwargs):
    enqueue(refresh_statuses_task, plan_id=plan_id)
