"""Reads for the dashboard: roll-up rows only (never raw records, except the records behind one figure), always
inside the actor's region."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.actor import Actor
from gonghui.core.audit import record_refusal
from gonghui.core.scoping import scoped
from gonghui.dashboard import registry
from gonghui.dashboard.models import FigureValue, Level
from gonghui.dashboard.periods import add_periods, period_of, periods_between
from gonghui.regions.models import Region, RegionLevel

MIN_YEAR, MAX_YEAR = 2000, 2100
LEVEL_OF = {
    RegionLevel.PROVINCE: Level.PROVINCE,
    RegionLevel.CITY: Level.CITY,
    RegionLevel.COUNTY: Level.COUNTY,
}
CHILD_LEVEL = {Level.PROVINCE: Level.CITY, Level.CITY: Level.COUNTY}


def require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        record_refusal(actor, "dashboard.view", reason=f"role {actor.role}")
        raise PermissionDenied(_("只有工会工作人员可以查看数据大屏。"))


def home_region(actor: Actor) -> Region | None:
    """The region a staff actor's dashboard opens on: their own county, city or province (towns: none)."""
    prefix = actor.region_prefix or ""
    if len(prefix) == 2:
        return Region.objects.filter(level=RegionLevel.PROVINCE, code__startswith=prefix).first()
    if len(prefix) == 4:
        return Region.objects.filter(code=prefix + "00").first()
    if len(prefix) == 6:
        return Region.objects.filter(code=prefix).first()
    return None


def region_for(actor: Actor, code: str | None) -> Region | None:
    """The region asked for, checked against the actor's reach: 404 when unknown, 403 (audited) when outside."""
    require_staff(actor)
    if not code:
        return home_region(actor)
    region = Region.objects.filter(code=code, level__in=tuple(LEVEL_OF)).first()
    if region is None:
        raise Http404(_("没有这个地区。"))
    if not region.code.startswith(actor.region_prefix or "\0"):
        record_refusal(actor, "dashboard.view", reason=f"region {code} out of scope")
        raise PermissionDenied(_("这个地区不在您的管辖范围内。"))
    return region


def figure_for(key: str | None) -> registry.Figure:
    figure = registry.get(key) if key else next(iter(registry.figures()), None)
    if figure is None:
        raise Http404(_("没有这个指标。"))
    return figure


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise Http404(_("年份无效。")) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("年份无效。"))
    return year


def latest_year() -> int:
    """The year a dashboard opens on: the most recent year in which the most flow figures have values (as-of
    figures have a value every month, so they say nothing). Early in January that is still last year; once every
    programme has records this year, it is this year. Without any values: this year."""
    today = timezone.localdate()
    flows = [f.key for f in registry.figures() if f.kind == registry.FLOW]
    years = (
        FigureValue.objects.filter(figure_key__in=flows, level=Level.PROVINCE, period__lte=today)
        .annotate(year=ExtractYear("period"))
        .values("year")
        .annotate(n=Count("figure_key", distinct=True))
        .order_by()
    )
    best = max(((row["n"], row["year"]) for row in years), default=None)
    return best[1] if best else today.year


def _rows(actor: Actor, figure: registry.Figure):
    return scoped(FigureValue.objects.filter(figure_key=figure.key, dimension=""), actor)


def stock_period(figure: registry.Figure, year: int, month: int | None = None) -> date | None:
    """For as-of figures, the period whose value stands for the year (its last rolled-up one) or the month."""
    if month:
        return date(year, month, 1)
    return FigureValue.objects.filter(
        figure_key=figure.key, period__year=year, period__lte=timezone.localdate()
    ).aggregate(p=Max("period"))["p"]


def _period_filter(figure: registry.Figure, year: int, month: int | None) -> Q:
    if figure.kind == registry.STOCK:
        return Q(period=stock_period(figure, year, month))
    if month and figure.grain == registry.MONTH:
        return Q(period=date(year, month, 1))
    return Q(period__year=year)


