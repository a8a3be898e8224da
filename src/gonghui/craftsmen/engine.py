"""The bridge to the dispatch engine (gonghui.matching): database rows in, engine dataclasses out, and back."""

import threading

from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from gonghui import matching
from gonghui.craftsmen.models import (
    ENGINE_HONOUR_NAME,
    Craftsman,
    CraftsmanHonour,
    CraftsmanStatus,
    Offer,
    OfferStatus,
    Problem,
    ProblemStatus,
)
from gonghui.regions.models import Region, RegionLevel

ACTIVE_WORK = (
    ProblemStatus.DISPATCHED,
    ProblemStatus.ACCEPTED,
    ProblemStatus.IN_SERVICE,
    ProblemStatus.AWAITING_CONFIRMATION,
)


def geography() -> matching.Geography:
    rows = Region.objects.filter(level=RegionLevel.COUNTY, lat__isnull=False).values(
        "code", "name", "lat", "lng", "mountain", "island"
    )
    return matching.Geography(list(rows))


def engine_problem(problem: Problem, *, demand: int | None = None) -> matching.Problem:
    return matching.Problem(
        id=problem.pk,
        title=problem.title,
        description=problem.description,
        category=problem.category,
        industry=problem.industry or "",
        tags=tuple(problem.tags or ()),
        county=problem.region_id[:6],
        urgency=int(problem.urgency),
        online=problem.online,
        cross_region=problem.region.mountain or problem.region.island,
        demand=max(1, int(demand if demand is not None else problem.craftsmen_needed)),
    )


def _current_loads() -> dict[int, int]:
    """Problems each craftsman carries now: pending offers and accepted, unfinished services."""
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = (
        Craftsman.objects.filter(
            Q(offers__status=OfferStatus.PENDING)
            | Q(offers__status=OfferStatus.ACCEPTED, offers__problem__status__in=ACTIVE_WORK)
            | Q(offers__status=OfferStatus.ACCEPTED, offers__responded_at__gte=month_start)
        )
        .annotate(n=Count("offers", distinct=True))
        .values_list("pk", "n")
    )
    return dict(rows)


_cache_lock = threading.Lock()
_cached: dict = {}


def _version() -> tuple:
    """Changes whenever anything the pool is built from changes (profiles, offers, closed problems, ratings)."""
    people = Craftsman.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    offers = Offer.objects.aggregate(n=Count("id"), last=Max("offered_at"), answered=Max("responded_at"))
    done = Problem.objects.filter(status__in=(ProblemStatus.CLOSED, ProblemStatus.ARCHIVED)).aggregate(
        n=Count("id"), last=Max("closed_at")
    )
    return (
        people["n"],
        people["last"],
        offers["n"],
        offers["last"],
        offers["answered"],
        done["n"],
        done["last"],
        CraftsmanHonour.objects.count(),
        timezone.localdate().replace(day=1),
    )


def build_pool(craftsmen=None) -> matching.CraftsmanPool:
    """The pool of active craftsmen (all of them by default: dispatch may cross regions).

    The default pool is cached per process and rebuilt when its inputs change (building segments every profile,
    about a second for the province's pool; ranking one problem against it takes milliseconds)."""
    if craftsmen is not None:
        return _build_pool(craftsmen)
    version = _version()
    with _cache_lock:
        if _cached.get("version") != version:
            _cached["pool"] = _build_pool(Craftsman.objects.filter(status=CraftsmanStatus.ACTIVE))
            _cached["version"] = version
        return _cached["pool"]


def _build_pool(qs) -> matching.CraftsmanPool:
    qs = qs.prefetch_related("honours")
    loads = _current_loads()
    ratings = dict(
        Problem.objects.filter(rating__isnull=False, craftsman__isnull=False)
        .values("craftsman_id")
        .annotate(r=Avg("rating"))
        .values_list("craftsman_id", "r")
    )
    solved = {}
    for cid, title in Problem.objects.filter(
        status__in=(ProblemStatus.CLOSED, ProblemStatus.ARCHIVED), craftsman__isnull=False
    ).values_list("craftsman_id", "title")[:20000]:
        solved.setdefault(cid, []).append(title)
    people = [
        matching.Craftsman(
            id=c.pk,
            name=c.name,
            specialties=tuple(filter(None, [c.specialties])),
            tags=tuple(c.tags or ()),
            categories=tuple(c.categories or ()),
            occupation=c.occupation,
            grade=c.get_skill_grade_display(),
            honours=tuple(ENGINE_HONOUR_NAME.get(h.honour, h.honour) for h in c.honours.all()),
            industries=tuple(c.industries or ()),
            experience=c.innovation_studio,
            solved_texts=tuple(solved.get(c.pk, ())[:10]),
            county=c.region_id[:6],
            radius_km=float(c.service_radius_km),
            cross_region=c.cross_region,
            max_load=int(c.monthly_capacity),
            current_load=min(loads.get(c.pk, 0), int(c.monthly_capacity)),
            available=c.available,
            rating=float(ratings[c.pk]) if c.pk in ratings else None,
        )
        for c in qs
    ]
    return matching.CraftsmanPool(people, geography())


def language() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "").startswith("en") else "zh"
