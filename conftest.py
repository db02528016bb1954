"""Shared fixtures: a small two-province tree and users holding each role at each level."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, settings

# The suite must pass on a busy 2-core machine: no deadlines, and no health check that fails a test for
# being slow to generate data (it says nothing about the code under test).
settings.register_profile(
    "tuanjian", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("tuanjian")

SHARED_DIVISIONS = Path(__file__).resolve().parent.parent / "shared" / "data" / "divisions"
PASSWORD = "Tuanjian-test-2026"


@pytest.fixture
def build_tree(db):
    """Two provinces; Zhejiang with two cities, a county, a street and a branch."""
    from orgtree.models import OrgType
    from orgtree.services import department_create, organisation_create

    def build():
        zj = organisation_create(parent=None, name="共青团浙江省委", org_type=OrgType.PROVINCE, code="330000")
        hz = organisation_create(parent=zj, name="共青团杭州市委", org_type=OrgType.CITY, code="330100")
        xh = organisation_create(
            parent=hz, name="共青团杭州市西湖区委", org_type=OrgType.COUNTY, code="330106"
        )
        bs = organisation_create(parent=xh, name="北山街道团工委", org_type=OrgType.STREET, code="330106002")
        br = organisation_create(
            parent=bs, name="宝石社区团支部", org_type=OrgType.BRANCH, code="330106002052"
        )
        nb = organisation_create(parent=zj, name="共青团宁波市委", org_type=OrgType.CITY, code="330200")
        hs = organisation_create(
            parent=nb, name="共青团宁波市海曙区委", org_type=OrgType.COUNTY, code="330203"
        )
        js = organisation_create(parent=None, name="共青团江苏省委", org_type=OrgType.PROVINCE, code="320000")
        nj = organisation_create(parent=js, name="共青团南京市委", org_type=OrgType.CITY, code="320100")
        dept_hz = department_create(organisation=hz, name="组织部")
        dept_nb = department_create(organisation=nb, name="宁波学校部")
        return SimpleNamespace(
            zj=zj, hz=hz, xh=xh, bs=bs, br=br, nb=nb, hs=hs, js=js, nj=nj, dept_hz=dept_hz, dept_nb=dept_nb
        )

    return build


@pytest.fixture
def tree(build_tree):
    return build_tree()


@pytest.fixture
def make_user(db):
    from orgtree.models import Membership

    counter = {"n": 0}

    def make(org=None, role=None, **extra):
        counter["n"] += 1
        user = get_user_model().objects.create_user(
            username=extra.pop("username", f"user{counter['n']}"), password=PASSWORD, **extra
        )
        if org is not None:
            Membership.objects.create(user=user, organisation=org, role=role)
        return user

    return make


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def world(tree, settings, tmp_path):
    """Two sibling subtrees with the same plan, assignment, reports and imports (tests.scoped_views)."""
    from tests.scoped_views import build_world

    settings.MEDIA_ROOT = tmp_path
    return build_world(tree)


@pytest.fixture
def shared_divisions():
    if not (SHARED_DIVISIONS / "areas.csv").is_file():
        pytest.skip("../shared/data/divisions is not present on this machine")
    return SHARED_DIVISIONS


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_local_cache(settings):
    """A test's cached keys (throttles) do not leak into the next test. Only the in-process cache is
    cleared: clearing Redis would flush the broker's queues too."""
    yield
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()


@pytest.fixture(autouse=True)
def _states_as_the_test_sets_them(settings):
    """Pages do not refresh the states on their own in tests (one test checks that they do)."""
    settings.STATES_REFRESH_ON_PAGE = False


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks run in-process in tests, also in CI where REDIS_URL is set; the real-worker test opts out by
    setting task_always_eager back to False (restored afterwards)."""
    from tuanjian.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app.conf
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
