"""Verify (and repair) the nested-set numbers of every organisation tree against the parent links."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from .models import Organisation
from .numbering import nesting_errors, number_forest, spare_slots, write_numbering
from .services import lock_tree


@dataclass
class TreeReport:
    nodes: int = 0
    trees: int = 0
    wrong_numbers: int = 0
    cross_tree_parents: int = 0
    shared_tree_ids: int = 0
    unreachable: int = 0
    repaired_nodes: int = 0
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
            "repaired_nodes": self.repaired_nodes,
            "examples": self.examples,
            "fixed": self.fixed,
        }


def check_orgtree(*, fix: bool = False, max_examples: int = 20) -> TreeReport:
    """Check that stored lft/rght/level/tree_id nest the way the parent links say; with fix, renumber
    the broken trees from the parent links (the truth), keeping sibling order as stored.
    """
    report = TreeReport()
    with transaction.atomic():
        if fix:
            lock_tree()
        rows = list(
            Organisation.objects.values_list("id", "parent_id", "tree_id", "lft", "rght", "level", "org_type")
        )
        by_id = {row[0]: row for row in rows}
        report.nodes = len(rows)

        def example(text: str) -> None:
            if len(report.examples) < max_examples:
                report.examples.append(text)

        bad_trees: set[int] = set()
        for pk, parent_id, tree_id, *_ in rows:
            parent = by_id.get(parent_id)
            if parent is not None and parent[2] != tree_id:
                report.cross_tree_parents += 1
                bad_trees.update((tree_id, parent[2]))
                example(f"组织 {pk} 与其上级 {parent_id} 不在同一棵树（tree_id {tree_id} ≠ {parent[2]}）")
        errors = nesting_errors(row[:6] for row in rows)
        report.wrong_numbers = len(errors)
        for pk, reason in list(errors.items())[:max_examples]:
            row = by_id[pk]
            bad_trees.add(row[2])
            example(f"组织 {pk}（lft {row[3]}，rght {row[4]}，level {row[5]}）：{reason}")
        bad_trees.update(by_id[pk][2] for pk in errors)

        parent_of = {row[0]: row[1] for row in sorted(rows, key=lambda row: (row[2], row[3], row[0]))}
        spare = {row[0]: spare_slots(row[6]) for row in rows}
        numbers, roots, unreachable = number_forest(parent_of, spare=spare)
        report.trees = len(roots)
        report.unreachable = len(unreachable)
        for pk in unreachable[:5]:
            example(f"组织 {pk} 的上级链无法到达根组织（成环或上级缺失）")

        seen_tree_ids: dict[int, int] = {}
        tree_of_root: dict[int, int] = {}
        next_tree = (Organisation.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
        for root in roots:
            tree_id = by_id[root][2]
            if tree_id in seen_tree_ids:
                report.shared_tree_ids += 1
                bad_trees.add(tree_id)
                example(f"根组织 {root} 与 {seen_tree_ids[tree_id]} 共用 tree_id {tree_id}")
                tree_id = next_tree
                next_tree += 1
            seen_tree_ids.setdefault(tree_id, root)
            tree_of_root[root] = tree_id

        if fix and bad_trees and not unreachable:
            changes = []
            for pk, (lft, rght, level, root) in numbers.items():
                row = by_id[pk]
                if row[2] in bad_trees or by_id[root][2] in bad_trees:
                    wanted = (lft, rght, level, tree_of_root[root])
                    if wanted != (row[3], row[4], row[5], row[2]):
                        changes.append((pk, row[1], *wanted))
            write_numbering(changes)
            report.repaired_nodes = len(changes)
            report.fixed = True
    return report
