"""Number formats for figures: grouped digits everywhere, and a compact form (万/亿, million/billion) on the big
screen, where 4,780,000,000 must fit a card."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language

register = template.Library()


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def grouped(value, decimals=0):
    number = _decimal(value)
    if number is None:
        return ""
    return f"{number:,.{int(decimals)}f}"


@register.filter
def compact(value, decimals=0):
    number = _decimal(value)
    if number is None:
        return ""
    if (get_language() or "zh-hans").startswith("zh"):
        steps = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
        floor = Decimal(10) ** 6  # below a million the full number still fits
    else:
        steps = ((Decimal(10) ** 9, " bn"), (Decimal(10) ** 6, " m"))
        floor = Decimal(10) ** 6
    if abs(number) >= floor:
        for size, suffix in steps:
            if abs(number) >= size:
                return f"{(number / size):,.2f}".rstrip("0").rstrip(".") + suffix
    return f"{number:,.{int(decimals)}f}"
