"""What the plans app tells the apps built on it, without importing them."""

from django.dispatch import Signal

# Sent after milestones were re-read from a schedule or re-dated by hand, inside the same transaction.
# changed: [(milestone_id, due date before the change)] for milestones whose dates changed;
# created: ids of milestones that did not exist before. Receivers keep their own copies in step.
milestones_changed = Signal()
