"""check_orgtree finds broken nested-set numbers and repairs them with --fix."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgtree.integrity import check_orgtree
from orgtree.models import Organisation

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("check_orgtree", *args, stdout=out)
    return out.getvalue()


def test_clean_tree_passes(tree):
    assert "组织树完好" in run()
    assert json.loads(run("--json"))["ok"] is True


def tree_order(root):
    return list(root.get_descendants(include_self=True).order_by("lft").values_list("name", flat=True))


def test_broken_numbers_fail_and_fix_repairs_them(tree):
    order = tree_order(tree.zj)
    Organisation.objects.filter(pk=tree.xh.pk).update(lft=100, rght=101)
    Organisation.objects.filter(pk=tree.nj.pk).update(level=7)
    with pytest.raises(CommandError, match="--fix"):
        run()
    report = check_orgtree()
    assert any(f"组织 {tree.xh.pk}（" in line for line in report.examples)
    assert any(f"组织 {tree.nj.pk}（" in line and "应为 1" in line for line in report.examples)
    assert "已修复" in run("--fix")
    assert check_orgtree().ok
    # The parent links decide: 西湖区 is back under 杭州 with its street, in the same sibling order.
    assert tree_order(tree.zj) == order


def test_sparse_numbers_are_valid(tree):
    """Free slots between the last child and the parent's rght are allowed, overlaps are not."""
    xh = Organisation.objects.get(pk=tree.xh.pk)
    assert xh.rght - xh.lft + 1 > 2 * (xh.get_descendants().count() + 1)
    assert check_orgtree().ok
    bs = Organisation.objects.get(pk=tree.bs.pk)
    Organisation.objects.filter(pk=tree.br.pk).update(lft=bs.lft, rght=bs.lft + 1)
    assert not check_orgtree().ok


def test_parent_in_another_tree_is_found(tree):
    Organisation.objects.filter(pk=tree.nj.pk).update(tree_id=tree.zj.tree_id)
    report = check_orgtree()
    assert not report.ok and report.cross_tree_parents == 1
    check_orgtree(fix=True)
    assert check_orgtree().ok
    assert Organisation.objects.get(pk=tree.nj.pk).tree_id == tree.js.tree_id


def test_cycle_is_reported_not_fixed(tree):
    Organisation.objects.filter(pk=tree.hz.pk).update(parent=tree.bs)
    with pytest.raises(CommandError, match="成环"):
        run("--fix")
