"""通报 (Bulletin) and 考核 (ScoringScheme): what a supervising organisation issues about its children from
the recorded facts. A bulletin keeps the figures it was issued with; a scheme keeps its scores once the
year is closed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from orgtree.models import Department, Organisation
from orgtree.querysets import scope_q


class BulletinQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """What the issuing organisation's people see, and — once issued — the children it names."""
        own = scope_q(user, action, prefix="organisation__")
        if own is None:
            return self
        if action != "view":
            return self.filter(own)
        named = scope_q(user, "view", prefix="rows__organisation__")
        return self.filter(pk__in=self.filter(own | named).values("pk"))


class Bulletin(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name="发文单位", on_delete=models.PROTECT, related_name="bulletins"
    )
    period = models.CharField("通报期间", max_length=7)
    title = models.CharField("标题", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    summary = models.TextField("概述")
    today = models.DateField("统计日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField("发布时间", auto_now_add=True)
    figures = models.JSONField("数据", default=dict)  # the whole payload as issued (rows, departments)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "通报"
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def period_label(self) -> str:
        from core.periods import parse_period

        return parse_period(self.period).label


class BulletinRow(models.Model):
    """One ranked line of an issued bulletin: who it names (an organisation or a department)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="rows")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveIntegerField("名次", null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(department__isnull=False),
                name="bulletin_row_names",
            )
        ]

    def __str__(self):
        return f"{self.bulletin_id}: {self.organisation_id or self.department_id} #{self.rank}"


class ScoringScheme(models.Model):
    """An issuing organisation's rules for one year's 考核: points per rule (see evaluation.scoring)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name="考核单位", on_delete=models.PROTECT, related_name="scoring_schemes"
    )
    year = models.PositiveSmallIntegerField("年度")
    weights = models.JSONField("计分规则", default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField("年度关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    frozen = models.JSONField("关闭时的得分", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核方案"
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="scheme_org_year")]

    def __str__(self):
        return f"{self.organisation} {self.year} 年度考核"


class ScoreAdjustment(models.Model):
    """A bonus or penalty given by hand, always with its reason."""

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="adjustments")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    reason = models.CharField("理由", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(department__isnull=False), name="adjustment_names"
            )
        ]

    def __str__(self):
        return f"{self.points:+} {self.reason}"
