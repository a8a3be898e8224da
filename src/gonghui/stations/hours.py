"""Opening hours: weekly spans (overnight spans run past midnight), 24-hour stations and per-date overrides.

Plain Python on plain values so the finder index and the pages share one definition of "open now".
A span is (start, end) in minutes from the date's midnight; end > 1440 means it runs into the next day.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

DAY = 1440


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def span(opens: time, closes: time) -> tuple[int, int]:
    """Minutes span for one opening; closes <= opens runs past midnight. Equal times are impossible hours."""
    start, end = minutes(opens), minutes(closes)
    if start == end:
        raise ValueError("empty span")
    return (start, end if end > start else end + DAY)


@dataclass
class Schedule:
    open_24h: bool = False
    weekly: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # weekday -> spans
    overrides: dict[date, list[tuple[int, int]]] = field(default_factory=dict)  # date -> spans ([] = closed)

    def spans_on(self, day: date) -> list[tuple[int, int]]:
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly.get(day.weekday(), [])

    def is_open(self, at: datetime) -> bool:
        """``at`` is local (Asia/Shanghai) wall time."""
        day = at.date()
        if day in self.overrides:
            todays = self.overrides[day]
        elif self.open_24h:
            return True
        else:
            todays = self.weekly.get(day.weekday(), [])
        m = at.hour * 60 + at.minute
        if any(s <= m < e for s, e in todays):
            return True
        # A span that began yesterday and runs past midnight.
        yesterday = day - timedelta(days=1)
        if self.open_24h and yesterday not in self.overrides:
            return False
        return any(e > DAY and m < e - DAY for _s, e in self.spans_on(yesterday))


def schedule_for(station, hours=None, overrides=None) -> Schedule:
    """Build from model rows (``hours``/``overrides`` may be prefetched lists)."""
    hours = list(station.hours.all()) if hours is None else hours
    overrides = list(station.overrides.all()) if overrides is None else overrides
    weekly: dict[int, list[tuple[int, int]]] = {}
    for h in hours:
        weekly.setdefault(h.weekday, []).append(span(h.opens, h.closes))
    over = {}
    for o in overrides:
        over[o.date] = [] if o.closed or not (o.opens and o.closes) else [span(o.opens, o.closes)]
    return Schedule(open_24h=station.open_24h, weekly=weekly, overrides=over)


def parse_weekly(rows) -> list[tuple[int, time, time]]:
    """Validate weekly hours given as [{"weekday", "opens", "closes"}]; raise ValueError for impossible hours."""
    parsed = []
    for row in rows:
        weekday = int(row["weekday"])
        if not 0 <= weekday <= 6:
            raise ValueError("weekday")
        opens = row["opens"] if isinstance(row["opens"], time) else time.fromisoformat(str(row["opens"]))
        closes = row["closes"] if isinstance(row["closes"], time) else time.fromisoformat(str(row["closes"]))
        span(opens, closes)
        parsed.append((weekday, opens, closes))
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, opens, closes in parsed:
        by_day.setdefault(weekday, []).append(span(opens, closes))
    for spans in by_day.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                raise ValueError("overlap")
    return parsed
