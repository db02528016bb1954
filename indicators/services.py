"""Writing indicator targets and figures. Callers have already scoped the organisations (selectors)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from orgtree.models import Organisation, OrgType

from .models import Comparison, Direction, Indicator, Source, Target, Value, ValueHistory
from .periods import Period, parse_period
from .rollup import compute_value, strictness

MAX_FIGURE = Decimal("99999999999999")  # what the columns hold, far above any head count


# Targets ---------------------------------------------------------------------------------------------------


def _covers(upper: Target, new: Target) -> bool:
    """Whether `upper` (set above or more broadly) constrains the organisations `new` applies to."""
    setter, org = upper.organisation, new.organisation
    if setter.pk == org.pk:
        rank = {Target.SELF: 0, Target.SUBTREE: 2}
        if rank.get(upper.applies_to, 1) <= rank.get(new.applies_to, 1):
            return False
    elif setter.org_type != OrgType.CENTRAL and not (
        setter.tree_id == org.tree_id and setter.lft < org.lft and org.rght < setter.rght
    ):
        return False
    if setter.pk != org.pk and upper.applies_to == Target.SELF:
        return False
    new_types = (
        None
        if new.applies_to == Target.SUBTREE
        else {org.org_type if new.applies_to == Target.SELF else new.applies_to}
    )
    if upper.applies_to in (Target.SUBTREE, Target.SELF) or new_types is None:
        return True
    return upper.applies_to in new_types


def target_set(
    *,
    indicator: Indicator,
    organisation: Organisation,
    year: int,
    applies_to: str,
    comparison: str,
    value,
    note: str = "",
    user=None,
) -> Target:
    """Create or change a target. It may be stricter than what applies from above, never looser."""
    errors = {}
    if not 2000 <= int(year) <= 2100:
        errors["year"] = "年度应在 2000—2100 之间"
    valid_scopes = {Target.SELF, Target.SUBTREE, *OrgType.values}
    if applies_to not in valid_scopes:
        errors["applies_to"] = "请选择适用范围"
    allowed = {Direction.HIGHER: Comparison.GTE, Direction.LOWER: Comparison.LTE}[indicator.direction]
    if comparison not in (allowed, Comparison.APPROX):
        errors["comparison"] = (
            f"“{indicator.name}”{indicator.get_direction_display()}，目标应为“{allowed.label}”或“左右”"
        )
    try:
        value = Decimal(str(value).strip())
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = "目标值应为数字"
    else:
        bound_error = _bounds_error(indicator, value)
        if bound_error:
            errors["value"] = f"目标值{bound_error}"
    if errors:
        raise ValidationError(errors)
    organisation = Organisation.objects.get(pk=organisation.pk)  # current nested-set bounds
    with transaction.atomic():
        target = Target.objects.filter(
            indicator=indicator, year=year, organisation=organisation, applies_to=applies_to
        ).first() or Target(indicator=indicator, year=year, organisation=organisation, applies_to=applies_to)
        target.comparison, target.value, target.note, target.set_by = (
            comparison,
            value,
            note[:200],
            _actor(user),
        )
        target.organisation = organisation
        ancestors = Target.objects.filter(indicator=indicator, year=year).select_related("organisation")
        if target.pk:
            ancestors = ancestors.exclude(pk=target.pk)
        for upper in ancestors:
            if _covers(upper, target) and strictness(indicator, target)[0] < strictness(indicator, upper)[0]:
                raise ValidationError(
                    {
                        "value": f"目标不能比上级要求更宽松：{upper.organisation.name}"
                        f"对{upper.applies_to_label}的 {year} 年目标为"
                        f"“{upper.get_comparison_display()} {_fmt(upper.value)}”"
                    }
                )
        target.save()
    return target


def target_delete(*, target: Target) -> None:
    target.delete()


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


# Figures ---------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One figure to write, as typed or read from a file; `ref` says where it came from for messages."""

    indicator: Indicator
    organisation: Organisation
    period: Period
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    ref: str = ""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")


def parse_number(text, label: str) -> Decimal | None:
    """A figure typed by a person: blank is None; 1,234 and full-width digits are fine; 12% is not."""
    if text is None:
        return None
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        number = Decimal(str(text))
    else:
        raw = str(text).strip().translate(_FULL_WIDTH).replace(",", "").replace(" ", "")
        if raw == "":
            return None
        if not _NUMBER.match(raw):
            raise ValidationError(f"{label}“{str(text)[:20]}”不是数字")
        number = Decimal(raw)
    if not number.is_finite() or abs(number) > MAX_FIGURE:
        raise ValidationError(f"{label}超出范围")
    return number


