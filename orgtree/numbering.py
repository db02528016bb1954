"""Nested-set numbering computed in memory, written back in bulk.

Used by the division loader (numbers built once for hundreds of thousands of nodes instead of one tree
update per insert) and by check_orgtree, which compares the stored numbers with the ones the parent
links imply and rewrites them with --fix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence


def number_forest(
    parent_of: dict[int, int | None], sort_key: dict[int, Sequence] | None = None
) -> tuple[dict[int, tuple[int, int, int, int]], list[int], list[int]]:
    """Number every tree of a forest given child → parent links.

    Returns ({node: (lft, rght, level, root)}, roots, unreachable): roots in sort order; unreachable
    nodes are those whose parent chain never reaches a root (a cycle or a missing parent).
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
    numbers: dict[int, tuple[int, int, int]] = {}
    for root in roots:
        _number_tree(root, children, numbers)
    unreachable = [node for node in parent_of if node not in numbers]
    return numbers, roots, unreachable


def _number_tree(root: int, children: dict, numbers: dict) -> None:
    counter = 1
    lfts: dict[int, int] = {}
    # (node, level, leaving): iterative DFS, the national tree is too deep a recursion for nothing.
    stack: list[tuple[int, int, bool]] = [(root, 0, False)]
    while stack:
        node, level, leaving = stack.pop()
        if leaving:
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
