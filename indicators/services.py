"""Writing indicator targets and figures, and the two-step import of a figures file. Callers have already
scoped the organisations (selectors)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.actors import actor
from core.staging import upload_confirm, upload_stage
from orgtree.models import Organisation, OrgType
from orgtree.subtree import contains

from .figures import Entry, bounds_error, change_kind, fmt, plan_entries
from .importers import ValueFileError, preview_values, reject_message
from .models import Comparison, Direction, Indicator, Source, Target, Value, ValueHistory, ValueImport
from .rollup import strictness

# Targets ---------------------------------------------------------------------------------------------------


def _covers(upper: Target, new: Target) -> bool:
    """Whether `upper` (set above or more broadly) constrains the organisations `new` applies to."""
    setter, org = upper.organisation, new.organisation
    if setter.pk == org.pk:
        rank = {Target.SELF: 0, Target.SUBTREE: 2}
        if rank.get(upper.applies_to, 1) <= rank.get(new.applies_to, 1):
            return False
    elif not contains(setter, org):
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
        bound_error = bounds_error(indicator, value)
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
            actor(user),
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
                        f"“{upper.get_comparison_display()} {fmt(upper.value)}”"
                    }
                )
        target.save()
    return target


def target_delete(*, target: Target) -> None:
    target.delete()


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
    who = actor(user)
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
                    reported_by=who, reported_at=now, updated_at=now,
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
                    source=source, changed_by=who, changed_at=now,
                )
                for v in [*new, *updated]
            ],
            batch_size=2000,
        )  # fmt: skip
    return counts


# The browser's two steps: stage (store the file and its preview), then confirm exactly that. ----------


def value_import_stage(*, organisation: Organisation, filename: str, content: bytes, organisations,
                       user=None) -> ValueImport:  # fmt: skip
    """Store an upload with its preview. Raises ValueFileError when the file itself is unusable."""
    preview, _ = preview_values(filename, content, organisations=organisations)
    return upload_stage(ValueImport, filename=filename, content=content, preview=preview, user=user,
                        digest=_shown_digest, organisation=organisation)  # fmt: skip


def _shown_digest(preview: dict) -> str:
    """A value preview's own fingerprint of the values it would write (not of its messages)."""
    return preview.get("digest") or ""


def value_import_confirm(*, staged: ValueImport, organisations, user=None) -> dict:
    """Write what the preview showed, all or nothing; refuse if the data changed since the preview."""

    def preview(content: bytes) -> dict:
        try:
            current, changes = preview_values(staged.filename, content, organisations=organisations)
        except ValueFileError as exc:
            raise ValidationError(str(exc)) from exc
        if current["errors"]:
            raise ValidationError(reject_message(current))
        current["changes"] = changes
        return current

    def commit(staged: ValueImport, current: dict) -> dict:
        counts = values_save(
            entries=[entry for entry, _ in current["changes"]], user=user, source=Source.IMPORT
        )
        staged.preview = {**staged.preview, "committed": True}
        return counts

    return upload_confirm(staged, preview=preview, commit=commit, digest=_shown_digest)
