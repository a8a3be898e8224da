"""The resumable roll-up: registered figures → FigureValue rows (county → city → province, by period).

Per figure it resumes after its checkpoint (``RollupCheckpoint.done_through``: the last *closed* period already
rolled up), steps back ``DASHBOARD_LOOKBACK_PERIODS`` to pick up late records, and recomputes chunk by chunk up to
the open period. Each chunk is one transaction that writes only the differences (new, changed and vanished cells)
and then moves the checkpoint, so a run that dies resumes where it stopped and a run over unchanged records writes
nothing at all.
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Substr, TruncMonth, TruncYear
from django.utils import timezone

from gonghui.dashboard import registry
from gonghui.dashboard.models import FigureValue, Level, RollupCheckpoint
from gonghui.dashboard.periods import add_periods, period_of, periods_between
from gonghui.regions.models import Region, RegionLevel

log = logging.getLogger(__name__)

FLOW_CHUNK = {registry.MONTH: 12, registry.YEAR: 5}  # periods per grouped query
STOCK_CHUNK = 3  # as-of figures need one query per period
TOTAL = ""


def since() -> date:
    value = getattr(settings, "DASHBOARD_SINCE", "2024-01-01")
    return date.fromisoformat(value) if isinstance(value, str) else value


def lookback() -> int:
    return int(getattr(settings, "DASHBOARD_LOOKBACK_PERIODS", 1))


@dataclass
class RunStats:
    figure_key: str
    periods: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return self.created + self.updated + self.deleted


# --- computing -----------------------------------------------------------------------------------------------------


def _field(model, path: str):
    """The model field at the end of a lookup path like ``problem__closed_at``."""
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


def _bound(field, day: date):
    if isinstance(field, models.DateTimeField):
        return datetime.combine(day, datetime.min.time(), timezone.get_current_timezone())
    return day


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def compute(figure: registry.Figure, first: date, last: date) -> dict[tuple[str, date, str], Decimal]:
    """Values by (six-digit region bucket, period, breakdown value) for periods ``first``..``last``."""
    out: dict[tuple[str, date, str], Decimal] = defaultdict(Decimal)
    end = add_periods(last, 1, figure.grain)
    for source in figure.sources:
        model = source.model_class()
        keys = {"bucket": Substr(source.region_field, 1, 6)}
        if source.breakdown:
            keys["dim"] = models.F(source.breakdown)
        if source.date_field:
            field = _field(model, source.date_field)
            trunc = TruncMonth if figure.grain == registry.MONTH else TruncYear
            keys["p"] = trunc(source.date_field)
            qs = model._default_manager.filter(
                source.q(first, end),
                **{
                    f"{source.date_field}__gte": _bound(field, first),
                    f"{source.date_field}__lt": _bound(field, end),
                },
            )
            batches = [(qs, None)]
        else:
            batches = [
                (model._default_manager.filter(source.q(p, add_periods(p, 1, figure.grain))), p)
                for p in periods_between(first, last, figure.grain)
            ]
        for qs, period in batches:
            rows = qs.annotate(**keys).values(*keys).annotate(v=source.aggregate()).order_by()
            for row in rows:
                if not row["v"]:
                    continue
                p = period or period_of(_as_date(row["p"]), figure.grain)
                dim = str(row.get("dim") or "") if source.breakdown else TOTAL
                out[(row["bucket"], p, dim)] += Decimal(row["v"])
    return out


class Geography:
    """Which six-digit buckets are counties and cities, to add counties into cities and the province."""

    def __init__(self):
        levels = dict(
            Region.objects.filter(
                level__in=(RegionLevel.COUNTY, RegionLevel.CITY, RegionLevel.PROVINCE)
            ).values_list("code", "level")
        )
        self.counties = {c for c, lv in levels.items() if lv == RegionLevel.COUNTY}
        self.cities = {c for c, lv in levels.items() if lv == RegionLevel.CITY}
        self.province = next((c for c, lv in levels.items() if lv == RegionLevel.PROVINCE), "330000")

    def targets(self, bucket: str) -> list[tuple[str, str]]:
        found = [(self.province, Level.PROVINCE)]
        city = bucket[:4] + "00"
        if city in self.cities:
            found.append((city, Level.CITY))
        if bucket in self.counties:
            found.append((bucket, Level.COUNTY))
        return found


def cells(buckets: dict, geography: Geography) -> dict[tuple[str, date, str], tuple[str, Decimal]]:
    """Roll buckets up into region cells; each breakdown also adds into the total (dimension "")."""
    out: dict[tuple[str, date, str], list] = {}
    for (bucket, period, dim), value in buckets.items():
        dims = {TOTAL, dim}
        for code, level in geography.targets(bucket):
            for d in dims:
                cell = out.setdefault((code, period, d), [level, Decimal(0)])
                cell[1] += value
    return {k: (lv, v.quantize(Decimal("0.01"))) for k, (lv, v) in out.items()}


# --- writing -------------------------------------------------------------------------------------------------------


def _write_chunk(figure_key: str, periods: list[date], desired: dict, stats: RunStats) -> None:
    existing = {
        (r.region_code, r.period, r.dimension): r
        for r in FigureValue.objects.filter(figure_key=figure_key, period__in=periods)
    }
    creates, updates = [], []
    for key, (level, value) in desired.items():
        row = existing.pop(key, None)
        if row is None:
            creates.append(
                FigureValue(
                    figure_key=figure_key,
                    region_code=key[0],
                    period=key[1],
                    dimension=key[2],
                    level=level,
                    value=value,
                )
            )
        elif row.value != value:
            row.value = value
            updates.append(row)
    if existing:
        FigureValue.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
    FigureValue.objects.bulk_create(creates, batch_size=1000)
    FigureValue.objects.bulk_update(updates, ["value", "computed_at"], batch_size=1000)
    stats.created += len(creates)
    stats.updated += len(updates)
    stats.deleted += len(existing)


def roll_up_figure(
    figure: registry.Figure,
    *,
    today: date | None = None,
    rebuild: bool = False,
    geography: Geography | None = None,
) -> RunStats:
    today = today or timezone.localdate()
    geography = geography or Geography()
    stats = RunStats(figure.key)
    started = time.monotonic()
    current = period_of(today, figure.grain)
    # Flows also count records dated later in the current year (scheduled sessions); stock stops at today.
    last = period_of(date(today.year, 12, 1), figure.grain)
    if figure.kind == registry.STOCK:
        last = current
    checkpoint, _ = RollupCheckpoint.objects.get_or_create(figure_key=figure.key)
    first = period_of(since(), figure.grain)
    if checkpoint.done_through and not rebuild:
        first = max(first, add_periods(checkpoint.done_through, 1 - lookback(), figure.grain))
    if rebuild:
        FigureValue.objects.filter(figure_key=figure.key, period__lt=first).delete()
    chunk = FLOW_CHUNK[figure.grain] if figure.kind == registry.FLOW else STOCK_CHUNK
    all_periods = periods_between(first, last, figure.grain)
    for i in range(0, len(all_periods), chunk):
        periods = all_periods[i : i + chunk]
        desired = cells(compute(figure, periods[0], periods[-1]), geography)
        with transaction.atomic():
            # The checkpoint row is the lock: two runs of the same figure write one after the other.
            locked = RollupCheckpoint.objects.select_for_update().get(pk=figure.key)
            _write_chunk(figure.key, periods, desired, stats)
            closed = [p for p in periods if p < current]
            if closed and (locked.done_through is None or closed[-1] > locked.done_through or rebuild):
                locked.done_through = closed[-1]
            locked.save()
        stats.periods += len(periods)
    stats.seconds = round(time.monotonic() - started, 3)
    RollupCheckpoint.objects.filter(pk=figure.key).update(
        last_run_at=timezone.now(), last_run_seconds=stats.seconds, rows_written=stats.written
    )
    return stats


def run_rollup(
    keys: list[str] | None = None, *, today: date | None = None, rebuild: bool = False
) -> list[RunStats]:
    """Roll up every registered figure (or those named). Safe to repeat; see the module docstring."""
    geography = Geography()
    results = []
    for figure in registry.figures():
        if (keys and figure.key not in keys) or figure.kind == registry.RATIO:
            continue
        stats = roll_up_figure(figure, today=today, rebuild=rebuild, geography=geography)
        log.info(
            "dashboard roll-up %s: %s periods, +%s ~%s -%s in %ss",
            figure.key,
            stats.periods,
            stats.created,
            stats.updated,
            stats.deleted,
            stats.seconds,
        )
        results.append(stats)
    log.info(
        "dashboard roll-up: %s figures, %s rows written in %.1f s",
        len(results),
        sum(s.written for s in results),
        sum(s.seconds for s in results),
    )
    return results
