"""Every registered figure, rolled up from the demo's records, equals what the programme's own figure functions
compute from the same records — for the province, a city and a county. A figure registered without a reference
here fails the test, so the next programme's figures are checked too."""

from datetime import date
from decimal import Decimal

import pytest

from gonghui.core.actor import Actor
from gonghui.core.demodata import build_demo
from gonghui.craftsmen import figures as craftsmen_figures
from gonghui.dashboard import registry, rollup, selectors
from gonghui.dashboard.models import FigureValue
from gonghui.recuperation import figures as recuperation_figures
from gonghui.regions.models import Region
from gonghui.stations import figures as station_figures
from gonghui.wages import figures as wage_figures

pytestmark = pytest.mark.django_db
YEAR = 2025
PLACES = ("330000", "330100", "330127", "330203")


def craftsmen(field):
    return lambda prefix: craftsmen_figures.summary(region_prefix=prefix, year=YEAR)[field]


def stations(field):
    return lambda prefix: station_figures.station_figures(region_prefix=prefix, year=YEAR)[field]


def recuperation(field):
    return lambda prefix: recuperation_figures.summary(region_prefix=prefix, year=YEAR)[field]


def wages(field):
    return lambda prefix: wage_figures.coverage(prefix, on=wage_figures.period_end(YEAR))[field]


REFERENCE = {
    "craftsmen.participations": craftsmen("participations"),
    "craftsmen.problems_solved": craftsmen("problems_solved"),
    "craftsmen.special_sessions": craftsmen("special_sessions"),
    "craftsmen.problems_filed": craftsmen("problems_filed"),
    "craftsmen.workers_trained": craftsmen("workers_trained"),
    "craftsmen.session_workers_trained": craftsmen("session_workers_trained"),
    "craftsmen.benefit_yuan": craftsmen("benefit_yuan"),
    "stations.renovated": stations("renovated"),
    "stations.renovated_open_24h": stations("renovated_open_24h"),
    "stations.sessions": stations("sessions"),
    "stations.beneficiaries": stations("beneficiaries"),
    "stations.visits": stations("visits"),
    "stations.complaints": stations("complaints"),
    "recuperation.participants": recuperation("participants"),
    "recuperation.spend": recuperation("spend"),
    "recuperation.person_days": recuperation("person_days"),
    "recuperation.mountain_island_participants": recuperation("mountain_island_participants"),
    "wages.agreements": wages("agreements"),
    "wages.enterprises_covered": wages("enterprises_covered"),
    "wages.workers_covered": wages("workers_covered"),
    "wages.unionised_above_total": wages("unionised_above_total"),
    "wages.unionised_above_covered": wages("unionised_above_covered"),
    "wages.unionised_above_rate": wages("unionised_above_rate"),
    "wages.pilot_total": wages("pilot_total"),
    "wages.pilot_covered": wages("pilot_covered"),
    "wages.pilot_rate": wages("pilot_rate"),
}


def test_every_registered_figure_matches_its_programme_at_every_level():
    build_demo("small")
    rollup.run_rollup(today=date(YEAR, 12, 31))
    assert sorted(REFERENCE) == sorted(f.key for f in registry.figures())
    system = Actor.system()
    nonzero = set()
    for figure in registry.figures():
        for code in PLACES:
            region = Region.objects.get(code=code)
            expected = Decimal(str(REFERENCE[figure.key](region.prefix) or 0)).quantize(Decimal("0.01"))
            got = selectors.value(system, figure, region, year=YEAR)
            if figure.kind == registry.RATIO:  # the programme rounds a float; the dashboard divides decimals
                assert abs(got - expected) <= Decimal("0.01"), (figure.key, code, got, expected)
            else:
                assert (figure.key, code, got) == (figure.key, code, expected)
            if code == "330000" and got:
                nonzero.add(figure.key)
    assert nonzero == set(REFERENCE)  # the demo gives every figure something to count

    # Cities are the sums of their counties plus what is recorded at the city itself; counties add to the province.
    for figure in registry.figures():
        if figure.kind == registry.RATIO:
            continue
        county_sum = sum(
            selectors.values_by_region(system, figure, year=YEAR, level="county").values(), Decimal(0)
        )
        province = selectors.value(system, figure, Region.objects.get(code="330000"), year=YEAR)
        assert county_sum <= province

    # A second run over the same records writes nothing.
    stats = rollup.run_rollup(today=date(YEAR, 12, 31))
    assert sum(s.written for s in stats) == 0
    assert FigureValue.objects.filter(value=0).count() == 0
