from decimal import Decimal

import pytest
from django.utils import translation

from gonghui.dashboard.templatetags.dashboard_format import compact, grouped


@pytest.mark.parametrize(
    "value, zh, en",
    [
        (Decimal("4780000000"), "47.8亿", "4.78 bn"),
        (Decimal("1642000"), "164.2万", "1.64 m"),
        (Decimal("263000"), "263,000", "263,000"),
        (Decimal("5056"), "5,056", "5,056"),
        (0, "0", "0"),
        ("not a number", "", ""),
    ],
)
def test_compact_numbers_in_both_languages(value, zh, en):
    with translation.override("zh-hans"):
        assert compact(value) == zh
    with translation.override("en"):
        assert compact(value) == en


def test_grouped_digits():
    assert grouped(Decimal("4780000000.00")) == "4,780,000,000"
    assert grouped(Decimal("12.346"), 2) == "12.35"
    assert grouped(None) == ""
