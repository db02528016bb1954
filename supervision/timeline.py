"""The plan over time (时间轴): one row per task of a plan, or per assignment an organisation (or one of its
departments) received, from its first start to its last due date, with a marker per milestone coloured by
its state, the 督办单 level, and a link to the item. Everything goes through the scoped querysets."""

from __future__ import annotations

from datetime import date

from django.db.models import Count
from django.urls import reverse

from assignments.models import Assignment, AssignmentMilestone, Escalation, ProgressStatus
from plans.models import Milestone, Plan

from .status import RANKS

ROW_LIMIT = 300  # rows drawn; the page says when there are more
LEVELS = dict(Escalation.choices)


def _marker(day: date | None, state: str, label: str, detail: str = "") -> dict:
    status = ProgressStatus(state)
    return {
        "date": day.isoformat() if day else None,
        "state": status.value,
        "state_label": status.label,
        "tone": status.tone,
        "label": label,
        "detail": detail,
    }


def _row(label: str, url: str, markers: list[dict], dates: list[date | None], level: str, state: str) -> dict:
    """One bar, from the earliest to the latest of its milestones' start and due dates."""
    days = [d for d in dates if d]
    status = ProgressStatus(state)
    return {
        "label": label,
        "url": url,
        "markers": markers,
        "level": level,
        "level_label": LEVELS.get(level, ""),
        "state": status.value,
        "state_label": status.label,
        "tone": status.tone,
        "start": min(days).isoformat() if days else None,
        "end": max(days).isoformat() if days else None,
    }


def _worst(states) -> str:
    return max(states, key=lambda s: RANKS[s], default=ProgressStatus.ON_TRACK.value)


def organisation_timeline(*, user, org, department_id: int | None = None, plan_id: int | None = None) -> dict:
    """What org itself received (not its subtree), one row per assignment."""
    rows = Assignment.objects.for_user(user, "view").filter(organisation=org)
    if department_id:
        rows = rows.filter(department_id=department_id)
    if plan_id:
        rows = rows.filter(plan_id=plan_id)
    rows = rows.exclude(status=Assignment.Status.WITHDRAWN)
    total = rows.count()
    picked = list(
        rows.select_related("task", "plan", "department").order_by(
            "-plan__start_year", "plan_id", "task__order", "task_id", "pk"
        )[:ROW_LIMIT]
    )
    copies: dict[int, list] = {}
    for copy in (
        AssignmentMilestone.objects.filter(assignment_id__in=[a.pk for a in picked])
        .select_related("milestone")
        .order_by("due_date", "pk")
    ):
        copies.setdefault(copy.assignment_id, []).append(copy)
    out = []
    for a in picked:
        mine = copies.get(a.pk, [])
        markers = [
            _marker(
                c.due_date,
                c.progress,
                c.milestone.raw[:40],
                "常态化，无完成时限" if c.due_date is None else "",
            )
            for c in mine
        ]
        label = str(a.task)
        if a.department_id:
            label += f"（{a.department.name}）"
        out.append(
            _row(
                label,
                reverse("reporting:assignment", args=[a.pk]),
                markers,
                [c.start_date for c in mine] + [c.due_date for c in mine],
                a.escalation if a.status == Assignment.Status.ASSIGNED else "",
                a.progress,
            )
        )
    return {"rows": out, "total": total, "limited": total > len(out)}


def plan_timeline(*, user, plan: Plan) -> dict:
    """A plan's tasks, each milestone coloured by the worst state of its copies the user may see (how
    many are in that state is in its detail), each task's worst 督办单 level."""
    visible = Assignment.objects.for_user(user, "view").filter(plan=plan)
    states: dict[int, dict[str, int]] = {}
    for milestone_id, state, n in (
        AssignmentMilestone.objects.filter(assignment__in=visible)
        .order_by()
        .values_list("milestone_id", "progress")
        .annotate(n=Count("id"))
    ):
        states.setdefault(milestone_id, {})[state] = n
    levels: dict[int, set[str]] = {}
    for task_id, level in (
        visible.filter(status=Assignment.Status.ASSIGNED)
        .exclude(escalation="")
        .order_by()
        .values_list("task_id", "escalation")
        .distinct()
    ):
        levels.setdefault(task_id, set()).add(level)
    milestones: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.filter(task__plan=plan).order_by("order", "pk"):
        milestones.setdefault(m.task_id, []).append(m)
    tasks = list(plan.tasks.order_by("order", "pk")[:ROW_LIMIT])
    url = reverse("plans:detail", args=[plan.pk])
    out = []
    for task in tasks:
        markers, task_states = [], []
        for m in milestones.get(task.pk, []):
            found = states.get(m.pk, {})
            worst = (
                _worst(found)
                if found
                else (ProgressStatus.ONGOING if m.due_date is None else ProgressStatus.ON_TRACK).value
            )
            task_states.append(worst)
            detail = "，".join(
                f"{ProgressStatus(s).label} {n}" for s, n in sorted(found.items(), key=lambda x: -RANKS[x[0]])
            )
            markers.append(_marker(m.due_date, worst, m.raw[:40], detail))
        level = (
            Escalation.RED
            if Escalation.RED in levels.get(task.pk, ())
            else (Escalation.YELLOW if levels.get(task.pk) else "")
        )
        label = str(task)
        out.append(
            _row(
                label,
                f"{url}#task-{task.pk}",
                markers,
                [d for m in milestones.get(task.pk, []) for d in (m.start_date, m.due_date)],
                level,
                _worst(task_states),
            )
        )
    total = plan.tasks.count()
    return {"rows": out, "total": total, "limited": total > len(out)}
