"""The demo builder: problems in every state, and 2025 figures that come out of the records via figures.py."""

import pytest

from gonghui.core.demodata import DemoContext
from gonghui.craftsmen import demo, figures
from gonghui.craftsmen.models import Offer, OfferStatus, Problem, ProblemStatus, Solution
from tests.craftsmen.factories import enterprise_contact
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_province_constants_add_up_to_the_seed():
    taken = demo.SOLVED_2025 + demo.UNSOLVED_2025 + demo.CARRIED_INTO_2026
    assert taken + 32 * demo.SESSION_CRAFTSMEN == 5056
    assert demo.SOLVED_2025 == 3100


def test_small_demo_builds_every_state_and_its_figures(settings):
    for county in ("330102", "330127", "330382", "330902", "331127"):
        EnterpriseFactory.create_batch(3, region_id=county)
    _user, enterprise = enterprise_contact("330127")
    ctx = DemoContext(scale="small")
    ctx.shared["demo_enterprise"] = enterprise
    demo.build(ctx)

    statuses = set(Problem.objects.values_list("status", flat=True))
    assert statuses == set(ProblemStatus.values)
    summary = figures.summary(region_prefix="33", year=2025)
    solved = demo.SOLVED_2025 // 20
    taken = solved + demo.UNSOLVED_2025 // 20 + demo.CARRIED_INTO_2026 // 20
    assert (summary["problems_solved"], summary["special_sessions"]) == (solved, 32)
    assert summary["participations"] == taken + 32 * 5
    coverage = figures.coverage(region_prefix="33", year=2025)
    assert (len(coverage), sum(r["served"] for r in coverage)) == (32, 32)
    assert Solution.objects.count() == Problem.objects.filter(status=ProblemStatus.ARCHIVED).count() > 0
    assert Offer.objects.filter(craftsman__user__isnull=False, status=OfferStatus.PENDING).count() == 1
    assert [a.phone for a in ctx.accounts] == ["13800000030"]
