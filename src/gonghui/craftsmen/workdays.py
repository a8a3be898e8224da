"""Deadlines in Chinese working days: public holidays and make-up working days (调休).

The ``chinesecalendar`` package knows the State Council's holiday arrangements for the years it ships data for;
for dates beyond that (the next year's arrangement is published each November) staff enter them in the
``WorkdayOverride`` table, which also wins over the package when both speak about a date.
"""

from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.utils import timezone

from gonghui.craftsmen.models import WorkdayOverride


def _overrides(start: date, end: date) -> dict[date, bool]:
    return dict(
        WorkdayOverride.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
    )


def _calendar_says(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # beyond the package's data and not in the table: Monday to Friday
        return day.weekday() < 5


def is_workday(day: date, overrides: dict[date, bool] | None = None) -> bool:
    overrides = _overrides(day, day) if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    return _calendar_says(day)


def add_workdays(start: date, days: int) -> date:
    """The date that is ``days`` working days after ``start`` (start itself does not count)."""
    overrides = _overrides(start, start + timedelta(days=days * 3 + 30))
    current = start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if is_workday(current, overrides):
            counted += 1
    return current


def deadline_after(moment: datetime, days: int) -> datetime:
    """End (23:59:59 local time) of the ``days``-th working day after ``moment``."""
    local = timezone.localtime(moment)
    due = add_workdays(local.date(), days)
    return timezone.make_aware(datetime.combine(due, time(23, 59, 59)))


def workdays_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    return sum(is_workday(start + timedelta(days=i), overrides) for i in range(1, (end - start).days + 1))
