import random
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from gonghui.stations.finder import StationIndex, StationRecord, naive_nearest
from gonghui.stations.hours import Schedule
from gonghui.stations.models import AMENITY_BIT


def random_records(n, seed=3):
    rng = random.Random(seed)
    records = []
    for i in range(n):
        weekly = {}
        if rng.random() < 0.7:
            o, c = rng.randrange(0, 1440, 15), rng.randrange(0, 1440, 15)
            if o != c:
                days = range(7) if rng.random() < 0.6 else range(5)
                weekly = {d: [(o, c if c > o else c + 1440)] for d in days}
        overrides = {}
        if rng.random() < 0.05:
            overrides = {date(2025, 12, 3): [] if rng.random() < 0.5 else [(600, 1500)]}
        records.append(
            StationRecord(
                id=i + 1,
                lng=rng.uniform(118.0, 122.5),
                lat=rng.uniform(27.0, 31.2),
                amenity_bits=rng.getrandbits(10),
                station_type=rng.choice(["fixed", "smart24", "mobile", "partner"]),
                open_24h=rng.random() < 0.1,
                weekly=weekly,
                overrides=overrides,
            )
        )
    return records


def test_open_mask_agrees_with_the_exact_rule_every_20_minutes_over_two_days():
    records = random_records(400)
    index = StationIndex(records)
    schedules = [Schedule(r.open_24h, r.weekly, r.overrides) for r in records]
    t = datetime(2025, 12, 2, 0, 0)
    while t < datetime(2025, 12, 4, 0, 0):
        mask = index.open_mask(t)
        expected = np.array([s.is_open(t) for s in schedules])
        assert (mask == expected).all(), t
        t += timedelta(minutes=20)


def test_kdtree_answers_equal_the_naive_scan_with_filters():
    records = random_records(3000)
    index = StationIndex(records)
    rng = random.Random(9)
    micro = AMENITY_BIT["microwave"]
    when = datetime(2025, 12, 3, 3, 10)
    for _ in range(60):
        lng, lat = rng.uniform(118.5, 122), rng.uniform(27.5, 31)
        for kwargs in (
            {},
            {"amenity_mask": micro},
            {"amenity_mask": micro | AMENITY_BIT["wifi"], "open_at": when},
            {"types": ["mobile"], "open_at": when},
        ):
            fast = index.nearest(lng, lat, k=10, **kwargs)
            slow = naive_nearest(index, lng, lat, k=10, **kwargs)
            assert [h.id for h in fast] == [h.id for h in slow]
            assert np.allclose([h.distance_m for h in fast], [h.distance_m for h in slow], atol=0.01)


def test_radius_limits_results_and_a_selective_filter_uses_its_own_tree():
    records = random_records(2000)
    records[0].amenity_bits = 1 << 17  # the only station with this amenity
    index = StationIndex(records)
    hits = index.nearest(120, 30, k=5, amenity_mask=1 << 17)
    assert [h.id for h in hits] == [1]
    near = index.nearest(120, 30, k=50, radius_m=20_000)
    assert near and all(h.distance_m <= 20_000 for h in near)
    assert index.nearest(120, 30, k=5, radius_m=1) == []


def test_empty_index():
    assert StationIndex([]).nearest(120, 30) == []


@pytest.mark.django_db
def test_index_loaded_from_the_database_agrees_with_the_station_pages():
    from datetime import time

    from gonghui.stations.finder import load_columns
    from gonghui.stations.hours import schedule_for
    from gonghui.stations.models import HoursOverride, OpeningHours, Station
    from tests.stations.factories import StationFactory, with_hours

    sunday_night = StationFactory()
    OpeningHours.objects.create(station=sunday_night, weekday=6, opens=time(22), closes=time(2))
    weekdays = with_hours(StationFactory(), opens=time(9), closes=time(17), days=range(5))
    with_hours(StationFactory(), opens=time(7), closes=time(23))
    always = StationFactory(open_24h=True)
    HoursOverride.objects.create(station=always, date=date(2025, 12, 3), closed=True)
    HoursOverride.objects.create(station=weekdays, date=date(2025, 12, 6), opens=time(8), closes=time(20))
    StationFactory(status="closed")
    index = StationIndex(load_columns(today=date(2025, 12, 1)))
    stations = {s.pk: s for s in Station.objects.filter(status="active")}
    assert sorted(index.ids.tolist()) == sorted(stations)
    t = datetime(2025, 12, 1, 0, 0)
    while t < datetime(2025, 12, 8, 6, 0):
        mask = index.open_mask(t)
        expected = [schedule_for(stations[int(sid)]).is_open(t) for sid in index.ids]
        assert mask.tolist() == expected, t
        t += timedelta(minutes=30)
