"""Demo data for `make run`: Zhejiang to county level, some townships and 团支部, one login per role and
level, the shipped indicators with Zhejiang's targets and county figures for 2019–2021, and the 浙江 task
table as this year's plan, published to cities and counties, with a year of work on it. Idempotent."""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from assignments.models import (
    Assignment,
    AssignmentEvent,
    AssignmentMilestone,
    Escalation,
    ExtensionRequest,
    ProgressStatus,
)
from assignments.publishing import plan_publish
from assignments.services import (
    assignment_break_down,
    assignment_receive,
    assignment_urge,
    extension_request_create,
    extension_request_decide,
)
from assignments.signals import progress_changed
from core.periods import period_of
from evaluation.services import bulletin_issue
from indicators.definitions import load_indicators
from indicators.figures import entry_for
from indicators.models import Indicator, Source, Value
from indicators.services import values_save
from notifications.models import Notification
from orgtree.importers import load_divisions
from orgtree.models import Department, Membership, Organisation, OrgType
from orgtree.services import organisation_create
from plans.imports import plan_import_commit, plan_import_preview
from plans.models import Plan, PlanChange, ReportFrequency
from plans.services import plan_update, task_create, tasks_make_routine
from reporting.models import ProgressReport
from reporting.services import report_review, report_save
from supervision.receivers import refresh_after_progress
from supervision.reminders import send_reminders
from supervision.status import refresh_statuses

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
INDICATORS = Path(settings.BASE_DIR) / "fixtures" / "indicators" / "indicators.json"
# Left unreported for the latest year, so the demo shows missing reports (and 西湖区 can fill its own in).
UNREPORTED_2021 = {"330106", "330110"}


def _find(ref: str) -> Organisation:
    """An organisation of the demo file: by division code, else by its (unique) name."""
    return Organisation.objects.by_ref(ref) if ref.isdigit() else Organisation.objects.get(name=ref)


@transaction.atomic
def load_demo_organisations(directory: Path = DEMO_DIR) -> list[dict]:
    """The demo tree, departments and accounts; returns the logins to print."""
    spec = json.loads((directory / "demo.json").read_text(encoding="utf-8"))
    load_divisions(directory / spec["divisions"])
    for code, names in spec["departments"].items():
        org = _find(code)
        for order, name in enumerate(names, start=1):
            Department.objects.get_or_create(organisation=org, name=name, defaults={"order": order})
    for item in spec["organisations"]:
        parent = _find(item["parent"])
        if not Organisation.objects.filter(parent=parent, name=item["name"]).exists():
            organisation_create(parent=parent, name=item["name"], org_type=item["org_type"])

    User = get_user_model()
    password = spec["password"]
    # One hash for every account: hashing is deliberately slow (~0.4 s each), and they share the password.
    hashed = make_password(password)
    logins = []
    for item in spec["users"]:
        user, _ = User.objects.get_or_create(username=item["username"])
        user.first_name = item["name"]
        user.password = hashed
        user.save()
        org = _find(item["org"])
        department = None
        if item.get("department"):
            department = Department.objects.get(organisation=org, name=item["department"])
        Membership.objects.update_or_create(
            user=user, organisation=org, role=item["role"], defaults={"department": department}
        )
        logins.append(
            {"username": user.username, "password": password, "org": org.name, "role": item["role"]}
        )
    su = spec["superuser"]
    admin, _ = User.objects.get_or_create(username=su["username"])
    admin.first_name = su["name"]
    admin.is_staff = admin.is_superuser = True
    admin.password = hashed
    admin.save()
    logins.append(
        {"username": admin.username, "password": password, "org": "全部（超级管理员）", "role": "superuser"}
    )
    return logins


