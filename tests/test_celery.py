"""Celery: tasks run eagerly in the embedded mode and on a real worker when Redis is configured."""

import pytest
from django.conf import settings

from orgtree.models import Organisation
from orgtree.tasks import check_orgtree_task
from tuanjian.celery import app


@pytest.mark.django_db
def test_eager_mode_runs_tasks_in_process_and_propagates_errors(tree, monkeypatch, celery_eager):
    assert celery_eager.task_always_eager
    result = check_orgtree_task.delay().get()
    assert result["ok"] and result["nodes"] == Organisation.objects.count()

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("orgtree.tasks.check_orgtree", broken)
    with pytest.raises(RuntimeError, match="boom"):
        check_orgtree_task.delay()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker)")
@pytest.mark.django_db(transaction=True)
def test_real_worker_reports_a_broken_tree(build_tree, celery_eager):
    from celery.contrib.testing import tasks  # noqa: F401 - registers celery.ping for the worker's ping check
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connection

    def close_worker_connection(**kwargs):
        connection.close()  # the worker thread's own connection, so the test database can be dropped

    from assignments.models import Assignment, AssignmentMilestone
    from assignments.publishing import plan_publish
    from plans.models import Plan
    from plans.services import task_create
    from supervision.tasks import refresh_statuses_task

    tree = build_tree()
    plan = Plan.objects.create(title="计划", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "3月：甲"})
    plan_publish(plan=plan, levels=["city"])
    AssignmentMilestone.objects.update(progress="on_track")  # as published, before any refresh
    Assignment.objects.update(progress="on_track", overdue_since=None)
    Organisation.objects.filter(pk=tree.bs.pk).update(rght=999)
    celery_eager.task_always_eager = False  # the fixture puts it back
    app.control.purge()  # messages left by an earlier run would be executed first and skew the results
    task_postrun.connect(close_worker_connection, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=30):
            result = check_orgtree_task.delay().get(timeout=60)
            refreshed = refresh_statuses_task.delay("2019-05-01").get(timeout=60)
    finally:
        task_postrun.disconnect(close_worker_connection)
    assert result["ok"] is False and result["wrong_numbers"] >= 1
    assert refreshed == {"today": "2019-05-01", "milestones_changed": 2, "assignments_changed": 2}
    assert set(AssignmentMilestone.objects.values_list("progress", flat=True)) == {"overdue"}
