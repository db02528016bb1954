"""改日期: the issuer's editor changes a milestone's dates without losing the other one; the history says what
changed; the receivers' copies follow the issuer, never one another. Date inputs open with ISO values."""

from datetime import date

import pytest
from django.urls import reverse

from assignments.models import AssignmentMilestone
from assignments.publishing import plan_publish
from assignments.services import assignment_milestone_set_due
from plans.models import Plan, PlanChange
from plans.services import milestone_update, task_create

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def milestone(tree):
    """杭州's task 摸底 from 25 April to 31 May 2019, handed to 西湖区 and 拱墅区."""
    from orgtree.services import organisation_create

    organisation_create(parent=tree.hz, name="共青团杭州市拱墅区委", org_type="county", code="330105")
    plan = Plan.objects.create(
        title="杭州2019年工作要点", organisation=tree.hz, start_year=2019, end_year=2019
    )
    task = task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月底前：摸底"})
    item = task.milestones.get()
    milestone_update(milestone=item, start=date(2019, 4, 25), due=date(2019, 5, 31))
    plan_publish(plan=plan, levels=["county"])
    return item


@pytest.fixture
def editor(login, tree, make_user):
    return login(make_user(tree.hz, "editor", username="hz-editor"))


def copies(milestone):
    return {
        c.assignment.organisation.code: (c.start_date, c.due_date)
        for c in AssignmentMilestone.objects.filter(milestone=milestone).select_related(
            "assignment__organisation"
        )
    }


def test_the_date_form_opens_with_iso_values(editor, milestone):
    body = editor.get(reverse("plans:milestone_edit", args=[milestone.pk]), **HTMX).content.decode()
    assert 'value="2019-04-25"' in body and 'value="2019-05-31"' in body


def test_a_new_due_date_alone_keeps_the_start(editor, milestone):
    url = reverse("plans:milestone_edit", args=[milestone.pk])
    assert editor.post(url, {"due": "2019-05-20"}, **HTMX).status_code == 200  # a request without `start`
    milestone.refresh_from_db()
    assert (milestone.start_date, milestone.due_date) == (date(2019, 4, 25), date(2019, 5, 20))
    assert set(copies(milestone).values()) == {(date(2019, 4, 25), date(2019, 5, 20))}
    # The browser sends the prefilled start back with the new due date: still kept.
    editor.post(url, {"start": "2019-04-25", "due": "2019-05-25"}, **HTMX)
    milestone.refresh_from_db()
    assert (milestone.start_date, milestone.due_date) == (date(2019, 4, 25), date(2019, 5, 25))
    # Emptying the start input on purpose clears it.
    editor.post(url, {"start": "", "due": "2019-05-25"}, **HTMX)
    milestone.refresh_from_db()
    assert (milestone.start_date, milestone.due_date) == (None, date(2019, 5, 25))


@pytest.mark.parametrize(
    "data",
    [
        {"due": "2019/13/45"},
        {"start": "<script>alert(1)</script>"},
        {"due": "31.05.2019x"},
        {"start": "9" * 300},
    ],
)
def test_malformed_dates_change_nothing(editor, milestone, data):
    response = editor.post(reverse("plans:milestone_edit", args=[milestone.pk]), data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Retarget" not in response and "<script>alert" not in body
    milestone.refresh_from_db()
    assert (milestone.start_date, milestone.due_date) == (date(2019, 4, 25), date(2019, 5, 31))


def test_the_history_records_start_and_due_before_and_after(editor, milestone):
    editor.post(
        reverse("plans:milestone_edit", args=[milestone.pk]),
        {"start": "2019-05-01", "due": "2019-06-15"},
        **HTMX,
    )
    change = PlanChange.objects.filter(action="milestone_update").latest("id")
    assert change.detail == {
        "seq": "1", "raw": "5月底前：摸底",
        "old_start": "2019-04-25", "new_start": "2019-05-01", "old": "2019-05-31", "new": "2019-06-15",
    }  # fmt: skip
    body = editor.get(reverse("plans:detail", args=[milestone.task.plan_id])).content.decode()
    assert "修改任务 1 的节点日期（开始 2019-04-25 → 2019-05-01，完成时限 2019-05-31 → 2019-06-15）" in body


def test_copies_follow_the_issuer_and_a_receivers_change_stays_its_own(milestone):
    """西湖区 tightens its copy: 拱墅区's copy and the issuer's milestone do not move. The issuer's later
    change reaches 拱墅区; 西湖区 keeps its tighter date until the issuer's new start passes it."""
    xh_copy = AssignmentMilestone.objects.get(milestone=milestone, assignment__organisation__code="330106")
    assignment_milestone_set_due(assignment_milestone=xh_copy, due=date(2019, 5, 10))
    milestone.refresh_from_db()
    assert milestone.due_date == date(2019, 5, 31)
    assert copies(milestone) == {
        "330106": (date(2019, 4, 25), date(2019, 5, 10)),
        "330105": (date(2019, 4, 25), date(2019, 5, 31)),
    }
    milestone_update(milestone=milestone, start=date(2019, 4, 25), due=date(2019, 6, 30))
    assert copies(milestone) == {
        "330106": (date(2019, 4, 25), date(2019, 5, 10)),
        "330105": (date(2019, 4, 25), date(2019, 6, 30)),
    }
    milestone_update(milestone=milestone, start=date(2019, 5, 15), due=date(2019, 6, 30))
    assert copies(milestone) == {
        "330106": (date(2019, 5, 15), date(2019, 6, 30)),  # a due date before the start makes no sense
        "330105": (date(2019, 5, 15), date(2019, 6, 30)),
    }


def test_the_plan_form_keeps_its_issue_date(editor, milestone):
    plan = milestone.task.plan
    plan.issue_date = date(2019, 4, 25)
    plan.save()
    url = reverse("plans:edit", args=[plan.pk])
    body = editor.get(url).content.decode()
    assert 'value="2019-04-25"' in body
    data = {"title": plan.title, "issue_date": "2019-04-25", "start_year": 2019, "end_year": 2019}
    assert editor.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.issue_date == date(2019, 4, 25)
