"""Quantitative indicators (学社衔接率, 团青比 …): definitions, targets by year and level, reported values.

A value is reported by an organisation of the indicator's reporting level for one period; figures above
that level are never stored, they are rolled up from the subtree on read (indicators.rollup).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.staging import StagedUpload
from orgtree.models import Organisation, OrgType

from .querysets import (
    IndicatorQuerySet,
    TargetQuerySet,
    ValueHistoryQuerySet,
    ValueImportQuerySet,
    ValueQuerySet,
)


class Unit(models.TextChoices):
    PERCENT = "percent", "%"
    RATIO = "ratio", "比值"
    COUNT = "count", "个"
    PEOPLE = "people", "人"


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class Aggregation(models.TextChoices):
    RATIO = "ratio", "比率（分子之和 ÷ 分母之和）"
    SUM = "sum", "求和"
    LATEST = "latest", "取最新报送值"


class Frequency(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF = "half", "每半年"
    YEAR = "year", "每年"


class Indicator(models.Model):
    code = models.SlugField("指标代码", max_length=40, unique=True)
    name = models.CharField("指标名称", max_length=60, unique=True)
    definition = models.TextField("口径说明", blank=True)
    numerator_label = models.CharField("分子", max_length=120, blank=True)
    denominator_label = models.CharField("分母", max_length=120, blank=True)
    unit = models.CharField("单位", max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    aggregation = models.CharField(
        "汇总方式", max_length=10, choices=Aggregation.choices, default=Aggregation.RATIO
    )
    frequency = models.CharField("报送周期", max_length=10, choices=Frequency.choices, default=Frequency.YEAR)
    reporting_level = models.CharField(
        "报送层级", max_length=20, choices=OrgType.choices, default=OrgType.COUNTY
    )
    decimals = models.PositiveSmallIntegerField("小数位数", default=1)
    min_value = models.DecimalField("下限", max_digits=20, decimal_places=6, null=True, blank=True)
    max_value = models.DecimalField("上限", max_digits=20, decimal_places=6, null=True, blank=True)
    is_share = models.BooleanField(
        "分子不大于分母", default=True, help_text="分子是分母的一部分（如 已转接人数 / 总人数）"
    )
    near_margin = models.DecimalField(
        "接近区间",
        max_digits=12,
        decimal_places=4,
        default=5,
        help_text="与目标相差在此范围内视为“接近”（指标单位）",
    )
    tasks = models.ManyToManyField(
        "plans.Task", verbose_name="关联任务", blank=True, related_name="indicators"
    )
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    @property
    def has_fraction(self) -> bool:
        """Reported as numerator and denominator (rates) rather than one plain number."""
        return self.aggregation == Aggregation.RATIO

    @property
    def unit_suffix(self) -> str:
        return {"percent": "%", "ratio": "", "count": "个", "people": "人"}[self.unit]


class Comparison(models.TextChoices):
    GTE = "gte", "不低于"
    LTE = "lte", "不高于"
    APPROX = "approx", "左右"


class Target(models.Model):
    """A yearly target set by an organisation for itself, for every organisation of one type in its
    subtree, or for its whole subtree. Lower levels may set stricter targets, never looser ones."""

    SELF = "self"
    SUBTREE = "subtree"

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField("年度")
    organisation = models.ForeignKey(
        Organisation, verbose_name="设定组织", on_delete=models.CASCADE, related_name="indicator_targets"
    )
    applies_to = models.CharField(
        "适用范围",
        max_length=20,
        default=SELF,
        help_text="self = 本组织；subtree = 本组织及全部下级；其余为某一类型的下级组织",
    )
    comparison = models.CharField("比较", max_length=10, choices=Comparison.choices, default=Comparison.GTE)
    value = models.DecimalField("目标值", max_digits=20, decimal_places=6)
    note = models.CharField("依据", max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["indicator", "year", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "organisation", "applies_to"], name="target_unique_scope"
            )
        ]

    def __str__(self):
        return f"{self.indicator} {self.year} {self.get_comparison_display()} {self.value}"

    @property
    def applies_to_label(self) -> str:
        if self.applies_to == self.SELF:
            return "本组织"
        if self.applies_to == self.SUBTREE:
            return "本组织及全部下级"
        return f"下级{OrgType(self.applies_to).label}"


class Source(models.TextChoices):
    MANUAL = "manual", "手工填报"
    IMPORT = "import", "导入"
    COMPUTED = "computed", "计算"


class Value(models.Model):
    """One organisation's figure for one period. No row = not reported; a zero is a report."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="values"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.PROTECT, related_name="indicator_values"
    )
    period = models.CharField("期间", max_length=7, help_text="2019、2019-06、2019Q2 或 2019H1")
    year = models.PositiveSmallIntegerField("年度")
    numerator = models.DecimalField("分子", max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField("分母", max_digits=18, decimal_places=4, null=True, blank=True)
    value = models.DecimalField("数值", max_digits=24, decimal_places=6)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.MANUAL)
    is_late = models.BooleanField("逾期报送", default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField("首次报送时间")
    updated_at = models.DateTimeField("更新时间")

    objects = ValueQuerySet.as_manager()

    class Meta:
        verbose_name = "指标值"
        verbose_name_plural = "指标值"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "organisation"], name="value_unique_period"
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="value_denominator_positive",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year", "organisation"], name="value_year_idx")]

    def __str__(self):
        return f"{self.indicator} {self.organisation} {self.period}"


class ValueHistory(models.Model):
    """Every write of a value, oldest first: who changed which figure when."""

    value = models.ForeignKey(Value, on_delete=models.CASCADE, related_name="history")
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    figure = models.DecimalField(max_digits=24, decimal_places=6)
    source = models.CharField(max_length=10, choices=Source.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    objects = ValueHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = "指标值修改记录"
        verbose_name_plural = "指标值修改记录"
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.value_id} @ {self.changed_at:%Y-%m-%d %H:%M}"


class ValueImport(StagedUpload):
    """An uploaded figures file between preview and confirm; confirm writes exactly what was previewed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="value_imports")

    objects = ValueImportQuerySet.as_manager()

    class Meta:
        verbose_name = "指标导入记录"
        verbose_name_plural = "指标导入记录"