def load_demo_figures() -> dict:
    """The shipped indicators, Zhejiang's suggested targets and county figures for 2019–2021."""
    province = Organisation.objects.by_code("330000").first()
    counts = load_indicators(json.loads(INDICATORS.read_text(encoding="utf-8")), targets_for=province)
    if province is None or Value.objects.exists():
        return counts
    counties = list(province.get_descendants().filter(org_type=OrgType.COUNTY).order_by("code"))
    xueshe = Indicator.objects.get(code="xueshe")
    tuanqing = Indicator.objects.get(code="tuanqing")
    homes = Indicator.objects.get(code="youth_home")
    entries = []
    for county in counties:
        rng = random.Random(county.code)
        graduates = rng.randint(800, 6000)
        youth = rng.randint(60_000, 400_000)
        for year, base in ((2019, 0.48), (2020, 0.6), (2021, 0.8)):
            if year == 2021 and county.code in UNREPORTED_2021:
                continue
            rate = min(base + rng.uniform(-0.12, 0.12), 1)
            entries.append(
                entry_for(xueshe, county, str(year), numerator=int(graduates * rate), denominator=graduates)
            )
            share = 0.3 - (year - 2019) * 0.025 + rng.uniform(-0.04, 0.04)
            entries.append(
                entry_for(tuanqing, county, str(year), numerator=int(youth * share), denominator=youth)
            )
            entries.append(entry_for(homes, county, str(year), value=rng.randint(1, 12) + (year - 2019) * 2))
    counts["values"] = values_save(entries=entries, source=Source.IMPORT, late=False)["new"]
    return counts


# --- the living plan: the 浙江 task table as this year's, published, with a year of work on it ----------

PLAN_FILE = Path(settings.BASE_DIR) / "fixtures" / "plans" / "zhejiang-2019.xlsx"
SEED = "tuanjian-demo"
# The table dates every task; the demo also shows 常态化 work (no due date, reported on each quarter).
ROUTINE_TASK = {
    "seq": "16",
    "title": "团干部直接联系青年",
    "summary": "各级团干部常态化直接联系青年，每人联系不少于 50 名，定期走访谈心，帮助解决实际困难。",
    "schedule_text": "长期坚持，常态化开展",
}
FOCUS = {"330100", "330106", "330200"}
RETURNS = {"330100", "330106"}  # one report returned for each: "one or two" in the whole demo
REPORTERS = {"330100": "hz-reporter", "330106": "xh-reporter", "330106002": "bs-reporter"}
XIHU, BEISHAN = "330106", "330106002"
REFRESH_UID = "supervision.refresh_after_progress"  # how supervision connects its receiver
RETURN_COMMENT = "请补充活动照片、参与人数等佐证材料后重新提交"
EXTENSION_REASON = "受汛期防汛任务影响，集中培训推迟举办，申请延期"


def load_demo_plan(today: date | None = None) -> dict:
    """Import the 浙江 table as this year's plan (the 2019 table moved by whole years, so its bare months
    are this year's), publish it from 团省委 to every 团市委 and 团县（市、区）委, and file a year of work on
    it through the services: 签收, reports on time and late, reviewed (a couple returned), an extension
    request, a 催办 and a breakdown to a street. States and reminders are then brought up to `today`.
    Runs once: a second call finds the plan and only refreshes."""
    today = today or timezone.localdate()
    province = Organisation.objects.by_code("330000").first()
    if province is None:
        return {}
    preview = plan_import_preview(
        organisation=province, filename=PLAN_FILE.name, content=PLAN_FILE.read_bytes()
    )
    shift = today.year - preview["start_year"]
    doc_number = _shifted(preview["doc_number"], shift)
    published = min(date(today.year, 1, 5), today)
    plan = Plan.objects.filter(organisation=province, doc_number=doc_number).first()
    if plan is None:
        with _states_refreshed_at_the_end(), transaction.atomic():
            plan = _import_and_publish(province, preview, shift, published)
            _file_the_year(plan, today, published)
        # Committed: the 交办 notices went out (they find the assignments by the publish's timestamp);
        # now the publish can be dated when the year's work began.
        _date_the_publish(plan, published)
        _issue_a_bulletin(province, today)
    refresh_statuses(today=today)
    send_reminders(today=today)
    return demo_plan_summary(plan)


