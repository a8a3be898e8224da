"""Inputs of the engine: plain dataclasses that the Django layer fills from its models."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Problem:
    """An enterprise problem (企业点单)."""

    id: object
    title: str
    description: str = ""
    category: str = ""  # one of catalogue.CATEGORIES
    industry: str = ""  # GB/T 4754 class code, e.g. "C367"
    tags: tuple[str, ...] = ()  # required skill tags
    county: str = ""  # GB/T 2260 county code
    urgency: int = 1  # 1 normal, 2 soon, 3 urgent
    online: bool = False  # online service: distance does not apply
    demand: int = 1  # craftsmen needed
    cross_region: bool = False  # may go beyond craftsmen's service radius

    @property
    def text(self) -> str:
        return f"{self.title} {self.description}"


@dataclass(frozen=True)
class Craftsman:
    """A model worker or craftsman in the pool (人才智库)."""

    id: object
    name: str = ""
    specialties: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # need categories served
    occupation: str = ""
    grade: str = ""
    honours: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()  # GB/T 4754 class codes
    experience: str = ""
    solved_texts: tuple[str, ...] = ()  # texts of problems solved before
    county: str = ""
    radius_km: float = 100.0
    cross_region: bool = False  # willing to serve beyond the radius
    min_load: int = 0  # minimum problems in the period
    max_load: int = 3  # maximum problems in the period
    current_load: int = 0  # problems already carried outside this batch
    available: bool = True
    rating: float | None = None  # 1..5

    @property
    def text(self) -> str:
        parts = [
            " ".join(self.specialties),
            " ".join(self.tags),
            self.occupation,
            self.experience,
            *self.solved_texts,
        ]
        return " ".join(part for part in parts if part)

    @property
    def free_capacity(self) -> int:
        return max(0, self.max_load - max(0, self.current_load))


@dataclass(frozen=True)
class County:
    code: str
    name: str
    lat: float
    lng: float
    mountain: bool = False
    island: bool = False


@dataclass(frozen=True)
class Constraints:
    """Conflicts and commitments, as (problem id, craftsman id) pairs."""

    forbidden: tuple[tuple[object, object], ...] = ()
    forced: tuple[tuple[object, object], ...] = ()
    accepted: tuple[tuple[object, object], ...] = ()  # re-dispatch never moves these
    pending: tuple[tuple[object, object], ...] = ()  # offered, not yet accepted: kept when nearly as good


class Geography:
    """County centroids and mountain/island flags, given by the caller (any region data works)."""

    def __init__(self, counties: list[County] | list[dict]):
        self.counties = [c if isinstance(c, County) else _county_from_dict(c) for c in counties]
        self.index = {county.code: i for i, county in enumerate(self.counties)}
        lat = np.radians([c.lat for c in self.counties])
        lng = np.radians([c.lng for c in self.counties])
        self.distance_km = _haversine_matrix(lat, lng)
        self.priority_flag = np.array([c.mountain or c.island for c in self.counties], bool)

    def __len__(self) -> int:
        return len(self.counties)

    def code_index(self, codes: list[str]) -> np.ndarray:
        """Index of each county code, −1 when unknown."""
        return np.array([self.index.get(code, -1) for code in codes], np.int64)


def _county_from_dict(data: dict) -> County:
    return County(
        code=str(data["code"]),
        name=str(data.get("name", data["code"])),
        lat=float(data["lat"]),
        lng=float(data["lng"]),
        mountain=bool(data.get("mountain", False)),
        island=bool(data.get("island", False)),
    )


def _haversine_matrix(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    earth_radius_km = 6371.0
    dlat = lat[:, None] - lat[None, :]
    dlng = lng[:, None] - lng[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlng / 2) ** 2
    return 2 * earth_radius_km * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    return float(_haversine_matrix(np.radians([lat1, lat2]), np.radians([lng1, lng2]))[0, 1])


@dataclass
class Candidate:
    """One ranked craftsman for a problem. The explanation is built on first use (batches stay fast)."""

    craftsman: object
    score: float
    distance_km: float | None = None
    cross_region: bool = False
    explainer: Callable[[], tuple[dict, list]] | None = field(default=None, repr=False, compare=False)
    _features: dict | None = field(default=None, repr=False, compare=False)
    _explanation: list | None = field(default=None, repr=False, compare=False)

    def _build(self) -> None:
        if self._explanation is None:
            self._features, self._explanation = self.explainer() if self.explainer else ({}, [])

    @property
    def features(self) -> dict[str, float]:
        self._build()
        return self._features

    @property
    def explanation(self) -> list:  # list[Message]
        self._build()
        return self._explanation

    def explain(self, language: str = "zh") -> str:
        from .messages import join_messages

        return join_messages(self.explanation, language)
