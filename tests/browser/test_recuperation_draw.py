"""A courier applies on a phone, staff run the draw, the courier is selected and confirms on the phone, and the
public verification page reports that the draw matches."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.recuperation.models import Application, AppState
from tests.recuperation.factories import build_world, member_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_courier_applies_is_drawn_confirms_on_phone_and_verifies(page, phone_page, live_server, login_as):
    world = build_world(places=1, members=0)
    now = timezone.now()
    world.programme.applications_open_at = now - timedelta(days=1)
    world.programme.applications_close_at = now + timedelta(days=1)
    world.programme.save()
    for departure in world.departures:
        departure.starts_on = timezone.localdate() + timedelta(days=30)
        departure.save()
    courier, _ = member_user()

    # The courier applies on a phone.
    login_as(phone_page, courier, "member")
    phone_page.goto(f"{live_server.url}/recuperation/")
    phone_page.click("[data-test=open-programme]")
    phone_page.check(f"input[name=routes][value='{world.route.pk}']")
    phone_page.click("[data-test=apply]")
    assert phone_page.locator("[data-test=my-state]").inner_text() == "已申报"

    # Staff close applications and run the draw.
    login_as(page, world.province, "staff")
    page.goto(f"{live_server.url}/recuperation/programmes/{world.programme.pk}/manage/")
    page.click("[data-test=close]")
    page.click("[data-test=draw]")
    page.wait_for_selector("text=抽签完成")

    # Selected: the courier confirms a departure on the phone.
    phone_page.goto(f"{live_server.url}/recuperation/my/")
    card = phone_page.locator("[data-test=application]")
    assert card.get_attribute("data-state") == "selected"
    phone_page.select_option("[data-test=departure]", str(world.departures[0].pk))
    phone_page.click("[data-test=confirm]")
    phone_page.wait_for_selector("[data-test=application][data-state=confirmed]")
    application = Application.objects.get(member__user=courier)
    assert (application.state, application.departure_id) == (AppState.CONFIRMED, world.departures[0].pk)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    # Anyone can check the draw.
    phone_page.click("text=验证抽签")
    result = phone_page.locator("[data-test=verify-result]")
    assert result.get_attribute("data-matches") == "1"
    assert "验证通过" in result.inner_text()


def test_figures_page_draws_destinations_on_the_county_map(page, live_server):
    from datetime import date
    from decimal import Decimal

    from gonghui.recuperation import services
    from gonghui.regions.models import Region
    from tests.recuperation.factories import actor, staff

    town = Region.objects.filter(level="town", parent_id="330106").order_by("code").first()
    user, _ = staff(town.code, "grassroots")
    for county, participants in (("330127", 40), ("330902", 25)):
        services.trip_report_create(
            actor=actor(user, "staff"),
            started_on=date(2025, 5, 1),
            days=3,
            participants=participants,
            spend=Decimal("30000"),
            destination_code=county,
        )
    page.goto(f"{live_server.url}/recuperation/figures/?year=2025")
    page.wait_for_selector("#destination-map[data-drawn]")
    assert page.locator("#destination-map").get_attribute("data-drawn") == "2"
    assert page.locator("[data-test=participants]").inner_text() == "65"
