"""Forms of the plan pages."""

import django_filters
from django import forms
from django.db.models import Q

from core.forms import DateInput
from core.spreadsheets import MAX_UPLOAD_BYTES
from orgtree.models import Department, Organisation

from .models import Plan, ReportFrequency

PLAN_FILE_TYPES = (".xlsx", ".xls", ".docx", ".csv")


class PlanImportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="发文组织", queryset=Organisation.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label="任务分解表",
        help_text="Excel（.xlsx、.xls）、Word 表格（.docx）或 CSV（UTF-8 / GBK），不超过 10 MB",
    )

    start_year = forms.IntegerField(
        label="计划起始年度", required=False, min_value=2000, max_value=2100,
        help_text="可不填：标题或进度安排中写了年份时自动识别",
    )  # fmt: skip
    end_year = forms.IntegerField(label="计划结束年度", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if end and not start:
            self.add_error("start_year", "填写了结束年度，也请填写起始年度")
        elif start and end and end < start:
            self.add_error("end_year", "结束年度不能早于起始年度")
        return data

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 10 MB")
        name = upload.name.lower()
        if not name.endswith(PLAN_FILE_TYPES):
            raise forms.ValidationError(f"请上传 {'、'.join(PLAN_FILE_TYPES)} 文件")
        return upload


class ImportPeriodForm(forms.Form):
    """The period of a file that does not say it."""

    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="结束年度", min_value=2000, max_value=2100, required=False)


class SectionForm(forms.Form):
    title = forms.CharField(label="章节标题", max_length=200)


class TaskForm(forms.Form):
    seq = forms.CharField(label="序号", max_length=20)
    title = forms.CharField(label="项目名称", max_length=300)
    section = forms.ModelChoiceField(label="章节", queryset=None, required=False, empty_label="（无）")
    summary = forms.CharField(label="总体计划", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    schedule_text = forms.CharField(
        label="进度安排", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lead_departments = forms.ModelMultipleChoiceField(label="牵头部门", queryset=None, required=False)
    participating_departments = forms.ModelMultipleChoiceField(
        label="参与部门", queryset=None, required=False
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = plan.sections.all()
        departments = Department.objects.filter(organisation_id=plan.organisation_id, is_active=True)
        for name in ("lead_departments", "participating_departments"):
            self.fields[name].queryset = departments
            self.fields[name].widget.attrs.update({"class": "searchable", "size": 6})

    @classmethod
    def initial_for(cls, task):
        return {
            "seq": task.seq, "title": task.title, "section": task.section_id, "summary": task.summary,
            "schedule_text": task.schedule_text, "lead_departments": list(task.lead_departments.all()),
            "participating_departments": list(task.participating_departments.all()),
        }  # fmt: skip


class PlanUpdateForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    doc_number = forms.CharField(
        label="文号", max_length=60, required=False, help_text="例如 团浙办〔2019〕13号"
    )
    issue_date = forms.DateField(label="印发日期", required=False, widget=DateInput())
    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="结束年度", min_value=2000, max_value=2100)
    by_school_year = forms.BooleanField(
        label="按学年", required=False,
        help_text="学校团委按学年（如 2024—2025 学年）制定的计划：只写月份的时间，"
                  "9—12 月算起始年度，1—8 月算结束年度",
    )  # fmt: skip
    report_frequency = forms.ChoiceField(
        label="进度报告频次", choices=ReportFrequency.choices, initial=ReportFrequency.MONTH, required=False
    )

    FIELDS = ("title", "doc_number", "issue_date", "start_year", "end_year", "report_frequency")

    @classmethod
    def initial_for(cls, plan: Plan) -> dict:
        initial = {name: getattr(plan, name) for name in cls.FIELDS}
        return {**initial, "by_school_year": bool(plan.school_year)}


class PlanForm(PlanUpdateForm):
    """A new plan: the heading fields plus the issuing organisation, chosen among the user's own."""

    organisation = forms.ModelChoiceField(
        label="发文组织", queryset=Organisation.objects.none(), empty_label=None
    )
    field_order = ["organisation"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MilestoneForm(forms.Form):
    start = forms.DateField(label="开始日期", required=False, widget=DateInput())
    due = forms.DateField(
        label="完成时限",
        required=False,
        widget=DateInput(),
        help_text="留空表示持续推进",
    )

    def clean(self):
        data = super().clean()
        # A request that leaves a date out (a page from before, a script) keeps it; only an input the user
        # emptied clears it.
        for name in ("start", "due"):
            if name not in self.data and name not in self.errors:
                data[name] = self.initial.get(name)
        return data


class PlanFilter(django_filters.FilterSet):
    """The plan list's filters: words of the title or 文号, a year the plan covers, its state."""

    q = django_filters.CharFilter(label="标题或文号", method="filter_words", max_length=60)
    year = django_filters.NumberFilter(label="年度", method="filter_year", min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(label="状态", choices=Plan.Status.choices, empty_label="全部")

    class Meta:
        model = Plan
        fields = ["q", "year", "status"]

    def filter_words(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(doc_number__icontains=value))

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)
