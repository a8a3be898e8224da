"""Nearest open stations, in memory: a k-d tree over unit vectors with filter-aware expansion.

The serving process keeps one ``StationIndex`` of active stations (coordinates, amenity bits, type, hours as
minute-of-week intervals). A query asks the tree for the k nearest, filters those candidates (amenities, type,
open now), and widens k until enough pass; a very selective filter falls back to a scan over the stations that
pass it. "Open now" for all stations is one vectorised pass over the interval arrays, cached for the minute.

The index is rebuilt when the registry changes: every few seconds a process compares (max id, max updated_at) of
stations with what it indexed, so every web worker picks up changes without a shared cache.
"""

import threading
import time as _time
from array import array
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from scipy.spatial import cKDTree

from gonghui.stations import geo
from gonghui.stations.hours import DAY, Schedule, span

WEEK = 7 * DAY
SUBTREE_MAX = 20_000  # a filter passing fewer stations than this gets its own small tree
FILTER_CACHE_SIZE = 64
TYPE_CODES = {"fixed": 0, "smart24": 1, "mobile": 2, "partner": 3}


def to_xyz(lng, lat) -> np.ndarray:
    """Points on a sphere of the Earth's radius: chord length grows with great-circle distance."""
    lng_r, lat_r = np.radians(np.asarray(lng, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    cos_lat = np.cos(lat_r)
    return (
        np.stack([cos_lat * np.cos(lng_r), cos_lat * np.sin(lng_r), np.sin(lat_r)], axis=-1)
        * geo.EARTH_RADIUS_M
    )


def chord_to_metres(chord):
    return 2 * geo.EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.asarray(chord) / (2 * geo.EARTH_RADIUS_M)))


@dataclass
class StationRecord:
    id: int
    lng: float
    lat: float
    amenity_bits: int = 0
    station_type: str = "fixed"
    open_24h: bool = False
    weekly: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    overrides: dict[date, list[tuple[int, int]]] = field(default_factory=dict)
    code: str = ""
    name: str = ""
    address: str = ""
    star_level: int = 3


@dataclass
class Hit:
    index: int
    id: int
    distance_m: float


@dataclass
class Columns:
    """The index's input as arrays: built straight from database rows, without an object per station."""

    ids: np.ndarray
    lng: np.ndarray
    lat: np.ndarray
    bits: np.ndarray
    types: np.ndarray
    open_24h: np.ndarray
    stars: np.ndarray
    codes: list
    names: list
    addresses: list
    iv_start: np.ndarray  # weekly spans as minute-of-week intervals
    iv_end: np.ndarray
    iv_owner: np.ndarray
    override_schedules: dict  # station position -> Schedule, for stations with date overrides


def week_intervals(weekday: int, s: int, e: int):
    """Minute-of-week intervals of one span; an overnight span on Sunday wraps to Monday morning."""
    a, b = weekday * DAY + s, weekday * DAY + e
    return [(a, WEEK), (0, b - WEEK)] if b > WEEK else [(a, b)]


def columns_from_records(records: list[StationRecord]) -> Columns:
    n = len(records)
    starts, ends, owners = [], [], []
    for i, r in enumerate(records):
        if r.open_24h:
            continue
        for weekday, spans in r.weekly.items():
            for s, e in spans:
                for a, b in week_intervals(weekday, s, e):
                    starts.append(a)
                    ends.append(b)
                    owners.append(i)
    return Columns(
        ids=np.fromiter((r.id for r in records), dtype=np.int64, count=n),
        lng=np.fromiter((r.lng for r in records), dtype=np.float64, count=n),
        lat=np.fromiter((r.lat for r in records), dtype=np.float64, count=n),
        bits=np.fromiter((r.amenity_bits for r in records), dtype=np.int64, count=n),
        types=np.fromiter((TYPE_CODES.get(r.station_type, 0) for r in records), dtype=np.int8, count=n),
        open_24h=np.fromiter((r.open_24h for r in records), dtype=bool, count=n),
        stars=np.fromiter((r.star_level for r in records), dtype=np.int8, count=n),
        codes=[r.code for r in records],
        names=[r.name for r in records],
        addresses=[r.address for r in records],
        iv_start=np.asarray(starts, dtype=np.int32),
        iv_end=np.asarray(ends, dtype=np.int32),
        iv_owner=np.asarray(owners, dtype=np.int64),
        override_schedules={
            i: Schedule(open_24h=r.open_24h, weekly=r.weekly, overrides=r.overrides)
            for i, r in enumerate(records)
            if r.overrides
        },
    )


