"""The programme's figures, computed from records (the dashboard calls these; demo figures come out of them too).

Definitions (period = [start, end) in local time; a region prefix as in gonghui.core.scoping, "33" = province):
- participations: a craftsman taking on a problem (accepted offer or claim, by acceptance time) plus a craftsman
  taking part in a special service session (by session date);
- problems filed (by submission time); problems solved: closed or archived in the period with the outcome "solved";
- enterprises served: distinct enterprises whose problem was taken on in the period;
- workers trained and benefit (¥): from outcomes of problems closed in the period, plus workers trained at sessions;
- mean days to acceptance (submission → acceptance, problems accepted in the period) and to close (submission →
  close, problems closed in the period); mean rating and number of ratings of problems closed in the period;
- special sessions and the mountain/island counties served (a session held there or a problem taken on there).
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from gonghui.craftsmen.models import Offer, OfferStatus, Outcome, Problem, ProblemStatus, SpecialSession
from gonghui.regions.models import Region, RegionLevel


@dataclass
class Figures:
    participations: int = 0
    problems_filed: int = 0
    problems_solved: int = 0
    enterprises_served: int = 0
    workers_trained: int = 0
    session_workers_trained: int = 0
    benefit_yuan: int = 0
    special_sessions: int = 0
    mean_days_to_acceptance: float | None = None
    mean_days_to_close: float | None = None
    mean_rating: float | None = None
    ratings: int = 0
    _enterprises: set = field(default_factory=set, repr=False)
    _accept_days: list = field(default_factory=list, repr=False)
    _close_days: list = field(default_factory=list, repr=False)
    _rating_values: list = field(default_factory=list, repr=False)

    def finish(self) -> "Figures":
        self.enterprises_served = len(self._enterprises)
        mean = lambda xs: round(sum(xs) / len(xs), 1) if xs else None  # noqa: E731
        self.mean_days_to_acceptance = mean(self._accept_days)
        self.mean_days_to_close = mean(self._close_days)
        self.ratings = len(self._rating_values)
        self.mean_rating = round(sum(self._rating_values) / self.ratings, 2) if self.ratings else None
        return self

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date(year, 1, 1), time.min, tz),
        datetime.combine(date(year + 1, 1, 1), time.min, tz),
    )


def _county(code: str) -> str:
    return code[:6]


def _city(code: str) -> str:
    return code[:4] + "00"


def _month(moment) -> str:
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment)
    return f"{moment.year}-{moment.month:02d}"


def _collect(region_prefix: str, start: datetime, end: datetime, key) -> dict[str, Figures]:
    """Figures grouped by key(region_code, moment) -> group name."""
    out: dict[str, Figures] = defaultdict(Figures)
    region = {"problem__region__code__startswith": region_prefix}
    for code, at in Offer.objects.filter(
        status=OfferStatus.ACCEPTED, responded_at__gte=start, responded_at__lt=end, **region
    ).values_list("problem__region_id", "responded_at"):
        out[key(code, at)].participations += 1
    through = SpecialSession.craftsmen.through
    for code, day in through.objects.filter(
        specialsession__date__gte=start.date(),
        specialsession__date__lt=end.date(),
        specialsession__region__code__startswith=region_prefix,
    ).values_list("specialsession__region_id", "specialsession__date"):
        out[key(code, day)].participations += 1
    for code, day, trained in SpecialSession.objects.filter(
        date__gte=start.date(), date__lt=end.date(), region__code__startswith=region_prefix
    ).values_list("region_id", "date", "workers_trained"):
        figures = out[key(code, day)]
        figures.special_sessions += 1
        figures.session_workers_trained += trained
        figures.workers_trained += trained
    problems = Problem.objects.filter(region__code__startswith=region_prefix)
    for code, at in problems.filter(submitted_at__gte=start, submitted_at__lt=end).values_list(
        "region_id", "submitted_at"
    ):
        out[key(code, at)].problems_filed += 1
    for code, at, submitted, enterprise in problems.filter(
        accepted_at__gte=start, accepted_at__lt=end
    ).values_list("region_id", "accepted_at", "submitted_at", "enterprise_id"):
        figures = out[key(code, at)]
        figures._enterprises.add(enterprise)
        figures._accept_days.append((at - submitted).total_seconds() / 86400)
    outcomes = dict(
        (pid, (solved, trained, benefit))
        for pid, solved, trained, benefit in Outcome.objects.filter(
            problem__closed_at__gte=start,
            problem__closed_at__lt=end,
            problem__region__code__startswith=region_prefix,
        ).values_list("problem_id", "solved", "workers_trained", "benefit_yuan")
    )
    for pid, code, at, submitted, rating in problems.filter(
        closed_at__gte=start, closed_at__lt=end, status__in=(ProblemStatus.CLOSED, ProblemStatus.ARCHIVED)
    ).values_list("pk", "region_id", "closed_at", "submitted_at", "rating"):
        figures = out[key(code, at)]
        solved, trained, benefit = outcomes.get(pid, (False, 0, 0))
        figures.problems_solved += bool(solved)
        figures.workers_trained += trained
        figures.benefit_yuan += benefit
        figures._close_days.append((at - submitted).total_seconds() / 86400)
        if rating:
            figures._rating_values.append(rating)
    return {name: figures.finish() for name, figures in out.items()}


def summary(*, region_prefix: str = "33", year: int) -> dict:
    """All figures for the region and year, as one dict."""
    start, end = year_bounds(year)
    groups = _collect(region_prefix, start, end, lambda code, at: "all")
    return groups.get("all", Figures().finish()).as_dict()


def _named_rows(groups: dict[str, Figures], level: str, region_prefix: str) -> list[dict]:
    names = dict(
        Region.objects.filter(level=level, code__startswith=region_prefix).values_list("code", "name")
    )
    return [
        {"code": code, "name": name, **groups.get(code, Figures().finish()).as_dict()}
        for code, name in sorted(names.items())
    ]


def by_county(*, region_prefix: str = "33", year: int) -> list[dict]:
    start, end = year_bounds(year)
    groups = _collect(region_prefix, start, end, lambda code, at: _county(code))
    return _named_rows(groups, RegionLevel.COUNTY, region_prefix)


def by_city(*, region_prefix: str = "33", year: int) -> list[dict]:
    start, end = year_bounds(year)
    groups = _collect(region_prefix, start, end, lambda code, at: _city(code))
    return _named_rows(
        groups, RegionLevel.CITY, region_prefix[:4] if len(region_prefix) > 4 else region_prefix
    )


def by_month(*, region_prefix: str = "33", year: int) -> list[dict]:
    start, end = year_bounds(year)
    groups = _collect(region_prefix, start, end, lambda code, at: _month(at))
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    return [{"month": m, **groups.get(m, Figures().finish()).as_dict()} for m in months]


def coverage(*, region_prefix: str = "33", year: int) -> list[dict]:
    """Every mountain/island county in the region: sessions held and problems taken on there this year."""
    start, end = year_bounds(year)
    sessions = defaultdict(int)
    for code in SpecialSession.objects.filter(
        date__gte=start.date(), date__lt=end.date(), region__code__startswith=region_prefix
    ).values_list("region_id", flat=True):
        sessions[code[:6]] += 1
    taken = defaultdict(int)
    for code in Problem.objects.filter(
        accepted_at__gte=start, accepted_at__lt=end, region__code__startswith=region_prefix
    ).values_list("region_id", flat=True):
        taken[code[:6]] += 1
    rows = []
    for region in Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=region_prefix).filter(
        mountain=True
    ) | Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=region_prefix, island=True):
        rows.append(
            {
                "code": region.code,
                "name": region.name,
                "mountain": region.mountain,
                "island": region.island,
                "sessions": sessions[region.code],
                "problems_taken": taken[region.code],
                "served": bool(sessions[region.code] or taken[region.code]),
            }
        )
    return sorted(rows, key=lambda r: r["code"])


def prefix_for(actor) -> str:
    """The region prefix whose figures an actor may see (staff: their region; others: the province)."""
    return actor.region_prefix if actor.is_staff and actor.region_prefix else "33"
