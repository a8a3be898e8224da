"""The programme page costs the same number of queries whatever the number of quota units and applications."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from gonghui.recuperation import services
from gonghui.recuperation.models import Quota
from tests.recuperation.factories import apply_all, build_world

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_programme_page_queries_do_not_grow_with_rows(client):
    world = build_world(places=20, members=3)
    client.force_login(world.province)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = world.province.role_assignments.get(role="staff").pk
    session.save()
    url = f"/recuperation/programmes/{world.programme.pk}/"
    before = _queries(client, url)
    province_quota = Quota.objects.get(programme=world.programme, parent__isnull=True)
    services.quota_apportion(actor=world.province_actor, quota=province_quota)
    apply_all(world)
    assert Quota.objects.filter(programme=world.programme).count() > 5
    assert _queries(client, url) == before


def _add_catalogue_rows(world, chun_an_actor, n):
    from datetime import date, timedelta
    from decimal import Decimal

    base = services.base_create(
        actor=chun_an_actor,
        name=f"基地{n}",
        region_code="330127",
        capacity=50,
        certified_on=date(2025, 1, 1),
        review_due=date(2028, 1, 1),
    )
    route = services.route_create(
        actor=chun_an_actor,
        name=f"线路{n}",
        days=2,
        price_per_person_day=Decimal("300"),
        base=base,
        destination_code="330127",
    )
    for offset in range(3):
        services.departure_create(
            actor=chun_an_actor,
            route=world.route,
            starts_on=date(2026, 7, 1) + timedelta(days=offset),
            capacity=5,
        )
        services.departure_create(
            actor=chun_an_actor, route=route, starts_on=date(2026, 8, 1) + timedelta(days=offset), capacity=5
        )


def test_catalogue_pages_queries_do_not_grow_with_rows(client):
    """Bases, routes and a route's departures (with seats taken) each cost the same queries for 1 row or many."""
    from tests.recuperation.factories import actor, staff

    world = build_world(places=2, members=2)
    chun_an, _org = staff("330127")
    client.force_login(chun_an)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = chun_an.role_assignments.get(role="staff").pk
    session.save()
    urls = [
        "/recuperation/catalogue/bases/",
        "/recuperation/catalogue/routes/",
        f"/recuperation/catalogue/routes/{world.route.pk}/",
    ]
    before = [_queries(client, url) for url in urls]
    chun_an_actor = actor(chun_an, "staff")
    for n in range(4):
        _add_catalogue_rows(world, chun_an_actor, n)
    page = client.get(urls[2]).content.decode()
    assert page.count('data-region-code="330127" data-departure=') == 2 + 12
    assert [_queries(client, url) for url in urls] == before