class StationIndex:
    def __init__(self, source: list[StationRecord] | Columns):
        c = source if isinstance(source, Columns) else columns_from_records(source)
        self.n = n = len(c.ids)
        self.ids, self.lng, self.lat, self.bits, self.types = c.ids, c.lng, c.lat, c.bits, c.types
        self.open_24h, self.stars = c.open_24h, c.stars
        self.codes, self.names, self.addresses = c.codes, c.names, c.addresses
        self.xyz = to_xyz(self.lng, self.lat) if n else np.zeros((0, 3))
        self.tree = cKDTree(self.xyz) if n else None
        self.iv_start, self.iv_end, self.iv_owner = c.iv_start, c.iv_end, c.iv_owner
        # Stations with date overrides are decided by the exact rule for the dates concerned.
        self.override_schedules = c.override_schedules
        self._open_cache: tuple[datetime, np.ndarray] | None = None
        self._filter_cache: dict = {}
        self._lock = threading.Lock()

    # -- open now --------------------------------------------------------------------------------------------
    def open_mask(self, at: datetime) -> np.ndarray:
        """Which stations are open at local wall time ``at`` (cached for the minute)."""
        key = at.replace(second=0, microsecond=0, tzinfo=None)
        cached = self._open_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        mow = key.weekday() * DAY + key.hour * 60 + key.minute
        hit = (self.iv_start <= mow) & (mow < self.iv_end)
        mask = self.open_24h.copy()
        mask[self.iv_owner[hit]] = True
        day = key.date()
        for i, schedule in self.override_schedules.items():
            if day in schedule.overrides or (day - timedelta(days=1)) in schedule.overrides:
                mask[i] = schedule.is_open(key)
        self._open_cache = (key, mask)
        return mask

    # -- queries ---------------------------------------------------------------------------------------------
    def _passes(self, idx: np.ndarray, amenity_mask: int, type_codes, open_mask) -> np.ndarray:
        ok = np.ones(len(idx), dtype=bool)
        if amenity_mask:
            ok &= (self.bits[idx] & amenity_mask) == amenity_mask
        if type_codes is not None:
            ok &= np.isin(self.types[idx], type_codes)
        if open_mask is not None:
            ok &= open_mask[idx]
        return ok

    def _filter_entry(self, amenity_mask: int, types, open_at: datetime | None):
        """Which stations pass the filter, cached per (filter, minute): the pass mask, its size and, for selective
        filters, a k-d tree over just those stations."""
        if not amenity_mask and not types and open_at is None:
            return None
        minute = open_at.replace(second=0, microsecond=0, tzinfo=None) if open_at is not None else None
        key = (amenity_mask, tuple(sorted(types or ())), minute)
        with self._lock:
            entry = self._filter_cache.get(key)
        if entry is not None:
            return entry
        type_codes = None if not types else np.asarray([TYPE_CODES[t] for t in types], dtype=np.int8)
        open_mask = self.open_mask(open_at) if open_at is not None else None
        mask = self._passes(np.arange(self.n), amenity_mask, type_codes, open_mask)
        entry = {"mask": mask, "count": int(mask.sum()), "tree": None, "members": None}
        if 0 < entry["count"] <= SUBTREE_MAX or 0 < entry["count"] < self.n // 10:
            members = np.flatnonzero(mask)
            entry["members"], entry["tree"] = members, cKDTree(self.xyz[members])
        with self._lock:
            if len(self._filter_cache) >= FILTER_CACHE_SIZE:
                self._filter_cache.clear()  # a new minute or too many combinations: start again
            self._filter_cache[key] = entry
        return entry

    def nearest(
        self,
        lng: float,
        lat: float,
        *,
        k: int = 10,
        amenity_mask: int = 0,
        types=None,
        open_at: datetime | None = None,
        radius_m: float | None = None,
    ) -> list[Hit]:
        if self.n == 0:
            return []
        point = to_xyz(lng, lat)
        bound = (
            np.inf
            if radius_m is None
            else 2 * geo.EARTH_RADIUS_M * np.sin(radius_m / (2 * geo.EARTH_RADIUS_M))
        )
        entry = self._filter_entry(amenity_mask, types, open_at)
        if entry is not None and entry["count"] == 0:
            return []
        if entry is not None and entry["tree"] is not None:
            # Selective filter: ask the tree of the stations that pass it.
            want = min(k, entry["count"])
            dist, idx = entry["tree"].query(point, k=want, distance_upper_bound=bound)
            dist, idx = np.atleast_1d(dist), np.atleast_1d(idx)
            found = idx < entry["count"]
            dist, idx = dist[found], entry["members"][idx[found]]
        else:
            want = min(k, self.n if entry is None else entry["count"])
            # Expect 1/selectivity candidates per hit; take twice that so one query is nearly always enough.
            share = 1.0 if entry is None else entry["count"] / self.n
            probe = min(self.n, int(2 * want / share) + 16)
            while True:
                dist, idx = self.tree.query(point, k=probe, distance_upper_bound=bound)
                dist, idx = np.atleast_1d(dist), np.atleast_1d(idx)
                found = idx < self.n
                dist, idx = dist[found], idx[found]
                if entry is not None:
                    ok = entry["mask"][idx]
                    dist, idx = dist[ok], idx[ok]
                exhausted = probe >= self.n or found.sum() < probe  # everything within reach was looked at
                if len(idx) >= want or exhausted:
                    dist, idx = dist[:want], idx[:want]
                    break
                probe = min(self.n, probe * 4)
        metres = chord_to_metres(dist)
        return [Hit(int(i), int(self.ids[i]), float(m)) for i, m in zip(idx, metres, strict=True)]