def values_by_region(
    actor: Actor,
    figure: registry.Figure,
    *,
    year: int,
    month: int | None = None,
    codes: list[str] | None = None,
    level: str | None = None,
) -> dict[str, Decimal]:
    if figure.kind == registry.RATIO:
        parts = [registry.get(k) for k in figure.ratio_of]
        num, den = (
            values_by_region(actor, f, year=year, month=month, codes=codes, level=level) for f in parts
        )
        return {code: rate(num.get(code, 0), d) for code, d in den.items() if d}
    qs = _rows(actor, figure).filter(_period_filter(figure, year, month))
    if codes is not None:
        qs = qs.filter(region_code__in=codes)
    if level:
        qs = qs.filter(level=level)
    return {r["region_code"]: r["v"] for r in qs.values("region_code").annotate(v=Sum("value")).order_by()}


def value(
    actor: Actor, figure: registry.Figure, region: Region, *, year: int, month: int | None = None
) -> Decimal:
    return values_by_region(actor, figure, year=year, month=month, codes=[region.code]).get(
        region.code, Decimal(0)
    )


def trend(actor: Actor, figure: registry.Figure, region: Region, *, year: int) -> list[dict]:
    """Monthly values of a year (yearly figures: the last five years)."""
    if figure.kind == registry.RATIO:
        num, den = (trend(actor, registry.get(k), region, year=year) for k in figure.ratio_of)
        return [
            {"period": n["period"], "value": rate(n["value"], d["value"])}
            for n, d in zip(num, den, strict=True)
        ]
    if figure.grain == registry.YEAR:
        periods = periods_between(date(year - 4, 1, 1), date(year, 1, 1), registry.YEAR)
    else:
        periods = periods_between(date(year, 1, 1), date(year, 12, 1), registry.MONTH)
    found = dict(
        _rows(actor, figure)
        .filter(region_code=region.code, period__in=periods)
        .values_list("period", "value")
    )
    fmt = "%Y" if figure.grain == registry.YEAR else "%Y-%m"
    return [{"period": p.strftime(fmt), "value": found.get(p, Decimal(0))} for p in periods]


def breakdown(actor: Actor, figure: registry.Figure, region: Region, *, year: int) -> list[dict]:
    qs = scoped(
        FigureValue.objects.filter(figure_key=figure.key, region_code=region.code).exclude(dimension=""),
        actor,
    ).filter(_period_filter(figure, year, None))
    rows = qs.values("dimension").annotate(v=Sum("value")).order_by("-v")
    return [
        {
            "code": r["dimension"],
            "name": str(figure.breakdown_labels.get(r["dimension"], r["dimension"])),
            "value": r["v"],
        }
        for r in rows
    ]


def children(region: Region) -> list[Region]:
    """The next level down: a province's cities, a city's counties; a county has none."""
    if region.level == RegionLevel.PROVINCE:
        return list(Region.objects.filter(level=RegionLevel.CITY).order_by("code"))
    if region.level == RegionLevel.CITY:
        return list(
            Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=region.code[:4]).order_by("code")
        )
    return []


def counties_in(region: Region) -> list[Region]:
    return list(
        Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=region.prefix).order_by("code")
    )


def ancestors(region: Region) -> list[Region]:
    chain, node = [], region.parent
    while node is not None:
        chain.insert(0, node)
        node = node.parent
    return chain


@dataclass
class CardFigure:
    figure: registry.Figure
    value: Decimal


def all_values(actor: Actor, region: Region, *, year: int) -> dict[str, Decimal]:
    """Every figure's value for one region and year in three queries (flows summed; as-of figures at the last
    period of the year that has been rolled up)."""
    figures = registry.figures()
    flows = [f.key for f in figures if f.kind == registry.FLOW]
    stocks = [f.key for f in figures if f.kind == registry.STOCK]
    rows = scoped(FigureValue.objects.filter(region_code=region.code, dimension=""), actor)
    found = {
        r["figure_key"]: r["v"]
        for r in rows.filter(figure_key__in=flows, period__year=year)
        .values("figure_key")
        .annotate(v=Sum("value"))
        .order_by()
    }
    last = dict(
        FigureValue.objects.filter(figure_key__in=stocks, period__year=year, period__lte=timezone.localdate())
        .values("figure_key")
        .annotate(p=Max("period"))
        .order_by()
        .values_list("figure_key", "p")
    )
    if last:
        wanted = Q()
        for key, period in last.items():
            wanted |= Q(figure_key=key, period=period)
        found.update(rows.filter(wanted).values_list("figure_key", "value"))
    for f in figures:
        if f.kind == registry.RATIO:
            found[f.key] = rate(found.get(f.ratio_of[0], 0), found.get(f.ratio_of[1], 0))
    return {f.key: found.get(f.key, Decimal(0)) for f in figures}


