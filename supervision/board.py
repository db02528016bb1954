"""What a leader reads on Monday: the 督办看板 (assignments of a subtree by state, per direct child and per
own department) and the 督办清单 (every overdue or due-soon item, who owes it and since when).

Counts read the ancestors stored on each assignment (assignments.ancestors): an organisation at tree level
L filters `ancL = org` and groups by `anc(L+1)`, one index range whatever the size of the country; the
country (团中央) groups by anc0. The caller has authorised the organisation (orgtree.selectors); the 督办清单
also goes through the scoped queryset, so a row outside the user's subtrees can never appear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum, prefetch_related_objects
from django.utils import timezone

from assignments.ancestors import column
from assignments.models import COPY_LEVELS, Assignment, AssignmentMilestone, Escalation, ProgressStatus
from core import generations
from orgtree.models import Department, Organisation
from orgtree.subtree import CENTRAL
from plans.models import Plan
from reporting.models import ProgressReport

from .selectors import states_day

OPEN = Q(status=Assignment.Status.ASSIGNED)
DONE = [ProgressStatus.COMPLETED, ProgressStatus.COMPLETED_LATE]
ENDED = [ProgressStatus.CLOSED, ProgressStatus.WITHDRAWN]
# The cards of the board, in order: (key, label, filter over assignments, tone); each links to the list
# behind it. An assignment closed because all its milestones were done counts as completed; one closed
# or withdrawn by the issuer counts as that, never as late.
ASSIGNED = Assignment.Status.ASSIGNED
CARDS = [
    ("completed", "已完成", lambda progress, status: progress in DONE, "green"),
    ("on_track", "按期推进", lambda p, s: s == ASSIGNED and p == ProgressStatus.ON_TRACK, "blue"),
    ("due_soon", "即将到期", lambda p, s: s == ASSIGNED and p == ProgressStatus.DUE_SOON, "yellow"),
    ("overdue", "已逾期", lambda p, s: s == ASSIGNED and p == ProgressStatus.OVERDUE, "red"),
    ("no_deadline", "常态化", lambda p, s: s == ASSIGNED and p == ProgressStatus.ONGOING, "grey"),
    ("closed", "已销号/退办", lambda p, s: s != ASSIGNED and p in ENDED, "grey"),
]
KEYS = [key for key, _, _, _ in CARDS] + [
    "completed_late", "yellow", "red", "total", "on_time_reports", "late_reports", "review",
]  # fmt: skip
# One GROUP BY over the columns a board tells apart; the few groups are counted in Python, with no per-row
# FILTER.
GROUP_SUMS = {
    "n": Count("*"),
    "on_time": Sum("reports_on_time"),
    "late": Sum("reports_late"),
    "waiting": Sum(F("reports_waiting") + F("extensions_waiting")),
}


def classify(progress: str, status: str, escalation: str) -> list[str]:
    """The board's keys one assignment counts under."""
    keys = [key for key, _, applies, _ in CARDS if applies(progress, status)]
    if progress == ProgressStatus.COMPLETED_LATE:
        keys.append("completed_late")
    if status == ASSIGNED and escalation in (Escalation.YELLOW, Escalation.RED):
        keys.append(escalation)
    return keys


def empty() -> dict[str, int]:
    return dict.fromkeys(KEYS, 0)


def light(counts: dict) -> str:
    """红 where something is overdue, 黄 where something falls due soon, 绿 otherwise (灰: nothing)."""
    if not counts["total"]:
        return "grey"
    if counts["overdue"] or counts["red"]:
        return "red"
    if counts["due_soon"] or counts["yellow"]:
        return "yellow"
    return "green"


def timeliness(counts: dict) -> int | None:
    """按时报送率: the share of submitted reports that were on time (None: none submitted)."""
    submitted = (counts["on_time_reports"] or 0) + (counts["late_reports"] or 0)
    return round(100 * (counts["on_time_reports"] or 0) / submitted) if submitted else None