def _issue_a_bulletin(province: Organisation, today: date) -> None:
    """团省委's 通报 on the last quarter (the year so far in the first), for the cities it names to read."""
    period = period_of(today, "quarter").previous
    if period.year != today.year:
        period = period_of(today, "year")
    editor = get_user_model().objects.filter(username="zj-editor").first()
    number = f"团浙办〔{today.year}〕28号"
    bulletin_issue(org=province, period=period, today=today, user=editor, doc_number=number)


def _shifted(text: str, years: int) -> str:
    """A year named in the table's heading, moved like its dates."""
    return re.sub(r"(19|20)\d\d", lambda m: str(int(m.group()) + years), text)


@contextmanager
def _states_refreshed_at_the_end():
    """Every accepted report asks, after commit, for the plan's states to be refreshed (supervision's
    receiver): hundreds of refreshes, each at the real date — which would also put 督办 rises on the
    timelines between backdated events. The demo refreshes once, for its `today`, at the end."""
    progress_changed.disconnect(refresh_after_progress, dispatch_uid=REFRESH_UID)
    try:
        yield
    finally:
        progress_changed.connect(refresh_after_progress, dispatch_uid=REFRESH_UID)


def _import_and_publish(province: Organisation, preview: dict, shift: int, published: date) -> Plan:
    User = get_user_model()
    editor = User.objects.filter(username="zj-editor").first()
    # A plan of its own, headed with this year (the import would otherwise update a 2019 plan of 团省委's
    # that it finds by 文号 or title), then given this year as its period through the plan's own service:
    # a new period re-reads every schedule, so the bare months ("4月底前") become this year's dates and
    # each milestone moves by exactly `shift` years.
    heading = {
        "title": _shifted(preview["title"], shift),
        "doc_number": _shifted(preview["doc_number"], shift),
    }
    plan = plan_import_commit(
        organisation=province, preview={**preview, **heading, "plan": None}, user=editor
    )
    plan_update(
        plan=plan,
        data={
            **heading,
            "start_year": plan.start_year + shift,
            "end_year": plan.end_year + shift,
            "issue_date": published,
            # Reports come as milestones are done, as the demo files them (not one a month from each of
            # 1,600 receivers); the 常态化 task is reported on each quarter.
            "report_frequency": ReportFrequency.MILESTONE,
        },
        user=editor,
    )
    task = task_create(plan=plan, data=ROUTINE_TASK, user=editor)
    tasks_make_routine(plan=plan, task_ids=[task.pk], frequency=ReportFrequency.QUARTER, user=editor)
    plan_publish(plan=plan, levels=["city", "county"], routine_undated=True, user=editor)
    return plan


def _date_the_publish(plan: Plan, published: date) -> None:
    """The plan was drafted and handed down when the year began, not when `make run` ran."""
    moment = _moment(published, 9)
    direct = plan.assignments.filter(parent__isnull=True)
    direct.update(created_at=moment)
    AssignmentEvent.objects.filter(assignment__in=direct, kind=AssignmentEvent.Kind.ASSIGNED).update(
        created_at=moment
    )
    PlanChange.objects.filter(plan=plan).update(created_at=moment)


def _moment(day: date, hour: int) -> datetime:
    """That day at that hour, local time; never later than now."""
    return min(timezone.make_aware(datetime.combine(day, time(hour))), timezone.now())


