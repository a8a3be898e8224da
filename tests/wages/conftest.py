import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def chinese_by_default():
    """Messages are asserted in the source language; a page test in English must not leak into the next test."""
    with translation.override("zh-hans"):
        yield