@dataclass
class Row:
    pk: int
    name: str
    counts: dict = field(default_factory=empty)

    @property
    def light(self) -> str:
        return light(self.counts)

    @property
    def timeliness(self) -> int | None:
        return timeliness(self.counts)


@dataclass
class Board:
    org: Organisation
    totals: dict
    children: list[Row]
    own: Row | None  # what the organisation received itself, as a whole
    departments: list[Row]
    tasks: int
    tasks_overdue: int
    counted_at: datetime = field(default_factory=timezone.now)
    cache_key: str | None = None  # where it is kept (the country's): its rendered tables are kept beside it

    @property
    def timeliness(self) -> int | None:
        return timeliness(self.totals)

    @property
    def light(self) -> str:
        return light(self.totals)


def in_subtree(org: Organisation, prefix: str = "") -> Q:
    """Rows whose assignment's organisation lies in org's subtree, by the stored ancestors."""
    if org.org_type == CENTRAL:
        return Q()
    own = column(org.level)
    if own is None:  # deeper than the stored levels: the MPTT range (small subtrees)
        from orgtree.subtree import subtree_q

        return subtree_q(org, f"{prefix}organisation__")
    return Q(**{f"{prefix}{own}": org.pk})


def children_of(org: Organisation) -> list[Organisation]:
    if org.org_type == CENTRAL:
        return list(
            Organisation.objects.filter(parent__isnull=True).exclude(org_type=CENTRAL).order_by("tree_id")
        )
    return list(Organisation.objects.filter(parent=org, is_active=True).order_by("order", "lft"))


def assignments_for(org: Organisation, *, plan_id: int | None = None, year: int | None = None) -> QuerySet:
    rows = Assignment.objects.filter(in_subtree(org))
    if plan_id:
        rows = rows.filter(plan_id=plan_id)
    if year:
        rows = rows.filter(
            plan_id__in=Plan.objects.filter(start_year__lte=year, end_year__gte=year).values("pk")
        )
    return rows


def plans_for_filter(user, org: Organisation) -> QuerySet:
    """The plans a board or list can be narrowed to: those the user sees, and those the organisation itself
    received from above (one indexed lookup on its own assignments)."""
    received = Assignment.objects.filter(organisation=org).values("plan_id")
    return (
        (Plan.objects.for_user(user, "view") | Plan.objects.filter(pk__in=received))
        .distinct().order_by("-start_year", "title")
    )  # fmt: skip


PLAN_CHOICES_SECONDS = 3600


def plan_choices(user, org: Organisation) -> list[tuple[int, str]]:
    """plans_for_filter as (id, title) pairs for a board's or list's filter, kept in the cache per user,
    organisation and memberships under the plans' token (renewed when a plan is saved or deleted and
    when new assignments are made)."""
    from orgtree.querysets import user_memberships

    held = sorted((m.organisation_id, m.role, m.department_id or 0) for m in user_memberships(user))
    token = generations.current(generations.PLANS)
    memberships = ",".join("-".join(map(str, m)) for m in held)
    key = f"plan-choices:{user.pk}:{user.is_superuser}:{org.pk}:{memberships}:{token}"
    found = cache.get(key)
    if found is None:
        found = list(plans_for_filter(user, org).values_list("pk", "title")[:200])
        cache.set(key, found, PLAN_CHOICES_SECONDS)
    return found


def group_column(org: Organisation) -> str | None:
    """The stored ancestor that names org's direct child a row lies under."""
    return "anc0" if org.org_type == CENTRAL else column(org.level + 1)


NATIONAL_CACHE_SECONDS = 600  # a bound should a write ever miss renewing a token


def board(*, org: Organisation, plan_id: int | None = None, year: int | None = None) -> Board:
    """The board of org. The country's (团中央: every assignment of the country) is assembled from the
    cached shares of its provinces (country_board); the others (one index range each, a few ms) are
    always counted afresh."""
    if org.org_type == CENTRAL:
        return country_board(org=org, plan_id=plan_id, year=year)
    return count_board(org=org, plan_id=plan_id, year=year)