class _Clock:
    """The services stamp what they write with the real time; the demo's work happened on earlier days.
    Each call's writes are noted with the moment they stand for — its events by their ids, which only
    grow — and all are moved there at the end, a few statements in all."""

    def __init__(self):
        self.mark = self._top()
        self.events: list[tuple[int, int, datetime]] = []  # (after id, up to id, moment)
        self.received: dict[int, datetime] = {}
        self.accepted: dict[int, datetime] = {}
        self.reports: dict[int, dict[str, datetime]] = defaultdict(dict)

    @staticmethod
    def _top() -> int:
        return AssignmentEvent.objects.aggregate(m=Max("pk"))["m"] or 0

    def at(self, moment: datetime) -> None:
        """The events written since the last call happened at `moment`."""
        top = self._top()
        if top > self.mark:
            self.events.append((self.mark, top, moment))
            self.mark = top

    def write(self) -> None:
        """One prepared UPDATE per column, run for every row (a bulk_update's CASE over thousands of rows
        costs seconds to build)."""
        adapt = connection.ops.adapt_datetimefield_value  # as the ORM writes it
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {AssignmentEvent._meta.db_table} SET created_at = %s WHERE id > %s AND id <= %s",
                [(adapt(moment), after, upto) for after, upto, moment in self.events],
            )
        _stamp(Assignment, "received_at", self.received)
        _stamp(AssignmentMilestone, "accepted_at", self.accepted)
        for field in ("submitted_at", "created_at", "updated_at", "reviewed_at"):
            _stamp(ProgressReport, field, {pk: v[field] for pk, v in self.reports.items() if field in v})


def _stamp(model, field: str, moments: dict[int, datetime]) -> None:
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM writes it
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {model._meta.db_table} SET {field} = %s WHERE id = %s",
            [(adapt(moment), pk) for pk, moment in moments.items()],
        )


def _file_the_year(plan: Plan, today: date, published: date) -> None:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[*REPORTERS.values(), "zj-editor",
                                                                       "xh-editor"])}  # fmt: skip
    clock = _Clock()
    work = _Work(plan, today, published, clock=clock, reviewer=users.get("zj-editor"),
                 reporters={code: users.get(name) for code, name in REPORTERS.items()})  # fmt: skip
    by_org: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in work.assignments:
        by_org[assignment.organisation.code].append(assignment)
    for code, assignments in by_org.items():
        if code == XIHU:
            work.xihu(assignments, users.get("xh-editor"))
            continue
        keeps_up, behind, signs = _habits(assignments[0].organisation)
        for assignment in assignments:
            rng = random.Random(f"{SEED}:{code}:{assignment.task.seq}")
            if rng.random() < keeps_up:
                work.keep_up(assignment, rng, returned=code in RETURNS and code not in work.returned)
            elif rng.random() < behind:
                work.fall_behind(assignment, rng, extended=rng.random() < 0.3)
            elif rng.random() < signs:
                work.receive(assignment, rng)
    clock.write()


def _habits(org: Organisation) -> tuple[float, float, float]:
    """How an organisation works, as shares of its tasks: kept up; of the rest, fallen behind; of the
    rest, at least signed for. The demo accounts' organisations and the cities keep up most; the
    counties outside 杭州 little — every report filed and reviewed through the services takes tens of
    milliseconds at `make run`, and most counties have no account to look at it anyway."""
    if org.code in FOCUS:
        return 0.7, 0.5, 1.0
    rng = random.Random(f"{SEED}:{org.code}")
    if org.org_type == OrgType.CITY:
        return rng.uniform(0.3, 0.55), 0.3, 0.6
    if org.code.startswith("3301"):
        return rng.uniform(0.2, 0.4), 0.2, 0.5
    return rng.uniform(0.02, 0.06), 0.03, 0.2


@dataclass
class _Copy:
    """A receiver's copy of a milestone, as the demo needs it (thousands: no model instances)."""

    pk: int
    start_date: date | None
    due_date: date | None
    raw: str


