"""Forms of the indicator pages; organisation choices are limited to the user's own scope."""

from django import forms
from django.utils import timezone

from orgtree.models import OrgType

from .figures import Entry, parse_number, plan_entries
from .models import Comparison, Target

MAX_UPLOAD_MB = 10


def scope_choices(org) -> list[tuple[str, str]]:
    """Who a target set at `org` may apply to: itself, its subtree, or one type of organisation below it."""
    below = [
        (v, f"下级{label}") for v, label in OrgType.choices if v not in ("central", "province", org.org_type)
    ]
    return [(Target.SELF, "本组织"), (Target.SUBTREE, "本组织及全部下级"), *below]


class TargetForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    applies_to = forms.ChoiceField(label="适用范围")
    comparison = forms.ChoiceField(label="要求", choices=Comparison.choices)
    value = forms.DecimalField(label="目标值", max_digits=20, decimal_places=6)
    note = forms.CharField(label="依据", max_length=200, required=False, help_text="例如 文件名称或文号")

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applies_to"].choices = scope_choices(org)
        self.fields["year"].initial = timezone.localdate().year


class ValueImportForm(forms.Form):
    organisation = forms.ModelChoiceField(label="填报组织", queryset=None, empty_label=None)
    file = forms.FileField(label="文件（.xlsx、.xls 或 .csv）", help_text=f"不超过 {MAX_UPLOAD_MB} MB")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 {MAX_UPLOAD_MB} MB"
            )
        return upload


PARTS = {"n": ("numerator", "分子"), "d": ("denominator", "分母"), "v": ("value", "数值")}


def _parts(indicator) -> tuple[str, ...]:
    return ("n", "d") if indicator.has_fraction else ("v",)


class FigureRowForm(forms.Form):
    """One organisation's row of the entry grid: a numerator and denominator (or a value) for each
    indicator it reports. Blank cells are not reports; a stored figure cannot be blanked out."""

    org = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, organisation, indicators, stored, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation, self.indicators, self.stored, self.period = (
            organisation,
            indicators,
            stored,
            period,
        )
        self.fields["org"].initial = organisation.pk
        for indicator in self.reported:
            figure = stored.get((organisation.pk, indicator.pk))
            for part in _parts(indicator):
                field, label = PARTS[part]
                value = getattr(figure, field) if figure is not None else None
                self.fields[f"{indicator.pk}_{part}"] = forms.CharField(
                    label=f"{organisation.name} {indicator.name} {label}",
                    required=False,
                    max_length=40,
                    initial="" if value is None else format(value.normalize(), "f"),
                )
        self.entries: list = []

    @property
    def reported(self) -> list:
        return [i for i in self.indicators if i.reporting_level == self.organisation.org_type]

    def clean_org(self):
        if self.cleaned_data["org"] != self.organisation.pk:
            raise forms.ValidationError("页面已过期（组织列表有变化），请刷新后重新填写")
        return self.cleaned_data["org"]

    def clean(self):
        for indicator in self.reported:
            names = [f"{indicator.pk}_{part}" for part in _parts(indicator)]
            raw = {name[-1]: (self.cleaned_data.get(name) or "").strip() for name in names}
            if not any(raw.values()):
                if (self.organisation.pk, indicator.pk) in self.stored:
                    self.add_error(names[0], "已报送的数据不能清空；如需更正，请填写正确的数值")
                continue
            try:
                self.entries.append(
                    Entry(
                        indicator,
                        self.organisation,
                        self.period,
                        parse_number(raw.get("n"), "分子"),
                        parse_number(raw.get("d"), "分母"),
                        parse_number(raw.get("v"), "数值"),
                        ref=f"{self.prefix}|{names[0]}",
                    )  # fmt: skip
                )
            except forms.ValidationError as exc:
                self.add_error(names[0], exc.messages[0])
        return self.cleaned_data

    def cells(self) -> list[dict]:
        """The row as the template draws it: one cell per indicator of the page."""
        out = []
        for indicator in self.indicators:
            applicable = indicator.reporting_level == self.organisation.org_type
            names = [f"{indicator.pk}_{part}" for part in _parts(indicator)] if applicable else []
            out.append(
                {
                    "indicator": indicator,
                    "applicable": applicable,
                    "inputs": [(self[name], PARTS[name[-1]][1]) for name in names],
                    "stored": self.stored.get((self.organisation.pk, indicator.pk)),
                    "errors": [e for name in names for e in self.errors.get(name, [])],
                }
            )
        return out


class BaseFigureFormSet(forms.BaseFormSet):
    """The grid: one FigureRowForm per organisation of the page, checked together (a figure may not be
    entered twice, and every entry must fit its indicator) so that nothing is saved while any cell is
    wrong."""

    def __init__(self, *args, organisations, indicators, stored, period, **kwargs):
        self.organisations, self.indicators, self.stored, self.period = (
            organisations,
            indicators,
            stored,
            period,
        )
        super().__init__(*args, **kwargs)

    def total_form_count(self) -> int:
        return len(self.organisations)  # the page's rows, whatever count a POST claims

    def get_form_kwargs(self, index):
        return {
            "organisation": self.organisations[index],
            "indicators": self.indicators,
            "stored": self.stored,
            "period": self.period,
        }

    @property
    def entries(self) -> list:
        return [entry for form in self.forms for entry in form.entries]

    def clean(self):
        if any(self.errors):
            return
        forms_by_prefix = {form.prefix: form for form in self.forms}
        _, errors = plan_entries(self.entries)
        for error in errors:
            prefix, field = error["ref"].split("|")
            forms_by_prefix[prefix].add_error(field, error["message"])

    @property
    def error_count(self) -> int:
        return sum(len(errors) for form in self.forms for errors in form.errors.values()) + len(
            self.non_form_errors()
        )


FigureFormSet = forms.formset_factory(FigureRowForm, formset=BaseFigureFormSet, extra=0)
