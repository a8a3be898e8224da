"""The roll-up: exact values from hand-built records (county → city → province, month and year), idempotence,
resuming after a crash, incremental runs, and every registered figure against its programme's own figures."""

from datetime import date
from decimal import Decimal

import pytest

from gonghui.core.actor import Actor
from gonghui.dashboard import registry, rollup, selectors
from gonghui.dashboard.models import FigureValue, RollupCheckpoint
from gonghui.regions.models import Region
from tests.dashboard.factories import CHUNAN_TOWN, NINGBO_TOWN, at, session_with_checkins, station, visits

pytestmark = pytest.mark.django_db
TODAY = date(2025, 12, 15)
SYSTEM = Actor.system()


def cells(key: str) -> dict:
    return {
        (r.region_code, r.period.isoformat(), r.dimension): r.value
        for r in FigureValue.objects.filter(figure_key=key)
    }


def value(key, code, year=2025, month=None):
    return selectors.value(SYSTEM, registry.get(key), Region.objects.get(code=code), year=year, month=month)


def build_stations():
    hz = station(year_renovated=2025, open_24h=True, station_type="smart24")
    nb = station(region_id=NINGBO_TOWN, year_renovated=2025)
    ca = station(region_id=CHUNAN_TOWN, year_renovated=2024)
    station(region_id=CHUNAN_TOWN, year_renovated=2025, status="closed")
    visits(hz, at(2025, 3, 1), at(2025, 3, 31, 23), at(2025, 4, 1, 0))  # 23:00 local on 31 March is March
    visits(nb, at(2025, 3, 2))
    visits(ca, at(2024, 12, 31), at(2025, 7, 1))
    session_with_checkins(hz, date(2025, 5, 1), ok=3, failed=1)
    session_with_checkins(ca, date(2025, 6, 1), ok=2)
    session_with_checkins(ca, date(2025, 6, 2), ok=9, cancelled=True)
    return hz, nb, ca


def test_flow_figure_cells_by_county_city_province_and_month():
    build_stations()
    rollup.run_rollup(["stations.visits", "stations.beneficiaries", "stations.sessions"], today=TODAY)
    assert cells("stations.visits") == {
        ("330102", "2025-03-01", ""): Decimal("2.00"),
        ("330100", "2025-03-01", ""): Decimal("2.00"),
        ("330203", "2025-03-01", ""): Decimal("1.00"),
        ("330200", "2025-03-01", ""): Decimal("1.00"),
        ("330000", "2025-03-01", ""): Decimal("3.00"),
        ("330102", "2025-04-01", ""): Decimal("1.00"),
        ("330100", "2025-04-01", ""): Decimal("1.00"),
        ("330000", "2025-04-01", ""): Decimal("1.00"),
        ("330127", "2024-12-01", ""): Decimal("1.00"),
        ("330100", "2024-12-01", ""): Decimal("1.00"),
        ("330000", "2024-12-01", ""): Decimal("1.00"),
        ("330127", "2025-07-01", ""): Decimal("1.00"),
        ("330100", "2025-07-01", ""): Decimal("1.00"),
        ("330000", "2025-07-01", ""): Decimal("1.00"),
    }
    assert value("stations.visits", "330000") == Decimal("5")
    assert value("stations.visits", "330100") == Decimal("4")
    assert value("stations.visits", "330127", year=2024) == Decimal("1")
    assert value("stations.visits", "330102", month=3) == Decimal("2")
    assert value("stations.beneficiaries", "330000") == Decimal(
        "5"
    )  # cancelled session and failed check-in left out
    assert value("stations.sessions", "330127") == Decimal("1")
    assert cells("stations.sessions")[("330127", "2025-06-01", "haircut")] == Decimal("1.00")  # breakdown row


def test_yearly_stock_figure_counts_renovations_of_the_year_and_skips_closed_stations():
    build_stations()
    rollup.run_rollup(["stations.renovated", "stations.renovated_open_24h"], today=TODAY)
    assert value("stations.renovated", "330000") == Decimal("2")
    assert value("stations.renovated", "330000", year=2024) == Decimal("1")
    assert value("stations.renovated", "330127") == Decimal("0")  # its 2025 station is closed
    assert value("stations.renovated_open_24h", "330100") == Decimal("1")
    assert cells("stations.renovated")[("330000", "2025-01-01", "smart24")] == Decimal("1.00")


def test_rerun_writes_nothing_and_an_incremental_run_changes_only_the_new_cells():
    hz, _nb, _ca = build_stations()
    first = rollup.run_rollup(["stations.visits"], today=TODAY)
    assert first[0].created == 14
    before = {r.pk: (r.value, r.computed_at) for r in FigureValue.objects.all()}
    again = rollup.run_rollup(["stations.visits"], today=TODAY)
    assert (again[0].created, again[0].updated, again[0].deleted) == (0, 0, 0)
    assert {r.pk: (r.value, r.computed_at) for r in FigureValue.objects.all()} == before
    # A day's new records in the open month: the next run recomputes from the checkpoint and touches 3 cells.
    assert RollupCheckpoint.objects.get(pk="stations.visits").done_through == date(2025, 11, 1)
    visits(hz, at(2025, 12, 14))
    incremental = rollup.run_rollup(["stations.visits"], today=TODAY)
    assert (incremental[0].created, incremental[0].updated, incremental[0].deleted) == (3, 0, 0)
    assert incremental[0].periods == 2  # November (the look-back period) and December, not the whole history
    assert value("stations.visits", "330102", month=12) == Decimal("1")