class _Work:
    """A year of work on the published plan, up to the day before `today`."""

    def __init__(self, plan: Plan, today: date, published: date, *, clock: _Clock, reviewer, reporters):
        self.plan, self.today, self.published = plan, today, published
        self.clock, self.reviewer, self.reporters = clock, reviewer, reporters
        self.returned: set[str] = set()
        self.assignments = list(
            plan.assignments.filter(parent__isnull=True)
            .select_related("organisation", "task__plan", "plan", "issuer")
            .order_by("organisation__code", "task__order")
        )
        self.copies: dict[int, list[_Copy]] = defaultdict(list)
        rows = (
            AssignmentMilestone.objects.filter(assignment__plan=plan)
            .order_by("due_date", "pk")
            .values_list("assignment_id", "pk", "start_date", "due_date", "milestone__raw")
        )
        for assignment_id, *copy in rows:
            self.copies[assignment_id].append(_Copy(*copy))

    def _past(self, assignment: Assignment) -> list[_Copy]:
        return [c for c in self.copies[assignment.pk] if c.due_date and c.due_date < self.today]

    def _day(self, day: date) -> date:
        """A day of the demo's history: after the publish, before today."""
        return max(self.published, min(day, self.today - timedelta(days=1)))

    def _reporter(self, assignment: Assignment):
        return self.reporters.get(assignment.organisation.code)

    def receive(self, assignment: Assignment, rng: random.Random | None = None, day: date | None = None):
        day = day or self._day(self.published + timedelta(days=rng.randint(0, 4)))
        assignment_receive(assignment=assignment, user=self._reporter(assignment))
        self.clock.received[assignment.pk] = _moment(day, 10)
        self.clock.at(_moment(day, 10))

    def keep_up(self, assignment: Assignment, rng: random.Random, *, returned: bool = False) -> None:
        """签收, then every milestone gone by reported done — mostly on time — in one or two reports."""
        self.receive(assignment, rng)
        if assignment.task.routine:
            self._routine(assignment, rng)
            return
        done = {c.pk: self._done(c, rng) for c in self._past(assignment)}
        if not done:
            return
        # One report for the year so far, or one up to last month and one for last month (which may
        # still wait for review): every report costs time at `make run`.
        months = sorted({(d.year, d.month) for d in done.values()})
        groups = [done]
        if len(months) >= 2 and rng.random() < 0.3:
            groups = [{pk: d for pk, d in done.items() if (d.year, d.month) < months[-1]},
                      {pk: d for pk, d in done.items() if (d.year, d.month) == months[-1]}]  # fmt: skip
        claimed = 0
        for index, group in enumerate(groups):
            claimed += len(group)
            last = index == len(groups) - 1
            self._report(assignment, group, claimed, rng, returned=returned and last)
        if returned:
            self.returned.add(assignment.organisation.code)

    def fall_behind(self, assignment: Assignment, rng: random.Random, *, extended: bool = False):
        """签收, the earlier milestones reported, the latest one to three gone by without a word. Returns
        the earliest of those. `extended`: its deadline had been extended on request (approved), and
        that date went by too — a 黄牌 a week on, where a month-end deadline would have made it 红牌."""
        self.receive(assignment, rng)
        past = self._past(assignment)
        if not past:
            return None
        missing = rng.randint(1, min(3, len(past)))
        reported = past[: len(past) - missing]
        if reported:
            self._report(assignment, {c.pk: self._done(c, rng) for c in reported}, len(reported), rng)
        first = past[len(past) - missing]
        new_due = self.today - timedelta(days=rng.randint(8, 20))
        if extended and self.published + timedelta(days=3) < first.due_date < new_due:
            self._extended(assignment, first, new_due)
        return first

    def _extended(self, assignment: Assignment, copy: _Copy, due: date) -> None:
        asked = copy.due_date - timedelta(days=3)
        request = extension_request_create(
            assignment_milestone=AssignmentMilestone(pk=copy.pk), requested_due=due, reason=EXTENSION_REASON,
            user=self._reporter(assignment), today=asked,
        )  # fmt: skip
        self.clock.at(_moment(asked, 15))
        extension_request_decide(request=request, approve=True, comment="同意", user=self.reviewer)
        decided = _moment(asked + timedelta(days=1), 10)
        self.clock.at(decided)
        ExtensionRequest.objects.filter(pk=request.pk).update(
            created_at=_moment(asked, 15), decided_at=decided
        )
        copy.due_date = due

    def _done(self, copy: _Copy, rng: random.Random) -> date:
        """When a milestone was done: by its due date mostly, some weeks late now and then."""
        if rng.random() < 0.85:
            day = copy.due_date - timedelta(days=rng.randint(0, 6))
            if copy.start_date:
                day = max(day, copy.start_date)
        else:
            day = copy.due_date + timedelta(days=rng.randint(3, 25))
        return max(self.published + timedelta(days=1), min(day, self.today - timedelta(days=2)))

    def _report(self, assignment: Assignment, claims: dict[int, date], claimed: int, rng: random.Random,
                *, returned: bool = False) -> None:  # fmt: skip
        """One monthly report claiming these milestones, filed on time (now and then after the deadline),
        reviewed by 团省委 a few days later — or still waiting when that day has not come."""
        last = max(claims.values())
        period = period_of(last, "month")
        submitted = max(last, period.end - timedelta(days=rng.randint(0, 4)))
        if rng.random() < 0.12:
            submitted = period.deadline + timedelta(days=rng.randint(1, 12))
        submitted = max(last, self._day(submitted))
        total = sum(1 for c in self.copies[assignment.pk] if c.due_date)
        names = {c.pk: c.raw for c in self.copies[assignment.pk]}
        finished = claimed == total
        data = {
            "percent": 100 * claimed // total,
            "stage": ProgressReport.Stage.DONE if finished else ProgressReport.Stage.IN_PROGRESS,
            "narrative": "本期完成：" + "；".join(_short(names[pk]) for pk in claims),
            "claims": sorted(claims.items()),
        }
        self._file(assignment, period.code, data, submitted, rng, returned=returned)

    def _routine(self, assignment: Assignment, rng: random.Random) -> None:
        """常态化: the last quarter's report; some say the work is done, and it is closed when accepted."""
        quarter = period_of(self.today, "quarter").previous
        if quarter.year != self.plan.start_year or quarter.end < self.published:
            return
        finished = rng.random() < 0.25
        data = {
            "percent": 100 if finished else rng.randint(40, 85),
            "stage": ProgressReport.Stage.DONE if finished else ProgressReport.Stage.IN_PROGRESS,
            "narrative": f"本季度联系青年 {rng.randint(300, 2000)} 人次，走访 {rng.randint(20, 90)} 次。",
            "claims": [],
        }
        submitted = self._day(quarter.end + timedelta(days=rng.randint(1, 6)))
        self._file(assignment, quarter.code, data, submitted, rng)

    def _file(self, assignment: Assignment, period: str, data: dict, submitted: date, rng: random.Random,
              *, returned: bool = False) -> None:  # fmt: skip
        """Submit the report on that day; 团省委 reviews it a few days later (returns it, if so) — unless
        that day has not come yet, and it waits in the review queue."""
        report = report_save(assignment=assignment, period=period, data=data, user=self._reporter(assignment),
                             version=0, submit=True, today=submitted)  # fmt: skip
        moment = _moment(submitted, 16)
        self.clock.reports[report.pk] = {"submitted_at": moment, "created_at": moment, "updated_at": moment}
        self.clock.at(moment)
        reviewed = submitted + timedelta(days=rng.randint(1, 5))
        claimed = {pk for pk, _ in data["claims"]}
        due = [c.due_date for c in self.copies[assignment.pk] if c.pk in claimed]
        recent = min(due, default=self.today) >= self.today - timedelta(days=30)
        if reviewed >= self.today and recent and not returned:
            return  # waits in the review queue (what it claims is recent: no 督办单 for lack of a review)
        reviewed = min(reviewed, self.today - timedelta(days=1))
        report_review(report=report, accept=not returned, comment=RETURN_COMMENT if returned else "",
                      user=self.reviewer)  # fmt: skip
        moment = _moment(reviewed, 11 if reviewed > submitted else 17)  # after it came in
        self.clock.reports[report.pk].update(reviewed_at=moment, updated_at=moment)
        if not returned:
            self.clock.accepted.update(dict.fromkeys(claimed, moment))
        self.clock.at(moment)

    def xihu(self, assignments: list[Assignment], editor) -> None:
        """西湖区委, where `xh-reporter` logs in: one task left without a word since early on (团省委 urges
        it), one behind with an extension asked, one report returned, the rest kept up — and one of those
        handed on to 北山街道."""
        silent = late = None
        kept = []
        for assignment in assignments:
            rng = random.Random(f"{SEED}:{XIHU}:{assignment.task.seq}")
            past = len(self._past(assignment))
            if past >= 2 and silent is None:
                silent = assignment
                self.receive(assignment, rng)
            elif past >= 2 and late is None:
                late = self.fall_behind(assignment, rng)
            else:
                self.keep_up(assignment, rng, returned=XIHU not in self.returned and past > 0)
                kept.append(assignment)
        if late is not None:
            request = extension_request_create(
                assignment_milestone=AssignmentMilestone(pk=late.pk),
                requested_due=self.today + timedelta(days=30),
                reason=EXTENSION_REASON,
                user=self.reporters.get(XIHU),
                today=self.today,
            )
            moment = _moment(self.today - timedelta(days=1), 15)
            ExtensionRequest.objects.filter(pk=request.pk).update(created_at=moment)
            self.clock.at(moment)
        if silent is not None:
            assignment_urge(assignment=silent, user=self.reviewer, today=self.today)
            self.clock.at(_moment(self.today, 9))
        self._hand_on(kept, editor)

    def _hand_on(self, kept: list[Assignment], editor) -> None:
        """分解交办: a task 西湖区委 is up to date on, with milestones still ahead, goes on to 北山街道 —
        a week ago, so only what is ahead goes with it."""
        street = Organisation.objects.by_code(BEISHAN).first()
        if street is None:
            return
        for assignment in kept:
            copies = AssignmentMilestone.objects.filter(assignment=assignment, accepted_at__isnull=True)
            if not copies.exists() or copies.filter(due_date__lt=self.today).exists():
                continue  # closed, or something gone by is still open (waiting for review)
            day = self._day(self.today - timedelta(days=7))
            parts = assignment_break_down(assignment=assignment, organisations=[street], user=editor)
            Assignment.objects.filter(pk__in=[p.pk for p in parts]).update(created_at=_moment(day, 14))
            self.clock.at(_moment(day, 14))
            for part in Assignment.objects.filter(pk__in=[p.pk for p in parts]).select_related(
                "organisation"
            ):
                self.receive(part, day=self._day(day + timedelta(days=1)))
            return