@dataclass
class Part:
    """One child's share of a board (the country's are kept in the cache), or the organisation's own rows
    with its departments'."""

    counts: dict = field(default_factory=empty)
    departments: dict[int, dict] = field(default_factory=dict)
    tasks: set[int] = field(default_factory=set)
    late_tasks: set[int] = field(default_factory=set)


def _add(target: dict, counts: dict) -> None:
    for name, n in counts.items():
        target[name] += n or 0


def count_parts(org: Organisation, rows: QuerySet) -> dict[int, Part]:
    """One GROUP BY over rows by direct child (the stored ancestor), department, task and state: each
    child's share, and org's own rows (under org.pk) with its office's departments."""
    group = group_column(org)
    columns = [c for c in (group, "department_id", "task_id", "progress", "status", "escalation") if c]
    found: dict[int, Part] = {}
    for row in rows.order_by().values(*columns).annotate(**GROUP_SUMS):
        key = (row[group] if group else None) or org.pk
        part = found.setdefault(key, Part())
        counts = _counts(row)
        _add(part.counts, counts)
        if row["department_id"] and key == org.pk:
            _add(part.departments.setdefault(row["department_id"], empty()), counts)
        part.tasks.add(row["task_id"])
        if "overdue" in counts:
            part.late_tasks.add(row["task_id"])
    return found


def _assemble(org: Organisation, children: list[tuple[int, str]], parts: dict[int, Part]) -> Board:
    """The board from the shares: rows under a child not listed (an inactive one) count as org's own."""
    named = {pk for pk, _ in children}
    own, totals, tasks, late_tasks = Part(), empty(), set(), set()
    for key, part in parts.items():
        _add(totals, part.counts)
        tasks |= part.tasks
        late_tasks |= part.late_tasks
        if key not in named:
            _add(own.counts, part.counts)
    departments = [Row(pk, "", dict(counts)) for pk, counts in parts.get(org.pk, Part()).departments.items()]
    if departments:
        names = dict(
            Department.objects.filter(pk__in=[row.pk for row in departments]).values_list("pk", "name")
        )
        for row in departments:
            row.name = names.get(row.pk, "")
    return Board(
        org=org, totals=totals,
        children=[Row(pk, name, dict(parts[pk].counts) if pk in parts else empty()) for pk, name in children],
        own=Row(org.pk, f"{org.name}（本级）", own.counts) if own.counts["total"] else None,
        departments=sorted(departments, key=lambda row: row.name), tasks=len(tasks),
        tasks_overdue=len(late_tasks),
    )  # fmt: skip


def count_board(*, org: Organisation, plan_id: int | None = None, year: int | None = None) -> Board:
    """The board counted afresh, in two or three queries whatever the size of the tree — the children, one
    GROUP BY over the subtree's assignments (per child, own department, task and state), and the
    departments' names when there are any; none reads a row outside the subtree."""
    children = [(child.pk, child.name) for child in children_of(org)]
    return _assemble(org, children, count_parts(org, assignments_for(org, plan_id=plan_id, year=year)))


