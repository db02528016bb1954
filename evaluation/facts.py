"""The recorded facts a 通报 and a 考核 are made of: per direct child of an organisation (its whole subtree)
and per department of its own office, for a period, as of a day.

What counts: the milestone copies of assignments issued by the organisation or above it (团中央
included), so a child's own breakdowns are never counted twice; withdrawn assignments and copies struck
off unfinished (销号/退办) are left out.
- due: copies whose due date lies in the period, up to the day (a period still running counts what has
  fallen due so far);
- on_time / late: of those, accepted by the day, done by the due date or after it (as the status engine);
- overdue: not accepted by the day and due before it; pending: due on the day itself;
- overdue_weeks: whole weeks each overdue copy had been late by the period's end (or the day), summed;
- reports: progress reports for the report periods inside the period, submitted by the day, on time or
  late; missing: reports owed by the calendar (monthly, quarterly …) whose deadline has passed, not sent;
- 督办单: 黄牌 and 红牌 given in the period (the timeline's 督办 events);
- indicators: the indicators with a target for the year, and those the child's rollup meets.
Every figure is one grouped query over the stored ancestors (assignments.ancestors), whatever the size
of the tree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from django.db.models import Count, F, Q

from assignments.models import Assignment, AssignmentEvent, AssignmentMilestone, Escalation
from core.periods import Period, periods_of_year
from indicators.models import Indicator
from indicators.rollup import rollup
from orgtree.models import Department, Organisation
from orgtree.subtree import CENTRAL, subtree_q
from plans.models import Plan, Task
from reporting.models import ProgressReport
from reporting.services import REPORT_KINDS
from supervision.board import children_of, group_column
from supervision.reminders import CALENDAR_CADENCES

SENT = [ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED, ProgressReport.Status.RETURNED]


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def percent_text(value: float | None) -> str:
    """A rate as pages and documents print it: 12.5%, or — where there is none."""
    return "—" if value is None else f"{value:g}%"


@dataclass
class Facts:
    kind: str  # "org" or "department"
    pk: int
    code: str
    name: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    overdue_weeks: int = 0
    reports_on_time: int = 0
    reports_late: int = 0
    reports_missing: int = 0
    yellow: int = 0
    red: int = 0
    indicators_targeted: int = 0
    indicators_met: int = 0

    @property
    def completion_rate(self) -> float | None:
        """按期完成率: due items done on time (None: nothing fell due)."""
        return _rate(self.on_time, self.due)

    @property
    def reports_owed(self) -> int:
        return self.reports_on_time + self.reports_late + self.reports_missing

    @property
    def report_timeliness(self) -> float | None:
        """报送及时率: reports sent on time among those owed or sent (None: none)."""
        return _rate(self.reports_on_time, self.reports_owed)

    @property
    def indicator_attainment(self) -> float | None:
        return _rate(self.indicators_met, self.indicators_targeted)

    def as_dict(self) -> dict:
        return asdict(self) | {
            "completion_rate": self.completion_rate,
            "report_timeliness": self.report_timeliness,
            "indicator_attainment": self.indicator_attainment,
        }


def issuers(org: Organisation) -> list[int]:
    """The organisation and those above it, whose assignments its children owe it."""
    above = list(org.get_ancestors(include_self=True).values_list("pk", flat=True))
    return above + list(
        Organisation.objects.filter(org_type=CENTRAL).exclude(pk__in=above).values_list("pk", flat=True)
    )


class _Units:
    """The rows of one report: children by their stored ancestor, the office's departments by id."""

    def __init__(self, org: Organisation):
        self.org = org
        self.group = group_column(org)
        self.children = children_of(org)
        self.facts = {("org", c.pk): Facts("org", c.pk, c.code or str(c.pk), c.name) for c in self.children}
        for department in Department.objects.filter(organisation=org, is_active=True).order_by("order", "pk"):
            self.facts[("department", department.pk)] = Facts(
                "department", department.pk, "", department.name
            )

    def grouped(self, queryset, path: str, fields: list[str], **aggregates):
        """(unit key, row) for each group of `fields` under each child and each own department; `path`
        leads from the queryset's model to the assignment."""
        child_ids = [c.pk for c in self.children]
        if self.group:
            by = f"{path}{self.group}"
            rows = (
                queryset.filter(**{f"{by}__in": child_ids})
                .order_by()
                .values(by, *fields)
                .annotate(**aggregates)
            )
            for row in rows:
                yield ("org", row[by]), row
        else:  # deeper than the stored ancestors: small subtrees, one range each
            for child in self.children:
                inside = queryset.filter(subtree_q(child, f"{path}organisation__"))
                for row in inside.order_by().values(*fields).annotate(**aggregates):
                    yield ("org", child.pk), row
        by = f"{path}department_id"
        own = queryset.filter(**{f"{path}organisation_id": self.org.pk, f"{path}department__isnull": False})
        for row in own.order_by().values(by, *fields).annotate(**aggregates):
            yield ("department", row[by]), row

    def add(self, key, **counts) -> None:
        facts = self.facts.get(key)
        if facts is not None:
            for name, n in counts.items():
                setattr(facts, name, getattr(facts, name) + (n or 0))


def report_periods(period: Period) -> list[Period]:
    """The report periods of every kind that lie inside the period."""
    return [
        p
        for kind in REPORT_KINDS
        for p in periods_of_year(period.year, kind)
        if p.start >= period.start and p.end <= period.end
    ]


