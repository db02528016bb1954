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


def test_broken_numbers_fail_and_fix_repairs_them(tree):
    before = dict(Organisation.objects.values_list("id", "lft"))
    Organisation.objects.filter(pk=tree.xh.pk).update(lft=100, rght=101)
    Organisation.objects.filter(pk=tree.nj.pk).update(level=7)
    with pytest.raises(CommandError, match="--fix"):
        run()
    report = check_orgtree()
    assert report.wrong_numbers == 2 and any("应为" in line for line in report.examples)
    assert "已修复" in run("--fix")
    assert check_orgtree().ok
    assert dict(Organisation.objects.values_list("id", "lft")) == before


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