def naive_nearest(
    index: StationIndex,
    lng: float,
    lat: float,
    *,
    k: int = 10,
    amenity_mask: int = 0,
    types=None,
    open_at: datetime | None = None,
) -> list[Hit]:
    """The baseline: haversine to every station, filter, sort. Same answers, for comparison."""
    lng_r, lat_r = np.radians(index.lng), np.radians(index.lat)
    p_lng, p_lat = np.radians(lng), np.radians(lat)
    h = np.sin((lat_r - p_lat) / 2) ** 2 + np.cos(p_lat) * np.cos(lat_r) * np.sin((lng_r - p_lng) / 2) ** 2
    dist = 2 * geo.EARTH_RADIUS_M * np.arcsin(np.sqrt(h))
    type_codes = None if not types else np.asarray([TYPE_CODES[t] for t in types], dtype=np.int8)
    open_mask = index.open_mask(open_at) if open_at is not None else None
    ok = index._passes(np.arange(index.n), amenity_mask, type_codes, open_mask)
    candidates = np.flatnonzero(ok)
    top = candidates[np.argsort(dist[candidates], kind="stable")[:k]]
    return [Hit(int(i), int(index.ids[i]), float(dist[i])) for i in top]


# --- the process-wide index built from the database ---------------------------------------------------------------

RECHECK_SECONDS = 5.0
_state = {"index": None, "version": None, "checked": 0.0}
_build_lock = threading.Lock()


def _db_version():
    from django.db.models import Max

    from gonghui.stations.models import HoursOverride, OpeningHours, Station

    stations = Station.objects.aggregate(m=Max("id"), u=Max("updated_at"))
    return (
        stations["m"],
        stations["u"],
        OpeningHours.objects.aggregate(m=Max("id"))["m"],
        HoursOverride.objects.aggregate(m=Max("id"))["m"],
    )


