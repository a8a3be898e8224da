"""The coverage view: mountain and island counties served this year, drawn on the province map."""

import pytest
from django.utils import timezone

from gonghui.craftsmen.models import SpecialSession
from tests.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_coverage_map_shows_served_counties(page, live_server, login_as):
    SpecialSession.objects.create(
        region_id="330127", title="淳安专场", date=timezone.localdate(), workers_trained=90
    )
    SpecialSession.objects.create(
        region_id="330922", title="嵊泗专场", date=timezone.localdate(), workers_trained=60
    )
    login_as(page, staff_user("330000", level="province"), "staff")
    page.goto(live_server.url + "/craftsmen/sessions/")
    page.wait_for_selector("#coverage-map[data-served]")
    assert page.locator("#coverage-map").get_attribute("data-served") == "2"
    assert page.locator("[data-test=coverage] tbody tr").count() == 32
    assert "2 / 32" in page.locator("main h2").first.inner_text()