def _short(text: str) -> str:
    first = " ".join(text.split())
    return first[:30] + ("…" if len(first) > 30 else "")


def demo_plan_summary(plan: Plan) -> dict:
    """What the boards show of the demo plan: counts by state, 督办单, reports waiting, notifications."""
    assignments = plan.assignments.all()
    states = dict(assignments.order_by().values_list("progress").annotate(n=Count("id")))
    cards = dict(
        assignments.exclude(escalation="").order_by().values_list("escalation").annotate(n=Count("id"))
    )
    return {
        "title": plan.title,
        "assignments": assignments.count(),
        "organisations": assignments.values("organisation").distinct().count(),
        "states": states,
        "completed": states.get(ProgressStatus.COMPLETED, 0) + states.get(ProgressStatus.COMPLETED_LATE, 0),
        "overdue": states.get(ProgressStatus.OVERDUE, 0),
        "due_soon": states.get(ProgressStatus.DUE_SOON, 0),
        "yellow": cards.get(Escalation.YELLOW, 0),
        "red": cards.get(Escalation.RED, 0),
        "reports": ProgressReport.objects.filter(assignment__plan=plan).count(),
        "pending": ProgressReport.objects.filter(
            assignment__plan=plan, status=ProgressReport.Status.SUBMITTED
        ).count(),
        "notifications": Notification.objects.count(),
    }