def load_columns(today: date | None = None) -> Columns:
    """Active stations straight into arrays (no object per station, so a web worker stays small)."""
    from django.utils import timezone

    from gonghui.stations.models import HoursOverride, OpeningHours, Station, StationStatus

    today = today or timezone.localdate()
    ids, lng, lat, bits, types, o24, stars, codes, names, addresses = ([] for _ in range(10))
    rows = (
        Station.objects.filter(status=StationStatus.ACTIVE)
        .order_by("id")
        .values_list(
            "id",
            "lng_wgs84",
            "lat_wgs84",
            "amenity_bits",
            "station_type",
            "open_24h",
            "star_level",
            "code",
            "name",
            "address",
        )
    )
    for row in rows.iterator(chunk_size=20000):
        ids.append(row[0])
        lng.append(row[1])
        lat.append(row[2])
        bits.append(row[3])
        types.append(TYPE_CODES.get(row[4], 0))
        o24.append(row[5])
        stars.append(row[6])
        codes.append(row[7])
        names.append(row[8])
        addresses.append(row[9])
    position = {sid: i for i, sid in enumerate(ids)}
    overrides: dict[int, dict] = {}
    for sid, day, closed, opens, closes in HoursOverride.objects.filter(
        date__gte=today - timedelta(days=1), station__status=StationStatus.ACTIVE
    ).values_list("station_id", "date", "closed", "opens", "closes"):
        if sid in position:
            spans = [] if closed or not (opens and closes) else [span(opens, closes)]
            overrides.setdefault(position[sid], {})[day] = spans
    starts, ends, owners = array("i"), array("i"), array("q")
    weekly_of_overridden: dict[int, dict] = {i: {} for i in overrides}
    for sid, weekday, opens, closes in OpeningHours.objects.values_list(
        "station_id", "weekday", "opens", "closes"
    ).iterator(chunk_size=50000):
        i = position.get(sid)
        if i is None or o24[i]:
            continue
        s, e = span(opens, closes)
        for a, b in week_intervals(weekday, s, e):
            starts.append(a)
            ends.append(b)
            owners.append(i)
        if i in weekly_of_overridden:
            weekly_of_overridden[i].setdefault(weekday, []).append((s, e))
    return Columns(
        ids=np.asarray(ids, dtype=np.int64),
        lng=np.asarray(lng, dtype=np.float64),
        lat=np.asarray(lat, dtype=np.float64),
        bits=np.asarray(bits, dtype=np.int64),
        types=np.asarray(types, dtype=np.int8),
        open_24h=np.asarray(o24, dtype=bool),
        stars=np.asarray(stars, dtype=np.int8),
        codes=codes,
        names=names,
        addresses=addresses,
        iv_start=np.frombuffer(starts, dtype=np.int32).copy(),
        iv_end=np.frombuffer(ends, dtype=np.int32).copy(),
        iv_owner=np.frombuffer(owners, dtype=np.int64).copy(),
        override_schedules={
            i: Schedule(open_24h=bool(o24[i]), weekly=weekly_of_overridden[i], overrides=days)
            for i, days in overrides.items()
        },
    )


def current_index() -> StationIndex:
    """The index for this process, rebuilt when the registry has changed since it was built."""
    from django.conf import settings

    now = _time.monotonic()
    recheck = 0.0 if getattr(settings, "TESTING", False) else RECHECK_SECONDS
    if _state["index"] is not None and now - _state["checked"] < recheck:
        return _state["index"]
    with _build_lock:
        version = _db_version()
        _state["checked"] = _time.monotonic()
        if _state["index"] is None or version != _state["version"]:
            _state["index"] = StationIndex(load_columns())
            _state["version"] = version
        return _state["index"]


def bump_index_version() -> None:
    """After a registry write in this process: look at the database again on the next query."""
    _state["checked"] = 0.0
