"""Writes: issuing a 通报 (stored with the figures it was issued with and the units it names), a scheme's
weights and hand-given points, and closing a year (its scores frozen). No HTTP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assignments.notices import notify
from core.periods import Period
from orgtree.models import Department, Organisation
from orgtree.querysets import holders
from supervision.board import children_of

from . import scoring
from .models import Bulletin, BulletinRow, ScoreAdjustment, ScoringScheme
from .selectors import assessment, bulletin


def bulletin_title(org: Organisation, period: Period) -> str:
    return f"{org.name}关于{period.label}重点任务推进情况的通报"


@transaction.atomic
def bulletin_issue(*, org: Organisation, period: Period, today: date, user, doc_number: str = "") -> Bulletin:
    payload = bulletin(org=org, period=period, today=today)
    if not payload["rows"] and not payload["departments"]:
        raise ValidationError("没有可以通报的下级组织或部门")
    issued = Bulletin.objects.create(
        organisation=org,
        period=period.code,
        title=bulletin_title(org, period),
        doc_number=doc_number.strip()[:60],
        summary=payload["summary"],
        today=today,
        issued_by=user,
        figures=payload,
    )
    _tell_the_named(issued, [row["id"] for row in payload["rows"]])
    BulletinRow.objects.bulk_create(
        [BulletinRow(bulletin=issued, organisation_id=row["id"], rank=row["rank"]) for row in payload["rows"]]
        + [
            BulletinRow(bulletin=issued, department_id=row["id"], rank=row["rank"])
            for row in payload["departments"]
        ]
    )
    return issued


def _tell_the_named(issued: Bulletin, child_ids: list[int]) -> None:
    """The people of the children it names (not those who see the issuer already) get a notice."""
    issuing = set().union(*holders("view", [issued.organisation_id]).values())
    named = set().union(*holders("view", child_ids).values()) - issuing
    notify(named, key=f"bulletin:{issued.pk}", title=f"上级通报：《{issued.title}》",
           url=reverse("evaluation:bulletin_detail", args=[issued.pk]))  # fmt: skip


def _open_scheme(org: Organisation, year: int) -> ScoringScheme:
    scheme, _ = ScoringScheme.objects.select_for_update().get_or_create(
        organisation=org, year=year, defaults={"weights": scoring.default_weights()}
    )
    if scheme.closed_at:
        raise ValidationError(f"{year} 年度考核已关闭，得分已固定，不能再修改")
    return scheme


def clean_weights(data: dict) -> dict[str, str]:
    """Every rule's points: a number from 0 to the rule's maximum."""
    errors, weights = {}, {}
    for rule in scoring.RULES:
        raw = str(data.get(rule.key, "")).strip()
        try:
            value = Decimal(raw)
        except InvalidOperation:
            errors[rule.key] = f"“{rule.label}”应填写数字"
            continue
        if not value.is_finite() or not Decimal(0) <= value <= rule.maximum:
            errors[rule.key] = f"“{rule.label}”应在 0—{rule.maximum} 之间"
        elif value.as_tuple().exponent < -2:
            errors[rule.key] = f"“{rule.label}”最多保留两位小数"
        else:
            weights[rule.key] = scoring.plain(value)
    if errors:
        raise ValidationError(errors)
    return weights


@transaction.atomic
def scheme_save(*, org: Organisation, year: int, data: dict, user) -> ScoringScheme:
    weights = clean_weights(data)
    scheme = _open_scheme(org, year)
    scheme.weights = weights
    scheme.updated_by = user
    scheme.save()
    return scheme


@transaction.atomic
def adjustment_add(*, org: Organisation, year: int, unit: str, points, reason: str, user) -> ScoreAdjustment:
    """A bonus or penalty for one child (org:ID) or one of the office's departments (department:ID)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "加减分必须写明理由"})
    try:
        value = Decimal(str(points).strip())
    except InvalidOperation:
        raise ValidationError({"points": "分值应填写数字，如 2 或 -1.5"}) from None
    if not value.is_finite() or not Decimal(-20) <= value <= Decimal(20) or value == 0:
        raise ValidationError({"points": "分值应在 -20—20 之间，且不为 0"})
    kind, _, pk = str(unit).partition(":")
    target = {}
    if kind == "org" and pk.isdigit() and int(pk) in {child.pk for child in children_of(org)}:
        target = {"organisation_id": int(pk)}
    elif (
        kind == "department"
        and pk.isdigit()
        and Department.objects.filter(pk=int(pk), organisation=org).exists()
    ):
        target = {"department_id": int(pk)}
    if not target:
        raise ValidationError({"unit": "请选择本单位的直属下级组织或部门"})
    scheme = _open_scheme(org, year)
    return ScoreAdjustment.objects.create(
        scheme=scheme, points=value, reason=reason[:200], created_by=user, **target
    )


@transaction.atomic
def year_close(*, org: Organisation, year: int, today: date, user) -> ScoringScheme:
    """Freeze the year's scores as computed now; later facts no longer change them."""
    if year > today.year:
        raise ValidationError(f"{year} 年度尚未开始，不能关闭")
    scheme = _open_scheme(org, year)
    scheme.frozen = assessment(org=org, year=year, today=today) | {"frozen": True}
    scheme.frozen["scheme"]["closed"] = True
    scheme.closed_at, scheme.closed_by = timezone.now(), user
    scheme.save()
    return scheme
