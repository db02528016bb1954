"""Forms of publishing: each task's recipients, the decision for undated tasks, and the quick form that
hands every task to some levels."""

from django import forms

from orgtree.models import Organisation
from plans.models import ReportFrequency

from .publishing import INTERNAL_LABEL, LEVEL_LABELS, Recipients


class PublishForm(forms.Form):
    levels = forms.MultipleChoiceField(
        label="下发到",
        widget=forms.CheckboxSelectMultiple,
        choices=list(LEVEL_LABELS.items()),
        initial=["city", "county"],
        error_messages={"required": "请至少选择一个层级"},
    )


class RecipientsForm(forms.Form):
    """Who receives the chosen tasks: the issuer's own departments, organisations of some levels below,
    and named organisations (its direct subordinates by tick, any below it by code)."""

    tasks = forms.ModelMultipleChoiceField(
        label="任务", queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请勾选要设置接收方的任务"},
    )  # fmt: skip
    internal = forms.BooleanField(label=INTERNAL_LABEL, required=False)
    levels = forms.MultipleChoiceField(
        label="下级层级（该层级的每个组织）", choices=list(LEVEL_LABELS.items()), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    organisations = forms.ModelMultipleChoiceField(
        label="指定的直属下级组织", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    codes = forms.CharField(
        label="其他指定组织的区划代码", required=False, max_length=2000,
        help_text="更下级的组织：填区划代码，多个用逗号或顿号隔开，如 330106、330203",
    )  # fmt: skip

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["tasks"].queryset = plan.tasks.order_by("order", "id")
        self.fields["organisations"].queryset = Organisation.objects.filter(
            parent_id=plan.organisation_id, is_active=True
        ).order_by("order", "code", "id")

    def clean_codes(self):
        from orgtree.subtree import subtree_q

        text = (self.cleaned_data.get("codes") or "").replace("，", ",").replace("、", ",")
        codes = [c for c in text.split(",") if c.strip()]
        if len(codes) > 500:
            raise forms.ValidationError("一次最多填写 500 个代码")
        found, missing = [], []
        issuer = Organisation.objects.get(pk=self.plan.organisation_id)
        below = Organisation.objects.filter(subtree_q(issuer, include_self=False), is_active=True)
        for code in codes:
            org = below.by_ref(code.strip())
            (found if org is not None else missing).append(org if org is not None else code.strip())
        if missing:
            raise forms.ValidationError(f"在发文组织的下级中找不到：{'、'.join(missing[:10])}")
        return found

    def clean(self):
        data = super().clean()
        if not (data.get("internal") or data.get("levels") or data.get("organisations") or data.get("codes")):
            raise forms.ValidationError("请至少选择一种接收方：本单位部门、下级层级或指定组织")
        return data

    def recipients(self) -> Recipients:
        data = self.cleaned_data
        ids = [o.pk for o in data.get("organisations") or []] + [o.pk for o in data.get("codes") or []]
        return Recipients(internal=data.get("internal", False), levels=list(data.get("levels") or []),
                          organisations=list(dict.fromkeys(ids)))  # fmt: skip

    def task_ids(self) -> list[int]:
        return [t.pk for t in self.cleaned_data["tasks"]]


class RoutineForm(forms.Form):
    """The decision publishing asks for about tasks without a date: make them 常态化 at a cadence."""

    tasks = forms.ModelMultipleChoiceField(
        label="没有时间节点的任务", queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请勾选要标为常态化的任务"},
    )  # fmt: skip
    frequency = forms.ChoiceField(
        label="报告频次",
        choices=[(v, label) for v, label in ReportFrequency.choices if v != ReportFrequency.MILESTONE],
        initial=ReportFrequency.QUARTER,
    )

    def __init__(self, *args, undated, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = undated
