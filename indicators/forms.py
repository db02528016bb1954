"""Forms of the indicator pages; organisation choices are limited to the user's own scope."""

from django import forms
from django.utils import timezone

from orgtree.models import OrgType

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
    file = forms.FileField(label="文件（.xlsx 或 .csv）", help_text=f"不超过 {MAX_UPLOAD_MB} MB")

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