def country_board(*, org: Organisation, plan_id: int | None = None, year: int | None = None) -> Board:
    """The country's board from its provinces' shares, each kept in the cache under the token of all
    counted columns and its own province's token: a report filed or an assignment closed in one province
    renews only that one's (generations.renew_parts), so the next board recounts one province, not the
    country. The refresh and the tree's changes renew every share. Rows without ancestors yet (filled
    within the write that made them) count nowhere until filled."""
    name = generations.ASSIGNMENT_COUNTS
    base = generations.current(name)
    scope = f"{plan_id or ''}:{year or ''}:{base}"
    children_key = f"board-children:{org.pk}:{base}"
    children = cache.get(children_key)
    if children is None:
        children = [(child.pk, child.name) for child in children_of(org)]
        cache.set(children_key, children, NATIONAL_CACHE_SECONDS)
    pks = [org.pk] + [pk for pk, _ in children]
    tokens = generations.current_many([generations.part(name, pk) for pk in pks])
    keys = {pk: f"board-part:{scope}:{pk}:{tokens[generations.part(name, pk)]}" for pk in pks}
    cached = cache.get_many(list(keys.values()))
    parts = {pk: cached[key] for pk, key in keys.items() if key in cached}
    stale = [pk for pk in pks if pk not in parts]
    if stale:
        rows = assignments_for(org, plan_id=plan_id, year=year)
        counted = count_parts(org, rows.filter(anc0__in=stale) if parts else rows)
        fresh = {pk: counted.get(pk) or Part() for pk in stale}
        cache.set_many({keys[pk]: part for pk, part in fresh.items()}, NATIONAL_CACHE_SECONDS)
        parts.update(fresh)
    found = _assemble(org, children, parts)
    found.cache_key = (
        f"board:{org.pk}:{scope}:{hashlib.sha1(':'.join(keys.values()).encode()).hexdigest()[:16]}"
    )
    return found


def warm_country_board() -> None:
    """Count the country's board ahead of its readers (after the refresh has renewed its shares)."""
    central = Organisation.objects.filter(org_type=CENTRAL).first()
    if central is not None:
        country_board(org=central)


def _counts(found: dict) -> dict[str, int]:
    """One group of the GROUP BY as the board's keys."""
    counts = dict.fromkeys(classify(found["progress"], found["status"], found["escalation"]), found["n"])
    counts.update(
        total=found["n"], on_time_reports=found["on_time"] or 0, late_reports=found["late"] or 0,
        review=found["waiting"] or 0,
    )  # fmt: skip
    return counts


# --- 督办清单 --------------------------------------------------------------------------------------------

# The list behind each card of the board: milestone copies of open assignments by state (closed and
# withdrawn ones only on their own tab).
TABS = {
    "overdue": ("已逾期", [ProgressStatus.OVERDUE]),
    "due_soon": ("即将到期", [ProgressStatus.DUE_SOON]),
    "on_track": ("按期推进", [ProgressStatus.ON_TRACK]),
    "no_deadline": ("常态化", [ProgressStatus.ONGOING]),
    "completed": ("已完成", [ProgressStatus.COMPLETED, ProgressStatus.COMPLETED_LATE]),
    "closed": ("已销号/退办", [ProgressStatus.CLOSED, ProgressStatus.WITHDRAWN]),
}


def items(user, *, org: Organisation, tab: str = "overdue", today: date | None = None) -> QuerySet:
    """The milestone copies of org's subtree behind a tab that the user may see. Where the user's scope
    takes in the whole subtree (the caller authorised org) the scope filters nothing and is left out;
    otherwise (a department's member) the assignments are narrowed by the scoped queryset in a subquery."""
    rows = all_items(org=org, tab=tab, today=today)
    scoped = Assignment.objects.for_user_within(user, org, "view")
    if scoped.query.has_filters():
        rows = rows.filter(assignment_id__in=scoped.filter(in_subtree(org)).values("pk"))
    return rows


def _copies_in_subtree(org: Organisation) -> Q:
    """A province's, city's or county's copies by their own stored ancestor (one index range in due-date
    order, no join); the country's are all; deeper subtrees through their assignments."""
    own = column(org.level) if org.org_type != CENTRAL else None
    if own is not None and org.level < COPY_LEVELS:
        return Q(**{own: org.pk})
    return in_subtree(org, "assignment__")


def _overdue(today: date | None) -> Q:
    """Open copies that are overdue. When every row holds today's states (the last full refresh was for
    today, and events refresh for today), that is exactly "due before today": an index range the count
    reads without the table. Otherwise the stored state decides, bounded by the latest day states can
    be for (never after these), which keeps it an index range."""
    open_ = Q(ended="", accepted_at__isnull=True)
    day, now = states_day(), timezone.localdate()
    if today is not None and today == day == now:
        return open_ & Q(due_date__lt=today)
    latest = max(d for d in (today, day, now) if d)
    return open_ & Q(progress=ProgressStatus.OVERDUE, due_date__lte=latest)


