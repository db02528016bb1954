"""A county reporter saves a draft with a ticked milestone and its completion date, reopens it the next day:
the date is there (as <input type="date"> can show it) and survives saving again."""

import re
from datetime import date

import pytest
from django.urls import reverse

from assignments.models import Assignment
from assignments.publishing import plan_publish
from plans.models import Plan
from plans.services import task_create
from reporting.models import ProgressReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(tree):
    plan = Plan.objects.create(
        title="杭州2019年工作要点", organisation=tree.hz, start_year=2019, end_year=2019
    )
    task_create(
        plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月底前：摸底；10月底前：验收"}
    )
    plan_publish(plan=plan, levels=["county"])
    return Assignment.objects.get(organisation=tree.xh)


def form_values(body: str) -> dict[str, str]:
    """What the browser would send back: each named input's value, ticked boxes only."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or ('type="checkbox"' in tag and "checked" not in tag):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = value.group(1) if value else ("on" if 'type="checkbox"' in tag else "")
    return values


def test_a_draft_keeps_its_completion_date(login, tree, make_user, assignment):
    client = login(make_user(tree.xh, "reporter"))
    first = assignment.milestones.order_by("milestone__order").first()
    url = reverse("reporting:report", args=[assignment.pk]) + "?period=2019-05"
    saved = client.post(url, {
        "period": "2019-05", "stage": "in_progress", "percent": 40, "narrative": "摸底过半", "version": 0,
        f"done_{first.pk}": "on", f"on_{first.pk}": "2019-04-25", "save": "1",
    })  # fmt: skip
    assert saved.status_code == 302
    reopened = client.get(url).content.decode()
    values = form_values(reopened)
    assert values[f"on_{first.pk}"] == "2019-04-25" and values[f"done_{first.pk}"] == "on"
    # Saved again as reopened, untouched: the date survives.
    again = client.post(url, {**values, "stage": "in_progress", "narrative": "摸底过半", "save": "1"})
    assert again.status_code == 302
    claim = ProgressReport.objects.get().claims.get()
    assert (claim.assignment_milestone_id, claim.completed_on) == (first.pk, date(2019, 4, 25))
    assert form_values(client.get(url).content.decode())[f"on_{first.pk}"] == "2019-04-25"


@pytest.mark.parametrize("typed", ["2019/13/45", "<script>alert(1)</script>", "25.04.2019x", "9" * 300])
def test_a_malformed_completion_date_saves_nothing(login, tree, make_user, assignment, typed):
    client = login(make_user(tree.xh, "reporter"))
    first = assignment.milestones.order_by("milestone__order").first()
    url = reverse("reporting:report", args=[assignment.pk]) + "?period=2019-05"
    response = client.post(url, {
        "period": "2019-05", "stage": "in_progress", "percent": 40, "version": 0,
        f"done_{first.pk}": "on", f"on_{first.pk}": typed, "save": "1",
    })  # fmt: skip
    assert response.status_code == 200 and "<script>alert" not in response.content.decode()
    assert not ProgressReport.objects.filter(claims__isnull=False).exists()
