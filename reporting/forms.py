"""Forms of reporting and review."""

from django import forms

from assignments.services import SETTLE_ACTIONS
from core.forms import DateInput

from .models import ProgressReport


class ReportForm(forms.Form):
    stage = forms.ChoiceField(label="进展", choices=ProgressReport.Stage.choices)
    percent = forms.IntegerField(label="完成百分比", min_value=0, max_value=100)
    narrative = forms.CharField(
        label="进展情况", required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, assignment_milestones, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        self.assignment_milestones = list(assignment_milestones)
        for item in self.assignment_milestones:
            self.fields[f"done_{item.pk}"] = forms.BooleanField(label=item.milestone.raw[:60], required=False)
            self.fields[f"on_{item.pk}"] = forms.DateField(
                label="完成日期", required=False, widget=DateInput()
            )

    @classmethod
    def initial_for(cls, report: ProgressReport) -> dict:
        initial = {"stage": report.stage, "percent": report.percent, "narrative": report.narrative,
                   "version": report.version}  # fmt: skip
        if report.pk:
            for claim in report.claims.all():
                initial[f"done_{claim.assignment_milestone_id}"] = True
                initial[f"on_{claim.assignment_milestone_id}"] = claim.completed_on
        return initial

    def claims(self) -> list:
        return [
            (item.pk, self.cleaned_data.get(f"on_{item.pk}"))
            for item in self.assignment_milestones
            if self.cleaned_data.get(f"done_{item.pk}")
        ]

    def claim_rows(self):
        return [(item, self[f"done_{item.pk}"], self[f"on_{item.pk}"]) for item in self.assignment_milestones]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "通过"), ("return", "退回")])
    comment = forms.CharField(
        label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    requested_due = forms.DateField(label="申请延至")
    reason = forms.CharField(label="理由", max_length=2000)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "同意"), ("refuse", "不同意")])
    comment = forms.CharField(label="审批意见", required=False, max_length=2000)


class SettleForm(forms.Form):
    action = forms.ChoiceField(choices=[(key, label) for key, (_, _, label) in SETTLE_ACTIONS.items()])
    reason = forms.CharField(label="原因", max_length=2000)


class UrgeForm(forms.Form):
    comment = forms.CharField(label="催办意见", required=False, max_length=500)


class ContributionForm(forms.Form):
    period = forms.CharField(label="报告期", max_length=7)
    text = forms.CharField(label="配合情况", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class BreakDownForm(forms.Form):
    """分解交办: organisations directly below the receiver and, for what it received as a whole, the
    departments of its office."""

    organisations = forms.ModelMultipleChoiceField(
        label="下级组织", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    departments = forms.ModelMultipleChoiceField(
        label="本单位部门", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organisations, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations
        self.fields["departments"].queryset = departments
        if not departments.exists():
            del self.fields["departments"]

    def clean(self):
        data = super().clean()
        if not data.get("organisations") and not data.get("departments"):
            raise forms.ValidationError("请至少选择一个下级组织或本单位部门")
        return data
