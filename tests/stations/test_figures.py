from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from gonghui.core.demodata import DemoContext
from gonghui.stations import demo
from gonghui.stations.figures import station_figures, station_figures_by_region
from gonghui.stations.models import (
    CheckIn,
    Complaint,
    ServiceSession,
    SessionSlot,
    StationType,
    Visit,
    Visitor,
)
from tests.stations.factories import StationFactory

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def test_figures_count_records_by_region_and_year():
    hz = StationFactory(
        region_id="330102001", year_renovated=2025, open_24h=True, station_type=StationType.SMART24
    )
    StationFactory(region_id="330102003", year_renovated=2024)
    nb = StationFactory(region_id="330203001", year_renovated=2025)
    visitor = Visitor(occupation="courier")
    visitor.phone = "13911112222"
    visitor.save()
    Visit.objects.create(
        station=hz,
        visitor=visitor,
        occupation="courier",
        method="phone",
        visited_at=datetime(2025, 3, 1, 10, tzinfo=TZ),
    )
    Visit.objects.create(
        station=hz,
        visitor=visitor,
        occupation="courier",
        method="phone",
        visited_at=datetime(2024, 12, 31, 10, tzinfo=TZ),
    )
    for station, day, n_ok in [
        (hz, date(2025, 5, 1), 3),
        (nb, date(2025, 6, 1), 2),
        (hz, date(2024, 6, 1), 5),
    ]:
        session = ServiceSession.objects.create(
            station=station, region_id=station.region_id, kind="haircut", title="理发", date=day
        )
        slot = SessionSlot.objects.create(session=session, starts=time(9), ends=time(10), capacity=10)
        at = datetime.combine(day, time(9), TZ)
        CheckIn.objects.bulk_create(
            [CheckIn(session=session, slot=slot, checked_in_at=at) for _ in range(n_ok)]
        )
        CheckIn.objects.create(session=session, slot=slot, checked_in_at=at, result="wrong_day")
    created = datetime(2025, 4, 1, 8, tzinfo=TZ)
    Complaint.objects.create(
        station=hz,
        category="locked",
        description="x",
        created_at=created,
        deadline_at=created + timedelta(hours=48),
        status="resolved",
        resolved_at=created + timedelta(hours=10),
    )
    Complaint.objects.create(
        station=nb,
        category="locked",
        description="x",
        created_at=created,
        deadline_at=created + timedelta(hours=48),
    )

    province = station_figures(region_prefix="33", year=2025)
    assert {
        k: province[k]
        for k in (
            "stations",
            "renovated",
            "renovated_open_24h",
            "open_24h",
            "visits",
            "sessions",
            "beneficiaries",
            "complaints",
            "complaints_resolved",
            "hours_to_resolve",
        )
    } == {
        "stations": 3,
        "renovated": 2,
        "renovated_open_24h": 1,
        "open_24h": 1,
        "visits": 1,
        "sessions": 2,
        "beneficiaries": 5,
        "complaints": 2,
        "complaints_resolved": 1,
        "hours_to_resolve": 10.0,
    }
    assert province["by_type"] == {"fixed": 2, "smart24": 1, "mobile": 0, "partner": 0}
    assert station_figures(region_prefix="3302", year=2025)["beneficiaries"] == 2
    rows = station_figures_by_region(region_prefix="33", year=2025, level="city")
    assert [
        (
            r["region_code"],
            r["stations"],
            r["renovated"],
            r["sessions"],
            r["beneficiaries"],
            r["complaints"],
            r["hours_to_resolve"],
        )
        for r in rows
    ] == [("330100", 2, 1, 1, 3, 1, 10.0), ("330200", 1, 1, 1, 2, 1, None)]
    counties = station_figures_by_region(region_prefix="3301", year=2025, level="county")
    assert [(r["region_code"], r["visits"]) for r in counties] == [("330102", 1)]


def test_small_demo_figures_come_from_generated_records():
    ctx = DemoContext(scale="small")
    demo.build(ctx)
    goal = demo.targets(ctx)
    figures = station_figures(region_prefix="33", year=2025)
    assert (
        figures["renovated"],
        figures["renovated_open_24h"],
        figures["sessions"],
        figures["beneficiaries"],
    ) == (goal["renovated"], goal["renovated_24h"], goal["sessions"], goal["checkins"])
    assert figures["stations"] == goal["stations"]
    assert [a.role for a in ctx.accounts] == ["station_manager"]


def test_province_targets_are_the_seed_figures():
    goal = demo.targets(DemoContext(scale="province"))
    assert (goal["renovated"], goal["renovated_24h"], goal["sessions"], goal["checkins"]) == (
        1595,
        111,
        2696,
        263_000,
    )
