from datetime import date

import pytest

from gonghui.craftsmen.models import WorkdayOverride
from gonghui.craftsmen.workdays import add_workdays, is_workday, workdays_between

pytestmark = pytest.mark.django_db


def test_national_day_holiday_and_makeup_day_2025():
    # 2025-10-01..08 off; Sunday 2025-09-28 and Saturday 2025-10-11 are make-up working days.
    assert is_workday(date(2025, 9, 28)) is True
    assert is_workday(date(2025, 10, 3)) is False
    assert add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_workdays(date(2025, 10, 9), 2) == date(2025, 10, 11)


def test_spring_festival_2025():
    # 2025-01-28..02-04 off; Sunday 01-26 and Saturday 02-08 are working days.
    assert add_workdays(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert workdays_between(date(2025, 1, 24), date(2025, 2, 8)) == 6  # 1-26, 1-27, 2-5, 2-6, 2-7, 2-8


def test_table_beyond_the_package_and_over_it():
    far = date(2099, 5, 1)  # a Friday the package knows nothing about
    assert is_workday(far) is True
    WorkdayOverride.objects.create(date=far, is_workday=False, note="劳动节")
    assert is_workday(far) is False
    assert add_workdays(date(2099, 4, 30), 1) == date(2099, 5, 4)
    WorkdayOverride.objects.create(date=date(2025, 10, 3), is_workday=True)
    assert is_workday(date(2025, 10, 3)) is True
