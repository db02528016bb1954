from __future__ import annotations

from datetime import date

from django import forms

from core.forms import DateInput
from core.periods import periods_of_year

from . import scoring

KIND_LABELS = {"year": "全年", "half": "半年", "quarter": "季度", "month": "月"}


def period_choices(today: date, first_year: int | None = None) -> list[tuple[str, str]]:
    """The periods a 通报 can be for, newest first: those begun, from the first year of the plans
    concerned (at least last year) to this one."""
    choices = []
    first = min(first_year or today.year, today.year - 1)
    for year in range(today.year, max(first, 2000) - 1, -1):
        for kind in ("year", "half", "quarter", "month"):
            for period in reversed(periods_of_year(year, kind)):
                if period.start <= today:
                    choices.append((period.code, period.label))
    return choices


class DayForm(forms.Form):
    """The day whose recorded facts count: today by default, never later."""

    day = forms.DateField(
        label="统计截至",
        required=False,
        widget=DateInput,
        help_text="默认今天；可选过去的某一天，按当天已记录的事实统计",
        error_messages={"invalid": "统计日期格式应为 YYYY-MM-DD"},
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day is not None and day > self.today:
            raise forms.ValidationError("统计日期不能晚于今天")
        if day is not None and day.year < 2000:
            raise forms.ValidationError("统计日期应在 2000 年以后")
        return day or self.today


class BulletinForm(DayForm):
    period = forms.ChoiceField(label="通报期间")
    field_order = ["period", "day"]

    def __init__(self, *args, today: date, first_year: int | None = None, **kwargs):
        super().__init__(*args, today=today, **kwargs)
        self.fields["period"].choices = period_choices(today, first_year)
        self.fields["period"].error_messages["invalid_choice"] = "请选择列表中的通报期间"


class IssueForm(BulletinForm):
    doc_number = forms.CharField(
        label="文号",
        max_length=60,
        required=False,
        help_text="如 团浙办〔2026〕20号；可留空，发文时填写",
        error_messages={"max_length": "文号不能超过 60 个字符"},
    )


class SchemeForm(forms.Form):
    """A field per rule; the service checks the bounds again (the one rule for the command line too)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for rule in scoring.RULES:
            self.fields[rule.key] = forms.DecimalField(
                label=f"{rule.label}（{'满分' if rule.kind == 'share' else '扣分'}）",
                help_text=rule.help,
                min_value=0,
                max_value=rule.maximum,
                decimal_places=2,
                max_digits=6,
                error_messages={
                    "required": f"请填写“{rule.label}”",
                    "invalid": f"“{rule.label}”应填写数字",
                    "min_value": f"“{rule.label}”应在 0—{rule.maximum} 之间",
                    "max_value": f"“{rule.label}”应在 0—{rule.maximum} 之间",
                    "max_decimal_places": f"“{rule.label}”最多保留两位小数",
                    "max_digits": f"“{rule.label}”应在 0—{rule.maximum} 之间",
                    "max_whole_digits": f"“{rule.label}”应在 0—{rule.maximum} 之间",
                },
            )


class AdjustmentForm(forms.Form):
    unit = forms.ChoiceField(label="对象")
    points = forms.DecimalField(
        label="分值",
        max_digits=6,
        decimal_places=2,
        min_value=-20,
        max_value=20,
        help_text="加分填正数，扣分填负数",
    )
    reason = forms.CharField(label="理由", max_length=200)

    def __init__(self, *args, units: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units
        self.fields["unit"].error_messages["invalid_choice"] = "请选择本单位的直属下级组织或部门"