def collect(org: Organisation, period: Period, today: date) -> tuple[list[Facts], list[Facts]]:
    """The facts of org's children and of its own departments, for the period as of `today`."""
    units = _Units(org)
    above = issuers(org)
    asof = min(today, period.end)
    if asof >= period.start:
        _milestones(units, above, period, asof, today)
        _escalations(units, above, period, asof)
    _reports(units, above, period, today)
    _indicators(units, org, period)
    rows = list(units.facts.values())
    # An office department that owed nothing in the period is left out (a child is always named).
    busy = [f for f in rows if f.kind == "department" and (f.due or f.reports_owed or f.yellow or f.red)]
    return [f for f in rows if f.kind == "org"], busy


def _milestones(units: _Units, above: list[int], period: Period, asof: date, today: date) -> None:
    done = Q(accepted_at__isnull=False, accepted_at__date__lte=today)
    on_time = done & Q(completed_on__lte=F("due_date"))
    copies = (
        AssignmentMilestone.objects.filter(
            assignment__issuer_id__in=above, due_date__gte=period.start, due_date__lte=asof
        )
        .exclude(assignment__status=Assignment.Status.WITHDRAWN)
        .exclude(~Q(ended="") & ~done)
    )
    counts = {
        "n": Count("id"),
        "on_time": Count("id", filter=on_time),
        "done": Count("id", filter=done),
        "overdue": Count("id", filter=~done & Q(due_date__lt=today)),
    }
    for key, row in units.grouped(copies, "assignment__", ["due_date"], **counts):
        weeks = max((asof - row["due_date"]).days, 0) // 7
        units.add(
            key,
            due=row["n"],
            on_time=row["on_time"],
            late=row["done"] - row["on_time"],
            overdue=row["overdue"],
            pending=row["n"] - row["done"] - row["overdue"],
            overdue_weeks=row["overdue"] * weeks,
        )


def _escalations(units: _Units, above: list[int], period: Period, asof: date) -> None:
    events = AssignmentEvent.objects.filter(
        kind=AssignmentEvent.Kind.ESCALATED,
        assignment__issuer_id__in=above,
        created_at__date__gte=period.start,
        created_at__date__lte=asof,
    )
    red = Escalation.RED.label
    for key, row in units.grouped(events, "assignment__", ["comment"], n=Count("id")):
        units.add(key, **{"red" if red in row["comment"] else "yellow": row["n"]})


def owing_tasks(above: list[int], year: int) -> dict[str, set[int]]:
    """The tasks (of plans by these organisations) whose assignments owe reports of each calendar cadence in
    the year: the reminders' rule (supervision.reminders.reporting_due) on the task and its plan — the
    task's cadence or else its plan's, a plan running that year and not archived. Read once, so the counts
    below need no join to tasks and plans."""
    tasks = (
        Task.objects.filter(
            plan__organisation_id__in=above, plan__start_year__lte=year, plan__end_year__gte=year
        )
        .exclude(plan__status=Plan.Status.ARCHIVED)
        .values_list("pk", "report_frequency", "plan__report_frequency")
    )
    found: dict[str, set[int]] = {kind: set() for kind in CALENDAR_CADENCES}
    for pk, own, plans in tasks:
        if (own or plans) in found:
            found[own or plans].add(pk)
    return found


def _owes(period: Period, tasks: dict[str, set[int]], prefix: str = "") -> Q:
    """An open assignment handed over before the period ended whose task owes a report for it."""
    return Q(
        **{
            f"{prefix}task_id__in": sorted(tasks[period.kind]),
            f"{prefix}status": Assignment.Status.ASSIGNED,
            f"{prefix}created_at__date__lte": period.end,
        }
    )


def _reports(units: _Units, above: list[int], period: Period, today: date) -> None:
    inside = report_periods(period)
    owed_periods = [p for p in inside if p.kind in CALENDAR_CADENCES and p.deadline < today]
    tasks = owing_tasks(above, period.year) if owed_periods else {}
    owed_periods = [p for p in owed_periods if tasks[p.kind]]
    sent = ProgressReport.objects.filter(
        assignment__issuer_id__in=above,
        period__in=[p.code for p in inside],
        status__in=SENT,
        submitted_at__date__lte=today,
    )
    # One pass over the reports: on time, late, and — per period — those answering what was owed.
    answered = Q(pk__in=[])
    for p in owed_periods:
        answered |= Q(period=p.code) & _owes(p, tasks, "assignment__")
    counts: dict = {}
    for key, row in units.grouped(
        sent, "assignment__", ["period", "is_late"], n=Count("id"), answered=Count("id", filter=answered)
    ):
        units.add(key, **{"reports_late" if row["is_late"] else "reports_on_time": row["n"]})
        counts[(key, row["period"])] = counts.get((key, row["period"]), 0) - row["answered"]
    if not owed_periods:
        return
    # Missing = owed − answered, per period: one grouped count over the open assignments.
    owed = {f"owed_{n}": Count("id", filter=_owes(p, tasks)) for n, p in enumerate(owed_periods)}
    owing = Assignment.objects.filter(issuer_id__in=above, status=Assignment.Status.ASSIGNED)
    for key, row in units.grouped(owing, "", [], **owed):
        for n, p in enumerate(owed_periods):
            counts[(key, p.code)] = counts.get((key, p.code), 0) + row[f"owed_{n}"]
    for (key, _period), n in counts.items():
        units.add(key, reports_missing=max(n, 0))


def _indicators(units: _Units, org: Organisation, period: Period) -> None:
    year = str(period.year)
    for indicator in Indicator.objects.filter(targets__year=period.year).distinct().order_by("pk"):
        _own, figures = rollup(indicator, org, year)
        for figure in figures:
            if figure.target is not None:
                units.add(
                    ("org", figure.org_id),
                    indicators_targeted=1,
                    indicators_met=1 if figure.attainment == "met" else 0,
                )
