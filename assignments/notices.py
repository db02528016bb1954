"""Telling people what happened to an assignment — in the app at once (the bell) and by e-mail with the
next batch — at most once per person, item and day (notifications' unique key)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notifications_create

from .models import Assignment
from .selectors import leaders, responsible_users


def assignment_url(assignment_id: int) -> str:
    return reverse("reporting:assignment", args=[assignment_id])


def notify(user_ids, *, key: str, title: str, url: str = "", body: str = "", day: date | None = None) -> int:
    day = day or timezone.localdate()
    notices = [
        Notification(recipient_id=user, key=key[:80], day=day, title=title[:200], body=body, url=url)
        for user in sorted(set(user_ids))
    ]
    return notifications_create(notices, day=day)


def notify_responsible(assignment: Assignment, *, key: str, title: str, body: str = "",
                       with_leaders: bool = False, day: date | None = None) -> int:  # fmt: skip
    """The people who answer for one assignment (and, for what is late, the receiving leaders)."""
    pair = (assignment.organisation_id, assignment.department_id)
    users = set(responsible_users([pair]).get(pair, set()))
    if with_leaders:
        users |= leaders([assignment.organisation_id]).get(assignment.organisation_id, set())
    return notify(users, key=key, title=title, body=body, url=assignment_url(assignment.pk), day=day)


def notify_received(assignments, *, title: str, key: str, url: str, day: date | None = None) -> int:
    """New assignments (交办, 分解交办): one notice per person, counting what reached them."""
    pairs: dict[tuple[int, int | None], int] = {}
    for org, department in assignments.values_list("organisation_id", "department_id"):
        pairs[(org, department)] = pairs.get((org, department), 0) + 1
    per_user: dict[int, int] = {}
    for pair, users in responsible_users(pairs).items():
        for user in users:
            per_user[user] = per_user.get(user, 0) + pairs[pair]
    day = day or timezone.localdate()
    notices = [
        Notification(
            recipient_id=user, key=key[:80], day=day, title=title.replace("{n}", str(n))[:200], url=url
        )
        for user, n in per_user.items()
    ]
    return notifications_create(notices, day=day)
