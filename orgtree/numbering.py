"""Nested-set numbering computed in memory, written back in bulk.

The numbering is sparse: an organisation that can have children keeps a few free slots before its
rght, so that adding a child (a new 团支部 under a township, a school under a county) usually writes one
row instead of renumbering every node to its right — 64k rows in Shandong. Widths stay even, so
django-mptt's moves, which measure a subtree as rght - lft + 1, keep working on a sparse tree.

Used by the division loader, by organisation_create and by check_orgtree --fix; write_numbering stores
numbers computed here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection

SPARE_SLOTS = 32  # free slots inside each organisation that can have children (loads and repairs)
NEW_NODE_SPARE = 8  # inside an organisation created by hand
REFILL_SLOTS = 32  # opened beyond what an insert needs, when the parent has no room left
BRANCH = "branch"  # 团支部: the leaves of the League's tree get no free slots


def spare_slots(org_type: str, slots: int = SPARE_SLOTS) -> int:
    return 0 if org_type == BRANCH else slots


def number_forest(
    parent_of: dict, sort_key: dict[int, Sequence] | None = None, spare: dict | None = None
) -> tuple[dict, list, list]:
    """Number every tree of a forest given child → parent links.

    Children are numbered in sort_key order, or in the order they appear in parent_of. `spare` gives
    the free slots (an even number) to leave inside a node before its rght.
    Returns ({node: (lft, rght, level, root)}, roots, unreachable): unreachable nodes are those whose
    parent chain never reaches a root (a cycle or a missing parent).
    """
    children: dict[int | None, list[int]] = defaultdict(list)
    for node, parent in parent_of.items():
        if parent is not None and parent not in parent_of:
            parent = -1  # missing parent: collected below as unreachable
        children[parent].append(node)
    if sort_key is not None:
        for kids in children.values():
            kids.sort(key=sort_key.__getitem__)
    roots = children.get(None, [])
    numbers: dict = {}
    for root in roots:
        _number_tree(root, children, numbers, spare or {})
    unreachable = [node for node in parent_of if node not in numbers]
    return numbers, roots, unreachable


def _number_tree(root, children: dict, numbers: dict, spare: dict) -> None:
    counter = 1
    lfts: dict = {}
    # (node, level, leaving): iterative DFS, the national tree is too deep a recursion for nothing.
    stack: list[tuple] = [(root, 0, False)]
    while stack:
        node, level, leaving = stack.pop()
        if leaving:
            counter += spare.get(node, 0)
            numbers[node] = (lfts.pop(node), counter, level, root)
            counter += 1
            continue
        lfts[node] = counter
        counter += 1
        stack.append((node, level, True))
        kids = children.get(node)
        if kids:
            stack.extend((kid, level + 1, False) for kid in reversed(kids))


def find_cycle(parent_of: dict[str, str | None]) -> list[str] | None:
    """A cycle in child → parent links, as the list of nodes on it, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in parent_of:
        if start in state:
            continue
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent_of and node not in state:
            state[node] = 1
            path.append(node)
            node = parent_of[node]
        if node is not None and state.get(node) == 1:
            return path[path.index(node) :] + [node]
        for visited in path:
            state[visited] = 2
    return None


def chunked(items: Iterable, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def nesting_errors(rows: Iterable[tuple]) -> dict:
    """Check stored numbers of one or more trees: {id: reason} for every node that does not nest.

    rows: (id, parent_id, tree_id, lft, rght, level). Valid means, per tree in lft order, that each node
    lies strictly inside its parent's interval, after its previous siblings, at its parent's level + 1;
    free slots between siblings are allowed.
    """
    errors: dict = {}
    by_tree: dict = defaultdict(list)
    for row in rows:
        by_tree[row[2]].append(row)
    for nodes in by_tree.values():
        nodes.sort(key=lambda row: (row[3], row[4]))
        stack: list[tuple] = []
        seen_root = False
        for pk, parent_id, _tree, lft, rght, level in nodes:
            if lft >= rght:
                errors[pk] = f"lft {lft} ≥ rght {rght}"
                continue
            while stack and stack[-1][4] < lft:
                stack.pop()
            enclosing = stack[-1] if stack else None
            if enclosing is None:
                if parent_id is not None:
                    errors[pk] = "不在上级组织的区间内"
                elif seen_root or lft != 1 or level != 0:
                    errors[pk] = "同一棵树有多个根，或根的编号不从 1 开始"
                seen_root = True
            elif enclosing[0] != parent_id:
                errors[pk] = f"区间落在组织 {enclosing[0]} 内，而上级是 {parent_id}"
            elif rght >= enclosing[4]:
                errors[pk] = "区间超出上级组织"
            elif level != enclosing[5] + 1:
                errors[pk] = f"level 为 {level}，应为 {enclosing[5] + 1}"
            stack.append((pk, parent_id, _tree, lft, rght, level))
    return errors


def write_numbering(changes: list[tuple[int, int | None, int, int, int, int]]) -> None:
    """Write (id, parent_id, lft, rght, level, tree_id) for existing rows in bulk."""
    if not changes:
        return
    table = "orgtree_organisation"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE orgtree_renumber (id bigint PRIMARY KEY, parent_id bigint, lft integer, "
                "rght integer, level integer, tree_id integer) ON COMMIT DROP"
            )
            with cursor.cursor.copy("COPY orgtree_renumber FROM STDIN") as copy:
                for row in changes:
                    copy.write_row(row)
            cursor.execute(
                f'UPDATE "{table}" o SET parent_id = r.parent_id, lft = r.lft, rght = r.rght, '
                "level = r.level, tree_id = r.tree_id FROM orgtree_renumber r WHERE o.id = r.id"
            )
            cursor.execute("DROP TABLE orgtree_renumber")
        else:
            cursor.executemany(
                f'UPDATE "{table}" SET parent_id = %s, lft = %s, rght = %s, level = %s, tree_id = %s '
                "WHERE id = %s",
                [(p, lft, rght, level, tree, pk) for pk, p, lft, rght, level, tree in changes],
            )
