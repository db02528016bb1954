"""A computed state shown the same way everywhere: its label and colour come from ProgressStatus."""

from django import template
from django.utils.html import format_html

from assignments.models import AT_RISK_LABEL, AT_RISK_TONE, Escalation, ProgressStatus

register = template.Library()


@register.simple_tag
def progress_badge(value, at_risk=False):
    """<span class="st tone-…">label</span>; a milestone on track but behind schedule shows 进度滞后."""
    try:
        state = ProgressStatus(value)
    except ValueError:
        return ""
    if at_risk and state == ProgressStatus.ON_TRACK:
        return format_html('<span class="st tone-{}">{}</span>', AT_RISK_TONE, AT_RISK_LABEL)
    return format_html('<span class="st tone-{}">{}</span>', state.tone, state.label)


@register.simple_tag
def escalation_badge(value):
    """黄牌督办 / 红牌督办, shown on the item, its lists and the dashboards."""
    tones = {Escalation.YELLOW: "yellow", Escalation.RED: "red"}
    if value not in tones:
        return ""
    return format_html(
        '<span class="st card-{} tone-{}">{}</span>', value, tones[value], Escalation(value).label
    )