def rate(numerator, denominator) -> Decimal:
    """Percent with two decimals; 0 when there is nothing to divide by."""
    if not denominator:
        return Decimal(0)
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"))


def cards(actor: Actor, region: Region | None, *, year: int) -> list[dict]:
    """The golden cards: each programme with its figures (headline ones flagged) for the region and year."""
    values = all_values(actor, region, year=year) if region else {}
    out = []
    for programme in registry.programmes():
        items = [
            {"figure": f, "value": values.get(f.key, Decimal(0)), "headline": f.headline}
            for f in registry.figures()
            if f.programme == programme.label
        ]
        out.append({"programme": programme, "figures": items})
    return out


def county_table(actor: Actor, figure: registry.Figure, region: Region, *, year: int) -> list[dict]:
    """Every county inside the region with its value (zero where there are no records)."""
    counties = counties_in(region)
    values = values_by_region(actor, figure, year=year, codes=[c.code for c in counties])
    return [{"region": c, "value": values.get(c.code, Decimal(0))} for c in counties]


def child_table(actor: Actor, figure: registry.Figure, region: Region, *, year: int) -> list[dict]:
    kids = children(region)
    values = values_by_region(actor, figure, year=year, codes=[c.code for c in kids])
    return [{"region": c, "value": values.get(c.code, Decimal(0))} for c in kids]


def records(
    actor: Actor,
    figure: registry.Figure,
    source_index: int,
    region: Region,
    *,
    year: int,
    month: int | None = None,
):
    """The records behind a figure (one source), inside the actor's scope, for the region and period."""
    from gonghui.dashboard.rollup import _bound, _field  # the same bounds the roll-up uses

    if not 0 <= source_index < len(figure.sources):
        raise Http404
    source = figure.sources[source_index]
    model = source.model_class()
    if figure.kind == registry.STOCK:
        start = stock_period(figure, year, month) or date(year, 1, 1)
        end = add_periods(start, 1, figure.grain)
    elif month and figure.grain == registry.MONTH:
        start, end = date(year, month, 1), add_periods(date(year, month, 1), 1, registry.MONTH)
    else:
        start, end = date(year, 1, 1), date(year + 1, 1, 1)
    code = _code_lookup(source.region_field)
    qs = model._default_manager.filter(source.q(start, end), **{f"{code}__startswith": region.prefix})
    if source.date_field:
        field = _field(model, source.date_field)
        qs = qs.filter(
            **{
                f"{source.date_field}__gte": _bound(field, start),
                f"{source.date_field}__lt": _bound(field, end),
            }
        )
    if getattr(model, "scope_region_field", None):
        qs = scoped(qs, actor)
    else:  # an auto-created link table (session ↔ craftsman): scope by the lookup the figure uses
        qs = qs.filter(**{f"{code}__startswith": actor.region_prefix or "\0"})
    # The region and date of each row may sit one relation away (a visit's station): fetch them with the rows.
    hops = {
        path.rsplit("__", 1)[0] for path in (source.region_field, source.date_field or "") if "__" in path
    }
    return qs.select_related(*sorted(hops)).order_by("-pk"), start, end


def _code_lookup(region_field: str) -> str:
    """``problem__region_id`` → ``problem__region__code`` (a prefix match needs the code, not the key)."""
    return region_field[:-3] + "__code" if region_field.endswith("_id") else region_field


def period_of_today(figure: registry.Figure) -> date:
    return period_of(timezone.localdate(), figure.grain)