def test_a_run_that_dies_resumes_from_its_checkpoint(monkeypatch):
    build_stations()
    real_write = rollup._write_chunk
    calls = []

    def dying_write(key, periods, desired, stats):
        calls.append(periods[0])
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        real_write(key, periods, desired, stats)

    monkeypatch.setattr(rollup, "_write_chunk", dying_write)
    with pytest.raises(RuntimeError):
        rollup.run_rollup(["stations.visits"], today=TODAY)
    # The first chunk (2024) is final and checkpointed; the second (2025) rolled back.
    assert RollupCheckpoint.objects.get(pk="stations.visits").done_through == date(2024, 12, 1)
    assert set(FigureValue.objects.values_list("period", flat=True)) == {date(2024, 12, 1)}
    monkeypatch.setattr(rollup, "_write_chunk", real_write)
    resumed = rollup.run_rollup(["stations.visits"], today=TODAY)
    assert resumed[0].periods == 13  # from the look-back month (Dec 2024) on, not from the start
    assert value("stations.visits", "330000") == Decimal("5")


def test_changed_and_deleted_records_are_corrected_by_the_next_run():
    hz, nb, _ca = build_stations()
    rollup.run_rollup(["stations.visits"], today=TODAY)
    nb.visits.all().delete()
    stats = rollup.run_rollup(["stations.visits"], today=TODAY, rebuild=True)[0]
    assert (stats.updated, stats.deleted) == (1, 2)  # province March 3 → 2; Ningbo county and city cells gone
    assert value("stations.visits", "330200") == Decimal("0")
    assert value("stations.visits", "330000") == Decimal("4")


def test_registry_declarations_resolve():
    keys = [f.key for f in registry.figures()]
    assert len(keys) == len(set(keys))
    assert [p.label for p in registry.programmes()][:4] == ["craftsmen", "stations", "recuperation", "wages"]
    for figure in registry.figures():
        assert figure.key.startswith(figure.programme + ".")
        assert str(figure.name) and str(figure.definition) and str(figure.unit)
        if figure.ratio_of:
            assert figure.sources == () and all(registry.get(k) for k in figure.ratio_of)
        for source in figure.sources:
            model = source.model_class()
            assert rollup._field(model, source.region_field.replace("_id", "")) is not None
            if source.date_field:
                assert rollup._field(model, source.date_field) is not None
    assert sum(f.headline for f in registry.figures()) >= 8


def test_the_command_rolls_up_and_refuses_unknown_figures():
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    build_stations()
    out = StringIO()
    call_command("dashboard_rollup", "--figure", "stations.visits", stdout=out)
    assert out.getvalue().startswith("stations.visits")
    assert FigureValue.objects.filter(figure_key="stations.visits", region_code="330000").exists()
    with pytest.raises(CommandError):
        call_command("dashboard_rollup", "--figure", "no.such")


def test_dashboards_open_on_the_latest_year_in_which_most_figures_have_records():
    hz, _nb, _ca = build_stations()
    visits(hz, at(2026, 1, 2))  # one figure has started the new year
    rollup.run_rollup(today=date(2026, 1, 10))
    assert selectors.latest_year() == 2025
    session_with_checkins(hz, date(2026, 1, 5), ok=1)
    rollup.run_rollup(today=date(2026, 1, 10))
    assert selectors.latest_year() == 2026


def test_all_values_in_one_go_equal_the_values_one_by_one():
    build_stations()
    rollup.run_rollup(today=TODAY)
    for code in ("330000", "330100", "330127", "330203"):
        region = Region.objects.get(code=code)
        together = selectors.all_values(SYSTEM, region, year=2025)
        one_by_one = {f.key: selectors.value(SYSTEM, f, region, year=2025) for f in registry.figures()}
        assert together == one_by_one
        assert any(together.values())


def test_the_job_runs_on_demand_and_on_a_schedule(django_capture_on_commit_callbacks, actor_of):
    from datetime import timedelta

    from gonghui.dashboard import services
    from gonghui.jobs.models import JobRun
    from gonghui.jobs.registry import SCHEDULES
    from gonghui.orgs.models import OrgLevel
    from tests.factories import staff_user

    assert SCHEDULES["gonghui.dashboard.tasks.refresh_rollups"].every == timedelta(minutes=10)
    build_stations()
    staff = actor_of(staff_user("330000", level=OrgLevel.PROVINCE), "staff")
    with django_capture_on_commit_callbacks(execute=True):
        services.rollup_request(actor=staff)
    run = JobRun.objects.get(task_path="gonghui.dashboard.tasks.refresh_rollups")
    assert run.state == "succeeded"
    assert value("stations.visits", "330000") == Decimal("5")
