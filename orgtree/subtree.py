"""The one definition of "inside an organisation's subtree", as an ORM filter, a SQL fragment and a test
on loaded rows.

Each province is its own nested-set tree: a node lies in org's subtree when it has org's tree_id and its
lft falls within org's [lft, rght]. 团中央 (org_type central) is a root of its own whose subtree is every
tree. Numbers are sparse (free slots), which never matters here: containment only compares bounds.
"""

from __future__ import annotations

from django.db.models import Q

CENTRAL = "central"


def subtree_q(org, prefix: str = "", *, include_self: bool = True, national: bool = True) -> Q:
    """Q over rows whose organisation (reached through `prefix`, e.g. "assignment__organisation__") lies
    in org's subtree. national=False keeps to org's own tree (django-mptt's meaning of descendants)."""
    if national and org.org_type == CENTRAL:
        return Q() if include_self else ~Q(**{f"{prefix}pk": org.pk})
    low = {f"{prefix}lft__gte" if include_self else f"{prefix}lft__gt": org.lft}
    high = {f"{prefix}lft__lte" if include_self else f"{prefix}lft__lt": org.rght}
    return Q(**{f"{prefix}tree_id": org.tree_id}, **low, **high)


def subtree_sql(node: str, root: str, *, national: bool = True) -> str:
    """SQL: the organisation row aliased `node` lies in the subtree of the row aliased `root` (itself
    included). With national, a 团中央 root holds every node."""
    nested = f"({node}.tree_id = {root}.tree_id AND {node}.lft BETWEEN {root}.lft AND {root}.rght)"
    return f"({root}.org_type = '{CENTRAL}' OR {nested})" if national else nested


def contains(ancestor, node) -> bool:
    """Whether `node` is `ancestor` or lies in its subtree, from rows already loaded."""
    if ancestor.org_type == CENTRAL:
        return True
    return node.tree_id == ancestor.tree_id and ancestor.lft <= node.lft <= ancestor.rght
