"""Celery tasks of the assignments app: thin wrappers."""

from datetime import datetime

from celery import shared_task
from django.db import OperationalError
from django.urls import reverse

from plans.models import Plan

from .models import Assignment
from .notices import notify_received


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 3})
def notify_published_task(plan_id: int, created_at: str) -> int:
    """交办: everyone who answers for one of the assignments a publish created hears of it once."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        return 0
    new = Assignment.objects.filter(plan_id=plan_id, created_at=datetime.fromisoformat(created_at))
    title = f"收到交办：《{plan.title[:60]}》" + "{n} 项任务"
    return notify_received(new, title=title, key=f"assigned:{plan_id}", url=reverse("reporting:my"))
