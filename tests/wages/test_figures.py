"""Coverage figures against records built here."""

from datetime import date

import pytest

from gonghui.wages import figures, services
from gonghui.wages.models import AgreementKind, AgreementScope
from tests.factories import EnterpriseFactory
from tests.wages.factories import case_at, instructor, sign_terms

pytestmark = pytest.mark.django_db
ON = date(2026, 6, 1)


@pytest.fixture
def world():
    """淳安 (330127): 4 unionised above-size (1 also pilot), 1 platform, 2 small; 乐清 (330382): 2 unionised
    above-size. Covered: two above-size in 淳安 (one is the pilot) by single agreements, the platform and one
    small one by a regional agreement; one in 乐清."""
    user, actor = instructor("330127")
    lq_user, lq_actor = instructor("330382")
    E = EnterpriseFactory
    above = [
        E(region_id="330127", unionised=True, above_designated_size=True, employees=200) for _ in range(4)
    ]
    pilot = above[0]
    pilot.reform_pilot = True
    pilot.save()
    platform = E(region_id="330127100", unionised=False, platform=True, industry="G", employees=80)
    small = [E(region_id="330127", unionised=True, employees=20) for _ in range(2)]
    lq = [E(region_id="330382", unionised=True, above_designated_size=True, employees=300) for _ in range(2)]
    case_at(actor, user, above[0], stage="published", workers_covered=180)
    case_at(actor, user, above[1], stage="signed", workers_covered=150)
    case_at(actor, user, above[2], stage="reviewed")  # not signed: not covered
    case_at(lq_actor, lq_user, lq[0], stage="filed", region_code="330382", workers_covered=290)
    regional = services.case_offer_area(
        actor=actor,
        scope=AgreementScope.REGIONAL,
        region_code="330127",
        industry="G",
        title="淳安县快递行业",
        instructor_id=user.pk,
        offered_on=date(2026, 1, 5),
    )
    services.case_prepare(actor=actor, case_id=regional.pk, worker_proposals="x")
    services.case_record_round(actor=actor, case_id=regional.pk, held_on=date(2026, 1, 9), minutes="x")
    services.case_record_vote(
        actor=actor,
        case_id=regional.pk,
        held_on=date(2026, 1, 10),
        representatives=9,
        votes_for=5,
        votes_against=4,
        votes_abstain=0,
    )
    services.case_sign(
        actor=actor,
        case_id=regional.pk,
        **sign_terms(workers_covered=95, enterprise_ids=[platform.pk, small[0].pk]),
    )
    # A wage-specific (not skill-level) agreement does not count toward the programme.
    case_at(actor, user, small[1], stage="signed", kind=AgreementKind.WAGE_SPECIFIC)
    return {"above": above, "platform": platform, "small": small, "lq": lq}


def test_province_coverage(world):
    row = figures.coverage("33", on=ON)
    assert (row["agreements"], row["enterprises_covered"], row["workers_covered"]) == (
        4,
        5,
        180 + 150 + 290 + 95,
    )
    assert (row["pilot_total"], row["pilot_covered"], row["pilot_rate"]) == (1, 1, 100.0)
    assert (row["unionised_above_total"], row["unionised_above_covered"], row["unionised_above_rate"]) == (
        6,
        3,
        50.0,
    )
    assert (row["platform_total"], row["platform_covered"]) == (1, 1)


def test_county_rows_and_industry_rows(world):
    rows = {r["key"]: r for r in figures.coverage_rows("33", by="county", on=ON)}
    assert set(rows) == {"330127", "330382"}
    chunan = rows["330127"]
    assert (
        chunan["name"],
        chunan["agreements"],
        chunan["enterprises_covered"],
        chunan["workers_covered"],
    ) == ("淳安县", 3, 4, 425)
    assert (
        chunan["unionised_above_covered"],
        chunan["unionised_above_total"],
        chunan["unionised_above_rate"],
    ) == (2, 4, 50.0)
    assert (rows["330382"]["unionised_above_covered"], rows["330382"]["unionised_above_rate"]) == (1, 50.0)
    cities = {r["key"]: r["enterprises_covered"] for r in figures.coverage_rows("33", by="city", on=ON)}
    assert cities == {"330100": 4, "330300": 1}
    industries = {
        r["key"]: r["enterprises_covered"] for r in figures.coverage_rows("33", by="industry", on=ON)
    }
    assert industries == {"C": 4, "G": 1}


def test_staff_actor_sees_only_their_region(world):
    _, lq_actor = instructor("330382")
    row = figures.coverage(lq_actor, on=ON)
    assert (row["agreements"], row["enterprises_covered"], row["unionised_above_total"]) == (1, 1, 2)


def test_before_signing_and_after_the_term_nothing_counts(world):
    assert figures.coverage("33", on=date(2026, 2, 1))["agreements"] == 0
    assert figures.coverage("33", on=date(2029, 3, 1))["enterprises_covered"] == 0


def test_lapsed_agreement_stops_counting(world):
    services.agreements_refresh(on=date(2029, 3, 1))
    assert figures.coverage("33", on=ON)["agreements"] == 0


def test_seed_figures_shape(world):
    assert figures.seed_figures("330127", on=ON) == {
        "agreements": 3,
        "enterprises_covered": 4,
        "workers_covered": 425,
        "pilot_all_covered": True,
        "unionised_above_rate": 50.0,
    }
