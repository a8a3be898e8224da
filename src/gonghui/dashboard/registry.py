"""The one registry of dashboard figures.

Every programme app declares its figures in its own ``dashboard.py`` with a function ``dashboard_figures()``
returning :class:`Figure` objects; :func:`figures` discovers them (INSTALLED_APPS order). Adding the next
programme's figures is a new ``dashboard.py`` in that app — nothing here changes.

A figure is computed from one or more :class:`Source` s (records of one model, filtered). Two kinds:

- **flow** (every source has a ``date_field``): records are counted (or summed) in the period their date falls in;
  the value for a year is the sum of its months.
- **stock** (no ``date_field``): the filter is evaluated *as of* the period's last day (``filter(start, end)``);
  the value for a year is the value of its last rolled-up period.

Values are grouped by county (the first six digits of the records' region code) and, optionally, by a
programme-specific ``breakdown`` field; the roll-up adds counties into cities and the province.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

from django.apps import apps
from django.db.models import Aggregate, Count, Q
from django.utils.functional import Promise

MONTH = "month"
YEAR = "year"
FLOW = "flow"
STOCK = "stock"
RATIO = "ratio"


@dataclass(frozen=True)
class Source:
    """Records of one model that a figure counts.

    ``filter`` is a Q, or a callable ``(start, end) -> Q`` for as-of figures (``end`` exclusive).
    ``measure`` aggregates the records (default: count them); ``region_field`` / ``date_field`` are lookups.
    """

    model: str  # "app_label.ModelName"
    region_field: str
    date_field: str | None = None
    filter: Q | Callable[[date, date], Q] = field(default_factory=Q)
    measure: Callable[[], Aggregate] | None = None
    breakdown: str | None = None
    columns: tuple[str, ...] = ()  # extra columns shown in the records list

    def model_class(self):
        return apps.get_model(self.model)

    def q(self, start: date, end: date) -> Q:
        return self.filter(start, end) if callable(self.filter) else self.filter

    def aggregate(self) -> Aggregate:
        return self.measure() if self.measure else Count("pk")


@dataclass(frozen=True)
class Figure:
    key: str  # "<programme>.<name>", stable: roll-up rows and URLs use it
    programme: str  # app label
    name: Promise | str
    definition: Promise | str
    unit: Promise | str
    sources: tuple[Source, ...]
    grain: str = MONTH  # MONTH or YEAR: the finest period it is rolled up by
    headline: bool = False  # shown on the programme's golden card
    decimals: int = 0
    breakdown_labels: dict = field(default_factory=dict)  # breakdown value -> label
    order: int = 0
    # A rate: 100 × numerator / denominator, from two other figures' rolled-up values (it has no sources and no
    # rows of its own; rates do not add up across counties, their parts do).
    ratio_of: tuple[str, str] | None = None

    @property
    def kind(self) -> str:
        if self.ratio_of:
            return RATIO
        return FLOW if all(s.date_field for s in self.sources) else STOCK

    @property
    def dimensions(self) -> list[str]:
        dims = ["region", self.grain]
        dims += [s.breakdown for s in self.sources if s.breakdown][:1]
        return dims


@dataclass(frozen=True)
class Programme:
    label: str
    name: Promise | str
    golden: bool
    order: int


_cache: dict | None = None


def _discover() -> dict:
    found_figures: dict[str, Figure] = {}
    found_programmes: dict[str, Programme] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("gonghui."):
            continue
        try:
            module = import_module(f"{config.name}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.dashboard":
                raise
            continue
        declare = getattr(module, "dashboard_figures", None)
        if declare is None:  # the dashboard app's own package has no declarations
            continue
        programme = module.PROGRAMME
        found_programmes[programme.label] = programme
        for figure in declare():
            if figure.key in found_figures:
                raise ValueError(f"figure {figure.key} declared twice")
            found_figures[figure.key] = figure
    return {"figures": found_figures, "programmes": found_programmes}


def _registry() -> dict:
    global _cache
    if _cache is None:
        _cache = _discover()
    return _cache


def figures() -> list[Figure]:
    programmes = programmes_by_label()
    return sorted(
        _registry()["figures"].values(), key=lambda f: (programmes[f.programme].order, f.order, f.key)
    )


def get(key: str) -> Figure | None:
    return _registry()["figures"].get(key)


def programmes() -> list[Programme]:
    return sorted(_registry()["programmes"].values(), key=lambda p: p.order)


def programmes_by_label() -> dict[str, Programme]:
    return _registry()["programmes"]
