from datetime import date, datetime, time

import pytest

from gonghui.stations.hours import Schedule, parse_weekly, span

MON = date(2025, 12, 1)  # a Monday


def at(day, hh, mm=0):
    return datetime.combine(day, time(hh, mm))


def test_day_span():
    s = Schedule(weekly={0: [span(time(8), time(17))]})
    assert [s.is_open(at(MON, h, m)) for h, m in [(7, 59), (8, 0), (16, 59), (17, 0)]] == [
        False,
        True,
        True,
        False,
    ]


def test_overnight_span_runs_into_the_next_day():
    s = Schedule(weekly={0: [span(time(20), time(6))]})  # Monday 20:00 to Tuesday 06:00
    tue = date(2025, 12, 2)
    assert s.is_open(at(MON, 23, 30)) is True
    assert s.is_open(at(tue, 5, 59)) is True
    assert s.is_open(at(tue, 6, 0)) is False
    assert s.is_open(at(MON, 5, 0)) is False  # Sunday has no span


def test_sunday_overnight_wraps_to_monday():
    s = Schedule(weekly={6: [span(time(22), time(2))]})
    assert s.is_open(at(MON, 1, 0)) is True


def test_24h_station_and_holiday_override():
    s = Schedule(open_24h=True, overrides={date(2026, 1, 1): []})
    assert s.is_open(at(MON, 3)) is True
    assert s.is_open(at(date(2026, 1, 1), 12)) is False
    assert s.is_open(at(date(2026, 1, 2), 0, 30)) is True


def test_override_replaces_the_weekday_hours():
    # Weekday-only station opened on a Saturday during a cold wave.
    sat = date(2025, 12, 6)
    s = Schedule(
        weekly={d: [span(time(9), time(17))] for d in range(5)}, overrides={sat: [span(time(7), time(22))]}
    )
    assert s.is_open(at(sat, 21)) is True
    assert s.is_open(at(date(2025, 12, 7), 10)) is False


def test_impossible_hours_are_refused():
    with pytest.raises(ValueError):
        parse_weekly([{"weekday": 0, "opens": "09:00", "closes": "09:00"}])
    with pytest.raises(ValueError):
        parse_weekly([{"weekday": 7, "opens": "09:00", "closes": "10:00"}])
    with pytest.raises(ValueError):
        parse_weekly(
            [
                {"weekday": 1, "opens": "09:00", "closes": "12:00"},
                {"weekday": 1, "opens": "11:00", "closes": "13:00"},
            ]
        )
    with pytest.raises(ValueError):
        parse_weekly([{"weekday": 1, "opens": "25:00", "closes": "13:00"}])
    assert parse_weekly([{"weekday": 1, "opens": "20:00", "closes": "06:00"}]) == [(1, time(20), time(6))]
