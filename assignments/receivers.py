"""Assignment milestones (the receivers' dates) follow the issuer's milestones (plans' milestones_changed).

Each takes the milestone's new dates unless its receiver had set an earlier due date of their own: one
still on the old date, or later than the new one, follows; a tighter one stands, unless the issuer's new
start now lies after it. Only the issuer's change travels: a receiver's change of its own copy
(assignments.services.assignment_milestone_set_due) sends nothing and reaches no other copy. New
milestones reach every assignment of their task. A few set-based statements, whatever the number of
receivers. States of the plans concerned are refreshed after commit.
"""

from collections import defaultdict

from django.db.models import F, OuterRef, Q, Subquery
from django.dispatch import receiver

from orgtree.signals import subtree_moved
from plans.models import Milestone
from plans.signals import milestones_changed

from .ancestors import fill_missing
from .models import Assignment, AssignmentMilestone


@receiver(milestones_changed, dispatch_uid="assignments.follow_milestones")
def follow_milestones(sender, changed, created, **kwargs):
    if changed:
        ids = [pk for pk, _ in changed]
        source = Milestone.objects.filter(pk=OuterRef("milestone_id"))
        followers = AssignmentMilestone.objects.filter(milestone_id__in=ids)
        followers.update(start_date=Subquery(source.values("start_date")[:1]))
        by_old_due = defaultdict(list)
        for pk, old_due in changed:
            by_old_due[old_due].append(pk)
        follows = (
            Q(milestone__due_date__isnull=True)
            | Q(due_date__gt=F("milestone__due_date"))
            | Q(due_date__lt=F("milestone__start_date"))  # a tightened date the work now starts after
        )
        for old_due, milestone_ids in by_old_due.items():
            on_old = Q(due_date__isnull=True) if old_due is None else Q(due_date=old_due)
            follows |= Q(milestone_id__in=milestone_ids) & on_old
        followers.filter(follows).update(due_date=Subquery(source.values("due_date")[:1]))
    if created:
        new = list(Milestone.objects.filter(pk__in=created))
        receivers = defaultdict(list)
        for assignment_id, task_id, status in Assignment.objects.filter(
            task_id__in={m.task_id for m in new}
        ).values_list("id", "task_id", "status"):
            receivers[task_id].append((assignment_id, status))
        # A closed or withdrawn assignment's new copy counts as that too, as assignment_end marks the rest.
        AssignmentMilestone.objects.bulk_create(
            [
                AssignmentMilestone(
                    assignment_id=a,
                    milestone=m,
                    start_date=m.start_date,
                    due_date=m.due_date,
                    ended="" if status == Assignment.Status.ASSIGNED else status,
                )
                for m in new
                for a, status in receivers[m.task_id]
            ],
            batch_size=5000,
        )
        fill_missing()
    milestone_ids = [pk for pk, _ in changed or []] + list(created or [])
    plans = set(Milestone.objects.filter(pk__in=milestone_ids).values_list("task__plan_id", flat=True))
    if Assignment.objects.filter(plan_id__in=plans).exists():
        from .services import progress_changed_after_commit

        for plan_id in plans:  # the copies' states follow their new dates at once
            progress_changed_after_commit(plan_id)


@receiver(subtree_moved, dispatch_uid="assignments.follow_the_tree")
def follow_the_tree(sender, organisation_ids, **kwargs):
    """Moved organisations' assignments are counted under their new ancestors."""
    from .ancestors import refill

    refill(organisation_ids)
