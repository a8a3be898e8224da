"""Dashboard API: figure definitions and rolled-up values by region and period (staff only, within their region).

A region outside the caller's reach is refused with 403; an unknown region, figure or year is 404.
"""

from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from gonghui.dashboard import registry, selectors

router = Router(tags=["dashboard"])


class SourceOut(Schema):
    model: str
    region_field: str
    date_field: str | None


class FigureOut(Schema):
    key: str
    programme: str
    programme_name: str
    name: str
    definition: str
    unit: str
    grain: str
    kind: str
    headline: bool
    dimensions: list[str]
    sources: list[SourceOut]
    ratio_of: list[str] | None


class ValueOut(Schema):
    region_code: str
    region_name: str
    level: str
    mountain: bool
    island: bool
    value: float


class PointOut(Schema):
    period: str
    value: float


class TrendOut(Schema):
    figure: str
    region_code: str
    year: int
    points: list[PointOut]


class CardFigureOut(Schema):
    key: str
    name: str
    unit: str
    headline: bool
    value: float


class CardOut(Schema):
    programme: str
    name: str
    golden: bool
    figures: list[CardFigureOut]


class SummaryOut(Schema):
    region_code: str
    region_name: str
    year: int
    cards: list[CardOut]


def _figure_out(figure: registry.Figure) -> dict:
    programme = registry.programmes_by_label()[figure.programme]
    return {
        "key": figure.key,
        "programme": figure.programme,
        "programme_name": str(programme.name),
        "name": str(figure.name),
        "definition": str(figure.definition),
        "unit": str(figure.unit),
        "grain": figure.grain,
        "kind": figure.kind,
        "headline": figure.headline,
        "dimensions": figure.dimensions,
        "ratio_of": list(figure.ratio_of) if figure.ratio_of else None,
        "sources": [
            {"model": s.model, "region_field": s.region_field, "date_field": s.date_field}
            for s in figure.sources
        ],
    }


def _context(request, region: str | None, year: int | None):
    actor = request.actor
    place = selectors.region_for(actor, region)
    if place is None:
        raise Http404(_("您的组织在县级以下，大屏数据按县汇总，请联系上级工会。"))
    return actor, place, selectors.check_year(year) if year is not None else selectors.latest_year()


@router.get("/figures", response=list[FigureOut])
@paginate
def figure_list(request):
    """Every registered figure with its definition, records and dimensions."""
    selectors.require_staff(request.actor)
    return [_figure_out(f) for f in registry.figures()]


@router.get("/figures/{key}", response=FigureOut)
def figure_detail(request, key: str):
    selectors.require_staff(request.actor)
    return _figure_out(selectors.figure_for(key))


@router.get("/values", response=list[ValueOut])
@paginate
def values(
    request,
    figure: str | None = None,
    region: str | None = None,
    year: int | None = None,
    month: int | None = None,
    by: str = "children",
):
    """One figure's values for the region's cities or counties (``by=children|counties|self``) in a year or month."""
    actor, place, year = _context(request, region, year)
    fig = selectors.figure_for(figure)
    if month is not None and not 1 <= month <= 12:
        raise Http404(_("月份无效。"))
    if by == "self":
        regions = [place]
    elif by == "counties":
        regions = selectors.counties_in(place)
    else:
        regions = selectors.children(place) or [place]
    found = selectors.values_by_region(actor, fig, year=year, month=month, codes=[r.code for r in regions])
    return [
        {
            "region_code": r.code,
            "region_name": r.name,
            "level": r.level,
            "mountain": r.mountain,
            "island": r.island,
            "value": found.get(r.code, Decimal(0)),
        }
        for r in regions
    ]


@router.get("/trend", response=TrendOut)
def trend(request, figure: str | None = None, region: str | None = None, year: int | None = None):
    actor, place, year = _context(request, region, year)
    fig = selectors.figure_for(figure)
    return {
        "figure": fig.key,
        "region_code": place.code,
        "year": year,
        "points": selectors.trend(actor, fig, place, year=year),
    }


@router.get("/summary", response=SummaryOut)
def summary(request, region: str | None = None, year: int | None = None):
    """Every programme's figures (the golden cards) for one region and year."""
    actor, place, year = _context(request, region, year)
    cards = [
        {
            "programme": c["programme"].label,
            "name": str(c["programme"].name),
            "golden": c["programme"].golden,
            "figures": [
                {
                    "key": i["figure"].key,
                    "name": str(i["figure"].name),
                    "unit": str(i["figure"].unit),
                    "headline": i["headline"],
                    "value": i["value"],
                }
                for i in c["figures"]
            ],
        }
        for c in selectors.cards(actor, place, year=year)
    ]
    return {"region_code": place.code, "region_name": place.name, "year": year, "cards": cards}
