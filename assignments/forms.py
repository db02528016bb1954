"""Forms of publishing."""

from django import forms

from .publishing import LEVEL_LABELS


class PublishForm(forms.Form):
    levels = forms.MultipleChoiceField(
        label="下发到",
        widget=forms.CheckboxSelectMultiple,
        choices=list(LEVEL_LABELS.items()),
        initial=["city", "county"],
        error_messages={"required": "请至少选择一个层级"},
    )
