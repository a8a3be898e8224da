"""Periods are dates: the first day of a month, or 1 January for yearly figures."""

from datetime import date

MONTH = "month"
YEAR = "year"


def period_of(day: date, grain: str) -> date:
    return date(day.year, 1, 1) if grain == YEAR else date(day.year, day.month, 1)


def add_periods(period: date, n: int, grain: str) -> date:
    if grain == YEAR:
        return date(period.year + n, 1, 1)
    index = period.year * 12 + period.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def periods_between(first: date, last: date, grain: str) -> list[date]:
    """Every period from ``first`` to ``last``, both included."""
    out, p = [], period_of(first, grain)
    while p <= last:
        out.append(p)
        p = add_periods(p, 1, grain)
    return out


def year_periods(year: int, grain: str) -> list[date]:
    return periods_between(date(year, 1, 1), date(year, 12, 1), grain)
