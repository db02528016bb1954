"""Two reporters create the same period's report at the same moment: the one who saves second is told
someone else saved first, as for an edit, and nothing of theirs is written (no 500)."""

import threading
from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.query import QuerySet
from django.urls import reverse

from assignments.models import Assignment, AssignmentEvent
from assignments.publishing import plan_publish
from plans.models import Plan
from plans.services import task_create
from reporting import services as reporting
from reporting.models import ProgressReport, ReportMilestone

CONFLICT = "已被他人修改"
_real_first = QuerySet.first


def _publish(tree):
    plan = Plan.objects.create(
        title="杭州2019年工作要点", organisation=tree.hz, start_year=2019, end_year=2019
    )
    task_create(
        plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月底前：摸底；10月底前：验收"}
    )
    plan_publish(plan=plan, levels=["county"])
    return Assignment.objects.get(organisation=tree.xh)


def _save(assignment, percent, submit=False, claims=()):
    return reporting.report_save(
        assignment=assignment, period="2019-05", data={"stage": "in_progress", "percent": percent, "claims": list(claims)},
        user=None, version=0, submit=submit, today=date(2019, 5, 20),
    )  # fmt: skip


def _lookup_misses_the_row(self):
    """report_save's locked lookup of the period's report finds nothing: the other reporter's row was not
    committed yet when it looked."""
    if self.model is ProgressReport and self.query.select_for_update:
        return None
    return _real_first(self)


@pytest.mark.django_db
class TestRowCreatedBetweenCheckAndInsert:
    @pytest.fixture
    def assignment(self, tree):
        return _publish(tree)

    def test_the_second_creator_is_told_someone_saved_first(self, assignment):
        _save(assignment, 10)
        milestone = assignment.milestones.first()
        with (
            mock.patch.object(QuerySet, "first", _lookup_misses_the_row),
            pytest.raises(ValidationError, match=CONFLICT),
        ):
            _save(assignment, 99, submit=True, claims=[(milestone.pk, date(2019, 5, 19))])
        report = ProgressReport.objects.get()
        assert (report.percent, report.status, report.version) == (10, "draft", 1)  # the first one stands
        assert not ReportMilestone.objects.exists()
        assert not AssignmentEvent.objects.filter(kind=AssignmentEvent.Kind.REPORTED).exists()

    def test_the_form_shows_the_message_instead_of_a_500(self, assignment, login, tree, make_user):
        _save(assignment, 10)
        client = login(make_user(tree.xh, "reporter"))
        url = reverse("reporting:report", args=[assignment.pk]) + "?period=2019-05"
        with mock.patch.object(QuerySet, "first", _lookup_misses_the_row):
            response = client.post(
                url, {"period": "2019-05", "stage": "in_progress", "percent": 70, "version": 0, "save": "1"}
            )
        assert response.status_code == 200
        assert CONFLICT in response.content.decode()
        assert ProgressReport.objects.get().percent == 10


def _race(assignment):
    """Two reporters save the same new period at once: both look before either inserts, so each finds no
    report and both insert."""
    both_looked = threading.Barrier(2, timeout=30)
    saved, refused, errors = [], [], []

    def lookup_then_wait(self):
        found = _real_first(self)
        if self.model is ProgressReport and self.query.select_for_update:
            both_looked.wait()
        return found

    def run(percent):
        from django.db import connection as thread_connection

        try:
            saved.append(_save(Assignment.objects.get(pk=assignment.pk), percent).percent)
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
        except Exception as exc:  # noqa: BLE001 - surfaced by the caller
            errors.append(exc)
        finally:
            thread_connection.close()

    with mock.patch.object(QuerySet, "first", lookup_then_wait):
        threads = [threading.Thread(target=run, args=(p,)) for p in (30, 60)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return saved, refused, errors


@pytest.mark.django_db(transaction=True)
def test_two_reporters_creating_the_same_period_at_once(build_tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    assignment = _publish(build_tree())
    for attempt in range(8):
        ProgressReport.objects.all().delete()
        saved, refused, errors = _race(assignment)
        assert not errors, (attempt, errors)  # no IntegrityError, no 500
        assert len(saved) == 1 and len(refused) == 1 and CONFLICT in refused[0], attempt
        assert list(ProgressReport.objects.values_list("percent", flat=True)) == saved
