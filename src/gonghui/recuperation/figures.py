"""Figures of the recuperation programme, from records: trips reported by unions (aggregate rows) plus the
programme applications that travelled (one person each). The dashboard calls these functions.

Every function takes ``region_prefix`` (the origin: where the workers' unions are; "33" is the province; use
``prefix_of(actor)`` for a staff actor) and a period (``year``, or ``start``/``end`` dates, inclusive).
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr, TruncMonth

from gonghui.core.actor import Actor
from gonghui.recuperation.models import (
    Application,
    AppState,
    PartnerRegion,
    Programme,
    TargetGroup,
    TripReport,
)
from gonghui.regions.models import Region, RegionLevel

TRAVELLED = (AppState.TRAVELLED, AppState.REVIEWED)
ZERO = Decimal("0")


def prefix_of(actor: Actor) -> str:
    return actor.region_prefix if actor.is_staff and actor.region_prefix else "33"


def _period(year: int | None, start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if year is not None:
        return date(year, 1, 1), date(year, 12, 31)
    return start, end


def _reports(region_prefix: str, year, start, end):
    start, end = _period(year, start, end)
    qs = TripReport.objects.filter(region__code__startswith=region_prefix)
    if start:
        qs = qs.filter(started_on__gte=start)
    if end:
        qs = qs.filter(started_on__lte=end)
    return qs


def _applications(region_prefix: str, year, start, end):
    start, end = _period(year, start, end)
    qs = Application.objects.filter(state__in=TRAVELLED, region__code__startswith=region_prefix)
    if start:
        qs = qs.filter(travelled_on__gte=start)
    if end:
        qs = qs.filter(travelled_on__lte=end)
    return qs


# Aggregates are named apart from the model's fields (an annotation may not shadow the column it sums).
REPORT_SUMS = {
    "sum_participants": Sum("participants"),
    "sum_person_days": Sum(F("participants") * F("days")),
    "sum_spend": Sum("spend"),
}
APPLICATION_SUMS = {"sum_participants": Count("id"), "sum_person_days": Sum("days"), "sum_spend": Sum("cost")}


def _grouped(region_prefix, year, start, end, report_keys: dict, application_keys: dict) -> dict[tuple, dict]:
    """Sum both sources by a key; the key expressions name the same thing in each source."""
    totals: dict[tuple, dict] = defaultdict(lambda: {"participants": 0, "person_days": 0, "spend": ZERO})
    sources = (
        (_reports(region_prefix, year, start, end), report_keys, REPORT_SUMS),
        (_applications(region_prefix, year, start, end), application_keys, APPLICATION_SUMS),
    )
    for qs, keys, sums in sources:
        rows = qs.annotate(**keys).values(*keys).annotate(**sums).order_by()
        for row in rows:
            key = tuple(row[k] for k in keys)
            bucket = totals[key]
            bucket["participants"] += row["sum_participants"] or 0
            bucket["person_days"] += row["sum_person_days"] or 0
            bucket["spend"] += row["sum_spend"] or ZERO
    return totals


def summary(
    *, region_prefix: str = "33", year: int | None = None, start: date | None = None, end: date | None = None
) -> dict:
    """Participants, person-days, spend driven, and the share going to mountain and island counties."""
    grouped = _grouped(
        region_prefix,
        year,
        start,
        end,
        {"mi": Q(destination__mountain=True) | Q(destination__island=True)},
        {
            "mi": Q(departure__route__destination__mountain=True)
            | Q(departure__route__destination__island=True)
        },
    )
    total = {"participants": 0, "person_days": 0, "spend": ZERO}
    mountain_island = {"participants": 0, "person_days": 0, "spend": ZERO}
    for (is_mi,), bucket in grouped.items():
        for k in total:
            total[k] += bucket[k]
            if is_mi:
                mountain_island[k] += bucket[k]
    return {
        **total,
        "mountain_island_participants": mountain_island["participants"],
        "mountain_island_spend": mountain_island["spend"],
        "mountain_island_share": (mountain_island["participants"] / total["participants"])
        if total["participants"]
        else 0.0,
        "mountain_island_spend_share": float(mountain_island["spend"] / total["spend"])
        if total["spend"]
        else 0.0,
    }


def _rows(grouped: dict, name_of) -> list[dict]:
    rows = [{**name_of(key), **bucket} for key, bucket in grouped.items()]
    return sorted(rows, key=lambda r: (-r["participants"], str(r.get("code", ""))))


def by_county(*, region_prefix: str = "33", year=None, start=None, end=None) -> list[dict]:
    """By the county the workers come from (their union's county)."""
    grouped = _grouped(
        region_prefix,
        year,
        start,
        end,
        {"code": Substr("region_id", 1, 6)},
        {"code": Substr("region_id", 1, 6)},
    )
    names = dict(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", "name"))
    return _rows(grouped, lambda key: {"code": key[0], "name": names.get(key[0], key[0])})


def by_destination(*, region_prefix: str = "33", year=None, start=None, end=None) -> list[dict]:
    """By destination: a Zhejiang county (with its mountain/island flags) or a partner region."""
    grouped = _grouped(
        region_prefix,
        year,
        start,
        end,
        {"code": F("destination_id"), "partner": F("partner_region")},
        {"code": F("departure__route__destination_id"), "partner": F("departure__route__partner_region")},
    )
    counties = {r.code: r for r in Region.objects.filter(level=RegionLevel.COUNTY)}
    partner_names = dict(PartnerRegion.choices)

    def name_of(key):
        code, partner = key
        if code and code in counties:
            region = counties[code]
            return {
                "code": code,
                "name": region.name,
                "mountain": region.mountain,
                "island": region.island,
                "partner_region": "",
            }
        return {
            "code": partner or "",
            "name": str(partner_names.get(partner or "", partner)),
            "mountain": False,
            "island": False,
            "partner_region": partner or "",
        }

    return _rows(grouped, name_of)


def by_target_group(*, region_prefix: str = "33", year=None, start=None, end=None) -> list[dict]:
    grouped = _grouped(
        region_prefix, year, start, end, {"code": F("target_group")}, {"code": F("target_group")}
    )
    labels = dict(TargetGroup.choices)
    return _rows(grouped, lambda key: {"code": key[0], "name": str(labels.get(key[0], key[0]))})


def by_month(*, region_prefix: str = "33", year=None, start=None, end=None) -> list[dict]:
    grouped = _grouped(
        region_prefix,
        year,
        start,
        end,
        {"month": TruncMonth("started_on")},
        {"month": TruncMonth("travelled_on")},
    )
    rows = [
        {"month": key[0].strftime("%Y-%m") if key[0] else "", **bucket} for key, bucket in grouped.items()
    ]
    return sorted(rows, key=lambda r: r["month"])


def provincial_funding(*, year: int) -> dict:
    """What the provincial union's programmes of a year have: budget, places, committed and spent subsidy."""
    programmes = Programme.objects.filter(year=year, organisation__level="province")
    apps = Application.objects.filter(programme__in=programmes)
    spent = apps.filter(state__in=TRAVELLED).aggregate(s=Sum("subsidy"), n=Count("id"))
    committed = apps.filter(state=AppState.CONFIRMED).aggregate(s=Sum("subsidy"))["s"] or ZERO
    return {
        "programmes": programmes.count(),
        "budget": programmes.aggregate(s=Sum("budget"))["s"] or ZERO,
        "places": programmes.aggregate(s=Sum("places"))["s"] or 0,
        "spent": spent["s"] or ZERO,
        "travelled": spent["n"],
        "committed": committed,
    }
