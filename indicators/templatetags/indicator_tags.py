from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def figure(value, indicator):
    """A value in the indicator's precision and unit: 50.0%, 12 人."""
    if value is None:
        return "—"
    number = Decimal(value).quantize(Decimal(1).scaleb(-indicator.decimals))
    suffix = indicator.unit_suffix
    return f"{number}{suffix}" if suffix == "%" or not suffix else f"{number} {suffix}"


@register.filter
def plain(value):
    """A stored figure without trailing zeros: 30, 12.5."""
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text


@register.filter
def actor(user):
    """Who did it: the person's name, or 系统 for imports and jobs."""
    if user is None:
        return "系统"
    return user.get_full_name() or user.username