def all_items(*, org: Organisation, tab: str = "overdue", today: date | None = None) -> QuerySet:
    """Every milestone copy of org's subtree behind a tab — overdue ones of open assignments by default;
    closed and withdrawn assignments only on their own tab (an ended assignment's copies are all marked
    ended, so open work needs no look at the assignment). Operators' commands read this unscoped."""
    states = TABS.get(tab, TABS["overdue"])[1]
    if tab in ("completed", "closed"):  # what is done or ended, whatever became of its assignment
        which = Q(progress__in=states)
    else:
        which = Q(ended="", accepted_at__isnull=True, progress__in=states)
        if tab == "overdue" or tab not in TABS:
            which = _overdue(today)
    return (
        AssignmentMilestone.objects.filter(_copies_in_subtree(org), which)
        .select_related("assignment__organisation", "assignment__department", "assignment__plan",
                        "assignment__task", "milestone")
    )  # fmt: skip


def with_relations(rows: list[AssignmentMilestone]) -> None:
    """What a page of the 督办清单 shows of each row, fetched for the page: a few one-table queries."""
    prefetch_related_objects(
        rows, "assignment__organisation", "assignment__department", "assignment__plan", "assignment__task",
        "milestone",
    )  # fmt: skip


def days_overdue(due: date | None, today: date) -> int:
    return max((today - due).days, 0) if due else 0


def last_reports(assignment_ids) -> dict[int, ProgressReport]:
    """The latest submitted report of each assignment (one query for a page of rows)."""
    latest: dict[int, ProgressReport] = {}
    rows = (
        ProgressReport.objects.filter(assignment_id__in=set(assignment_ids), submitted_at__isnull=False)
        .only("id", "assignment_id", "period", "status", "submitted_at", "is_late")
        .order_by("assignment_id", "-submitted_at")
    )
    for report in rows:
        latest.setdefault(report.assignment_id, report)
    return latest


def responsible_names(pairs) -> dict[tuple[int, int | None], list[str]]:
    """Who answers for each (organisation, department): names, for a page of rows."""
    from django.contrib.auth import get_user_model

    from assignments.selectors import responsible_users

    people = responsible_users(pairs)
    ids = {u for users in people.values() for u in users}
    users = get_user_model().objects.filter(pk__in=ids).only("id", "username", "first_name", "last_name")
    names = {u.pk: (u.get_full_name() or u.username) for u in users}
    return {pair: sorted(names[u] for u in users if u in names) for pair, users in people.items()}


def item_rows(queryset: QuerySet, *, today: date) -> list[dict]:
    """The 督办清单's rows as data (the page's export and `overdue_list --json` share them): people and
    last reports fetched once for all the rows given."""
    rows = list(queryset)
    people = responsible_names({(r.assignment.organisation_id, r.assignment.department_id) for r in rows})
    reports = last_reports(r.assignment_id for r in rows)
    levels = dict(Escalation.choices)
    result = []
    for r in rows:
        a = r.assignment
        report = reports.get(a.pk)
        result.append({
            "assignment_id": a.pk,
            "org_code": a.organisation.code or "",
            "org": a.organisation.name,
            "department": a.department.name if a.department_id else "",
            "people": people.get((a.organisation_id, a.department_id), []),
            "plan": a.plan.title,
            "plan_id": a.plan_id,
            "task_seq": a.task.seq,
            "task": a.task.title,
            "milestone": r.milestone.raw,
            "due": r.due_date.isoformat() if r.due_date else None,
            "days_overdue": days_overdue(r.due_date, today),
            "level": a.escalation,
            "level_label": levels.get(a.escalation, ""),
            "last_report": (
                {"period": report.period, "submitted_at": report.submitted_at.date().isoformat(),
                 "late": report.is_late}
                if report else None
            ),
        })  # fmt: skip
    return result
