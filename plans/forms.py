"""Forms of the plan pages."""

from django import forms

from orgtree.models import Organisation

from .importers import MAX_UPLOAD_BYTES


class PlanImportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="发文组织", queryset=Organisation.objects.none(), empty_label=None
    )
    file = forms.FileField(label="任务分解表", help_text="支持 .xlsx 或 .csv（UTF-8 / GBK），不超过 10 MB")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 10 MB")
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError("请上传 .xlsx 或 .csv 文件")
        return upload


class PublishForm(forms.Form):
    levels = forms.MultipleChoiceField(
        label="下发到",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个层级"},
    )

    def __init__(self, *args, **kwargs):
        from .services import LEVEL_LABELS

        super().__init__(*args, **kwargs)
        self.fields["levels"].choices = list(LEVEL_LABELS.items())
        self.fields["levels"].initial = ["city", "county"]
