"""Forms of the organisation pages. Choices are always limited to the user's own scope."""

from datetime import date

from django import forms

from core.forms import DateInput

from .models import Department, Organisation, OrgType, Role

CHILD_TYPES = [(value, label) for value, label in OrgType.choices if value not in {"central", "province"}]


class OrganisationPickerField(forms.ModelChoiceField):
    """An organisation chosen by id from a search box; the queryset is the scope it must lie in."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": "请先搜索并选择一个组织",
        "invalid_choice": "所选组织不存在或不在您的管理范围内",
    }


class OrganisationCreateForm(forms.Form):
    name = forms.CharField(label="组织名称", max_length=120)
    short_name = forms.CharField(label="简称", max_length=60, required=False)
    org_type = forms.ChoiceField(label="组织类型", choices=CHILD_TYPES, initial=OrgType.BRANCH)
    code = forms.CharField(
        label="区划代码",
        max_length=12,
        required=False,
        help_text="有行政区划的组织填写 6/9/12 位代码，否则留空",
    )
    established_on = forms.DateField(
        label="成立日期",
        required=False,
        initial=date.today,
        widget=DateInput(),
        help_text="指标报送从成立后的第一个报告期开始要求",
    )


class OrganisationUpdateForm(forms.Form):
    name = forms.CharField(label="组织名称", max_length=120)
    short_name = forms.CharField(label="简称", max_length=60, required=False)


class OrganisationMoveForm(forms.Form):
    new_parent = OrganisationPickerField(label="新的上级组织", queryset=Organisation.objects.none())

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = scope


class OrganisationMergeForm(forms.Form):
    target = OrganisationPickerField(label="并入的组织", queryset=Organisation.objects.none())
    confirm = forms.BooleanField(
        label="我已确认：下级组织和成员将转入目标组织，本组织将被撤销", required=True
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = scope


class OrganisationDissolveForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class DepartmentForm(forms.Form):
    name = forms.CharField(label="部门名称", max_length=60)


class MembershipForm(forms.Form):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        help_text="本组织及下级组织已有的用户直接填写用户名；新用户请填写新的用户名和初始密码",
    )
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    password = forms.CharField(
        label="初始密码", required=False, widget=forms.PasswordInput, help_text="仅新用户需要，至少 8 位"
    )
    role = forms.ChoiceField(label="角色", choices=Role.choices, initial=Role.VIEWER)
    department = forms.ModelChoiceField(label="部门", queryset=Department.objects.none(), required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