def _bounds_error(indicator: Indicator, value: Decimal) -> str:
    if indicator.min_value is not None and value < indicator.min_value:
        return f"不能小于 {_fmt(indicator.min_value)}{indicator.unit_suffix}"
    if indicator.max_value is not None and value > indicator.max_value:
        return f"不能大于 {_fmt(indicator.max_value)}{indicator.unit_suffix}"
    return ""


def check_entry(entry: Entry, today=None) -> Entry:
    """Validate one figure and compute its value; raises ValidationError with a Chinese message."""
    indicator, org, period = entry.indicator, entry.organisation, entry.period
    today = today or timezone.localdate()
    if period.kind != indicator.frequency:
        raise ValidationError(
            f"“{indicator.name}”按{indicator.get_frequency_display()}报送，期间“{period.code}”不符"
        )
    if period.start > today:
        raise ValidationError(f"{period.label}尚未开始，不能填报")
    if org.org_type != indicator.reporting_level:
        raise ValidationError(
            f"“{indicator.name}”由{OrgType(indicator.reporting_level).label}报送，{org.name}不是该层级"
        )
    if org.established_on and org.established_on > period.end:
        raise ValidationError(f"{org.name}成立于 {org.established_on}，不能填报{period.label}")
    if org.dissolved_at and timezone.localtime(org.dissolved_at).date() < period.start:
        raise ValidationError(f"{org.name}已于期间开始前撤销，不能填报{period.label}")
    if indicator.has_fraction:
        num, den = entry.numerator, entry.denominator
        if entry.value is not None and num is None and den is None:
            raise ValidationError(f"“{indicator.name}”请填写分子和分母，不能直接填写比率")
        if num is None or den is None:
            raise ValidationError(f"“{indicator.name}”的分子和分母需同时填写")
        if den <= 0:
            raise ValidationError(f"“{indicator.name}”的分母必须大于 0")
        if num < 0:
            raise ValidationError(f"“{indicator.name}”的分子不能为负数")
        if indicator.is_share and num > den:
            raise ValidationError(f"“{indicator.name}”的分子（{_fmt(num)}）不能大于分母（{_fmt(den)}）")
        entry.value = compute_value(indicator, num, den)
    else:
        if entry.numerator is not None or entry.denominator is not None:
            raise ValidationError(f"“{indicator.name}”只填写数值，不填分子分母")
        if entry.value is None:
            raise ValidationError(f"“{indicator.name}”请填写数值")
        if entry.value < 0:
            raise ValidationError(f"“{indicator.name}”不能为负数")
    bound_error = _bounds_error(indicator, entry.value)
    if bound_error:
        raise ValidationError(f"“{indicator.name}”的数值 {_fmt(entry.value)}{bound_error}")
    return entry


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    return Decimal(a) == Decimal(b)


def plan_entries(entries: list[Entry]) -> tuple[list[tuple[Entry, Value | None]], list[dict]]:
    """Validate every entry and pair it with the stored value it would change. Returns (changes, errors)."""
    errors, seen, checked = [], {}, []
    for entry in entries:
        key = (entry.indicator.pk, entry.organisation.pk, entry.period.code)
        if key in seen:
            what = f"{entry.organisation.name} {entry.indicator.name} {entry.period.code}"
            errors.append({"ref": entry.ref, "message": f"与{seen[key]}重复：{what}"})
            continue
        seen[key] = entry.ref or "前一项"
        try:
            checked.append(check_entry(entry))
        except ValidationError as exc:
            errors.append({"ref": entry.ref, "message": exc.messages[0]})
    existing = {}
    if checked:
        indicator_ids = {e.indicator.pk for e in checked}
        org_ids = {e.organisation.pk for e in checked}
        periods = {e.period.code for e in checked}
        for value in Value.objects.filter(
            indicator_id__in=indicator_ids, organisation_id__in=org_ids, period__in=periods
        ):
            existing[(value.indicator_id, value.organisation_id, value.period)] = value
    changes = [(e, existing.get((e.indicator.pk, e.organisation.pk, e.period.code))) for e in checked]
    return changes, errors


def change_kind(entry: Entry, stored: Value | None) -> str:
    if stored is None:
        return "new"
    same = (
        _same(stored.numerator, entry.numerator)
        and _same(stored.denominator, entry.denominator)
        and _same(stored.value, entry.value)
    )
    return "unchanged" if same else "update"


