"""Subtree pages cost the same number of queries whatever the size of the subtree."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgtree.models import OrgType
from orgtree.services import organisation_create

pytestmark = pytest.mark.django_db

MAX_QUERIES = 14


def grow(tree, townships):
    for i in range(townships):
        town = organisation_create(parent=tree.xh, name=f"第{i}镇团委", org_type=OrgType.TOWNSHIP)
        for j in range(2):
            organisation_create(parent=town, name=f"第{i}镇第{j}村团支部", org_type=OrgType.BRANCH)


def page_costs(client, tree):
    urls = [
        reverse("orgtree:tree"),
        reverse("orgtree:tree") + "?q=团支部",
        reverse("orgtree:detail", args=[tree.xh.pk]),
        reverse("orgtree:children", args=[tree.xh.pk]),
        reverse("orgtree:pick") + "?q=团委",
    ]
    costs = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        costs[url] = len(ctx.captured_queries)
    return costs


def test_query_counts_do_not_grow_with_the_tree(tree, make_user, client, django_assert_max_num_queries):
    client.force_login(make_user(tree.hz, "admin"))
    grow(tree, 3)
    small = page_costs(client, tree)
    grow(tree, 40)
    large = page_costs(client, tree)
    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("orgtree:detail", args=[tree.xh.pk]))
    assert max(large.values()) <= MAX_QUERIES
