"""News from the organisation tree for the floors above it."""

from django.dispatch import Signal

# Sent inside the transaction after organisations changed place in the tree (a move, a merge's grafted
# children); `organisation_ids` are the roots of the subtrees that moved.
subtree_moved = Signal()
