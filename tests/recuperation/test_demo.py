"""The small demo: the seed's 2025 figures at 1/1000, from generated records, through the same figure functions."""

from decimal import Decimal

import pytest

from gonghui.core.actor import actor_for_user
from gonghui.core.demodata import DemoContext
from gonghui.recuperation import figures, services
from gonghui.recuperation.models import Draw, Programme
from gonghui.recuperation.selectors import draw_verification

pytestmark = pytest.mark.django_db


def test_small_demo_figures_and_an_open_programme_for_the_courier():
    from gonghui.accounts import demo as accounts_demo
    from gonghui.orgs import demo as orgs_demo
    from gonghui.recuperation import demo as recuperation_demo

    ctx = DemoContext(scale="small")
    for build in (orgs_demo.build, accounts_demo.build, recuperation_demo.build):
        build(ctx)

    summary = figures.summary(year=2025)
    assert (summary["participants"], summary["spend"]) == (1642, Decimal("4780000"))
    funding = figures.provincial_funding(year=2025)
    assert (funding["budget"], funding["spent"], funding["travelled"]) == (
        Decimal("20000"),
        Decimal("20000"),
        25,
    )
    special = Programme.objects.get(name="2025年非公企业和新就业形态劳动者疗休养专项")
    assert (special.places, special.budget) == (20, Decimal("10000"))
    assert all(draw_verification(draw).matches for draw in Draw.objects.all())

    courier = ctx.shared["demo_member"]
    programme = ctx.shared["recuperation_open_programme"]
    application = services.application_submit(
        actor=actor_for_user(courier.user, role="member"),
        programme=programme,
        route_ids=[programme.routes.order_by("id").first().pk],
    )
    assert (application.state, application.target_group) == ("submitted", "new_employment_form")
