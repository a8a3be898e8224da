"""Template filters that show personal data masked: {% load masking %} {{ m.phone|mask_phone }}."""

from django import template

from gonghui.core import masking

register = template.Library()
register.filter("mask_name", masking.mask_name)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_id_number", masking.mask_id_number)
register.filter("mask_bank_number", masking.mask_bank_number)
