from datetime import date
from decimal import Decimal

import pytest

from gonghui.recuperation import figures, services
from gonghui.regions.models import Region

from .factories import AFTER, actor, apply_all, build_world, close_and_draw, staff

pytestmark = pytest.mark.django_db


def _town(county):
    return Region.objects.filter(level="town", parent_id=county).order_by("code").first().code


def _records():
    """Two union trip reports and one programme trip that travelled."""
    xihu_user, _ = staff(_town("330106"), "grassroots")
    yueqing_user, _ = staff(_town("330382"), "grassroots")
    services.trip_report_create(
        actor=actor(xihu_user, "staff"),
        started_on=date(2026, 5, 3),
        days=3,
        participants=40,
        spend=Decimal("48000"),
        destination_code="330127",
        target_group="frontline",
    )
    services.trip_report_create(
        actor=actor(yueqing_user, "staff"),
        started_on=date(2026, 7, 9),
        days=7,
        participants=10,
        spend=Decimal("30000"),
        partner_region="xinjiang",
    )
    world = build_world(places=1, members=1)
    apply_all(world)
    close_and_draw(world)
    application = world.programme.applications.get()
    services.application_confirm(
        actor=actor(application.member.user, "member"),
        application=application,
        departure=world.departures[0],
        now=AFTER,
    )
    services.departure_mark_travelled(actor=world.province_actor, departure=world.departures[0])


def test_summary_adds_reports_and_travelled_applications():
    _records()
    s = figures.summary(year=2026)
    assert (s["participants"], s["person_days"], s["spend"]) == (51, 40 * 3 + 10 * 7 + 3, Decimal("79200.00"))
    # 淳安 is a mountain county: 40 + 1 participants went there.
    assert s["mountain_island_participants"] == 41
    assert s["mountain_island_share"] == 41 / 51
    assert figures.summary(year=2025)["participants"] == 0


def test_breakdowns():
    _records()
    by_county = {r["code"]: r["participants"] for r in figures.by_county(year=2026)}
    assert by_county == {"330106": 41, "330382": 10}
    by_destination = {
        r["name"]: (r["participants"], r["mountain"]) for r in figures.by_destination(year=2026)
    }
    assert by_destination == {"淳安县": (41, True), "新疆": (10, False)}
    by_group = {r["code"]: r["participants"] for r in figures.by_target_group(year=2026)}
    assert by_group == {"frontline": 40, "general": 10, "new_employment_form": 1}
    by_month = [(r["month"], r["participants"]) for r in figures.by_month(year=2026)]
    assert by_month == [("2026-05", 41), ("2026-07", 10)]


def test_region_prefix_limits_to_the_origin():
    _records()
    assert figures.summary(region_prefix="3303", year=2026)["participants"] == 10
    assert figures.summary(region_prefix="3301", year=2026)["participants"] == 41


def test_provincial_funding():
    _records()
    funding = figures.provincial_funding(year=2026)
    assert (funding["programmes"], funding["budget"], funding["spent"], funding["travelled"]) == (
        1,
        Decimal("1500.00"),
        Decimal("500.00"),
        1,
    )
