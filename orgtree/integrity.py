"""Verify (and repair) the nested-set numbers of every organisation tree against the parent links."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from .importers import write_numbering
from .models import Organisation
from .numbering import number_forest
from .services import lock_tree


@dataclass
class TreeReport:
    nodes: int = 0
    trees: int = 0
    wrong_numbers: int = 0
    cross_tree_parents: int = 0
    shared_tree_ids: int = 0
    unreachable: int = 0
    examples: list[str] = field(default_factory=list)
    fixed: bool = False

    @property
    def ok(self) -> bool:
        return not (self.wrong_numbers or self.cross_tree_parents or self.shared_tree_ids or self.unreachable)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "nodes": self.nodes,
            "trees": self.trees,
            "wrong_numbers": self.wrong_numbers,
            "cross_tree_parents": self.cross_tree_parents,
            "shared_tree_ids": self.shared_tree_ids,
            "unreachable": self.unreachable,
            "examples": self.examples,
            "fixed": self.fixed,
        }


def check_orgtree(*, fix: bool = False, max_examples: int = 20) -> TreeReport:
    """Compare stored lft/rght/level/tree_id with what the parent links imply; with fix, rewrite them.

    The parent links are the truth; sibling order is kept as stored (by lft).
    """
    report = TreeReport()
    with transaction.atomic():
        if fix:
            lock_tree()
        rows = {
            row[0]: row
            for row in Organisation.objects.values_list("id", "parent_id", "tree_id", "lft", "rght", "level")
        }
        report.nodes = len(rows)

        def example(text: str) -> None:
            if len(report.examples) < max_examples:
                report.examples.append(text)

        for pk, parent_id, tree_id, *_ in rows.values():
            if parent_id is not None and parent_id in rows and rows[parent_id][2] != tree_id:
                report.cross_tree_parents += 1
                example(
                    f"组织 {pk} 与其上级 {parent_id} 不在同一棵树（tree_id {tree_id} ≠ {rows[parent_id][2]}）"
                )
        parent_of = {pk: row[1] for pk, row in rows.items()}
        sort_key = {pk: (row[2], row[3], pk) for pk, row in rows.items()}
        numbers, roots, unreachable = number_forest(parent_of, sort_key)
        report.trees = len(roots)
        report.unreachable = len(unreachable)
        for pk in unreachable[:5]:
            example(f"组织 {pk} 的上级链无法到达根组织（成环或上级缺失）")

        seen_tree_ids: dict[int, int] = {}
        tree_of_root: dict[int, int] = {}
        next_tree = (Organisation.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
        for root in roots:
            tree_id = rows[root][2]
            if tree_id in seen_tree_ids:
                report.shared_tree_ids += 1
                example(f"根组织 {root} 与 {seen_tree_ids[tree_id]} 共用 tree_id {tree_id}")
                tree_id = next_tree
                next_tree += 1
            seen_tree_ids.setdefault(tree_id, root)
            tree_of_root[root] = tree_id

        changes = []
        for pk, (lft, rght, level, root) in numbers.items():
            row = rows[pk]
            wanted = (lft, rght, level, tree_of_root[root])
            if wanted != (row[3], row[4], row[5], row[2]):
                changes.append((pk, row[1], *wanted))
                if (lft, rght, level) != (row[3], row[4], row[5]):
                    report.wrong_numbers += 1
                    example(
                        f"组织 {pk}：lft/rght/level 为 {row[3]}/{row[4]}/{row[5]}，应为 {lft}/{rght}/{level}"
                    )
        if fix and changes and not unreachable:
            write_numbering(changes)
            report.fixed = True
    return report
