"""What the assignments app tells the apps built on it, without importing them."""

from django.dispatch import Signal

# Sent when what the status engine reads has changed for a plan's assignments (a milestone accepted, a
# due date moved, an assignment closed or withdrawn), inside the transaction that changed it.
progress_changed = Signal()  # plan_id