def values_save(
    *, entries: list[Entry], user=None, source: str = Source.MANUAL, late: bool | None = None
) -> dict:
    """Write figures all or nothing: any invalid entry rejects the lot. Returns counts per kind.
    A new figure is late when written after its period's deadline, unless `late` says otherwise
    (loading history that was reported on paper at the time)."""
    changes, errors = plan_entries(entries)
    if errors:
        raise ValidationError([f"{e['ref']}：{e['message']}" if e["ref"] else e["message"] for e in errors])
    now = timezone.now()
    actor = _actor(user)
    counts = {"new": 0, "update": 0, "unchanged": 0}
    new, updated = [], []
    for entry, stored in changes:
        kind = change_kind(entry, stored)
        counts[kind] += 1
        if kind == "new":
            new.append(
                Value(
                    indicator=entry.indicator, organisation=entry.organisation, period=entry.period.code,
                    year=entry.period.year, numerator=entry.numerator, denominator=entry.denominator,
                    value=entry.value, source=source,
                    is_late=(timezone.localdate() > entry.period.deadline) if late is None else late,
                    reported_by=actor, reported_at=now, updated_at=now,
                )
            )  # fmt: skip
        elif kind == "update":
            stored.numerator, stored.denominator, stored.value = (
                entry.numerator,
                entry.denominator,
                entry.value,
            )
            stored.source, stored.updated_at = source, now
            updated.append(stored)
    with transaction.atomic():
        Value.objects.bulk_create(new, batch_size=2000)
        Value.objects.bulk_update(
            updated, ["numerator", "denominator", "value", "source", "updated_at"], batch_size=2000
        )
        ValueHistory.objects.bulk_create(
            [
                ValueHistory(
                    value=v, numerator=v.numerator, denominator=v.denominator, figure=v.value,
                    source=source, changed_by=actor, changed_at=now,
                )
                for v in [*new, *updated]
            ],
            batch_size=2000,
        )  # fmt: skip
    return counts


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def entry_for(indicator: Indicator, organisation: Organisation, period: str | Period, **figures) -> Entry:
    """Convenience for scripts and tests: an Entry from plain values."""
    period = parse_period(period) if isinstance(period, str) else period
    return Entry(
        indicator,
        organisation,
        period,
        parse_number(figures.get("numerator"), "分子"),
        parse_number(figures.get("denominator"), "分母"),
        parse_number(figures.get("value"), "数值"),
        figures.get("ref", ""),
    )


# Shipped definitions ---------------------------------------------------------------------------------------

DEFINITION_FIELDS = (
    "name", "definition", "numerator_label", "denominator_label", "unit", "direction", "aggregation",
    "frequency", "reporting_level", "decimals", "min_value", "max_value", "is_share", "near_margin",
)  # fmt: skip


def load_indicators(spec: dict, *, targets_for: Organisation | None = None, user=None) -> dict:
    """Create or update the shipped indicators by code (idempotent); optionally set their suggested targets
    for the whole subtree of one organisation, and link the tasks whose titles name them."""
    from plans.models import Task

    counts = {"created": 0, "updated": 0, "targets": 0, "tasks": 0}
    with transaction.atomic():
        for order, item in enumerate(spec["indicators"], start=1):
            fields = {k: item[k] for k in DEFINITION_FIELDS if k in item}
            indicator, created = Indicator.objects.update_or_create(
                code=item["code"], defaults={**fields, "order": order}
            )
            counts["created" if created else "updated"] += 1
            for keyword in item.get("task_keywords", []):
                tasks = Task.objects.filter(title__contains=keyword)
                if targets_for is not None:
                    tasks = tasks.filter(organisation__tree_id=targets_for.tree_id)
                before = indicator.tasks.count()
                indicator.tasks.add(*tasks[:50])
                counts["tasks"] += indicator.tasks.count() - before
            if targets_for is None:
                continue
            for target in item.get("targets", []):
                if not Target.objects.filter(
                    indicator=indicator,
                    year=target["year"],
                    organisation=targets_for,
                    applies_to=Target.SUBTREE,
                ).exists():
                    target_set(
                        indicator=indicator, organisation=targets_for, year=target["year"],
                        applies_to=Target.SUBTREE, comparison=target["comparison"], value=target["value"],
                        note=spec.get("source", "")[:200], user=user,
                    )  # fmt: skip
                    counts["targets"] += 1
    return counts
