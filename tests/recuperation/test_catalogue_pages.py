"""Staff catalogue pages: bases, routes and departures listed, created and edited within the staff member's region;
bad input is shown beside its field and saves nothing (and is audited as refused)."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from gonghui.accounts.models import Role
from gonghui.core.audit import AuditEvent
from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from gonghui.recuperation import services
from gonghui.recuperation.models import Base, Departure, Route
from tests.factories import role_user

from .factories import AFTER, CHUN_AN, actor, apply_all, build_world, close_and_draw, staff

pytestmark = pytest.mark.django_db

HAISHU = "330203"  # Ningbo: outside Hangzhou


def client_for(user, role="staff", language=None):
    client = Client(**({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    client.force_login(user)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = user.role_assignments.get(role=role).pk
    session.save()
    return client


def _refusals(action: str) -> int:
    return AuditEvent.objects.filter(action=action, result="refused").count()


def _base(region=CHUN_AN, name="千岛湖职工疗休养基地") -> Base:
    return Base.objects.create(
        name=name, region_id=region, capacity=200, certified_on=date(2024, 1, 1), review_due=date(2027, 1, 1)
    )


BASE_FORM = {
    "name": "淳安康养基地",
    "region_code": CHUN_AN,
    "capacity": "120",
    "certified_on": "2025-03-01",
    "review_due": "2028-03-01",
}
ROUTE_FORM = {
    "name": "千岛湖慢行四日",
    "theme": "湖区康养",
    "days": "4",
    "price_per_person_day": "450",
    "destination_code": CHUN_AN,
}


def test_county_staff_create_a_base_a_route_and_a_departure_on_the_pages():
    chun_an, _org = staff(CHUN_AN)
    client = client_for(chun_an)
    response = client.post("/recuperation/catalogue/bases/", BASE_FORM, follow=True)
    base = Base.objects.get()
    assert (base.name, base.region_id, base.capacity, base.review_due) == (
        "淳安康养基地",
        CHUN_AN,
        120,
        date(2028, 3, 1),
    )
    page = response.content.decode()
    assert "基地已添加" in page and f'data-region-code="{CHUN_AN}" data-base="{base.pk}"' in page

    client.post("/recuperation/catalogue/routes/", ROUTE_FORM | {"base": str(base.pk)})
    route = Route.objects.get()
    assert (route.days, route.price_per_person_day, route.destination_id, route.base_id) == (
        4,
        Decimal("450"),
        CHUN_AN,
        base.pk,
    )
    client.post(
        f"/recuperation/catalogue/routes/{route.pk}/departures/",
        {"starts_on": "2026-05-10", "ends_on": "2026-05-13", "capacity": "30"},
    )
    departure = Departure.objects.get()
    assert (departure.route_id, departure.starts_on, departure.capacity) == (route.pk, date(2026, 5, 10), 30)
    page = client.get(f"/recuperation/catalogue/routes/{route.pk}/").content.decode()
    assert f'data-departure="{departure.pk}" data-taken="0"' in page
    assert "2026-05-10 – 2026-05-13" in page


BAD_BASES = [
    ({"capacity": "0"}, "capacity", "接待能力须大于 0"),
    ({"capacity": "-5"}, "capacity", "接待能力须大于 0"),
    ({"review_due": "2025-02-01"}, "review_due", "复评日期须晚于认定日期"),
    ({"region_code": HAISHU}, "region_code", "不在您所在工会的管辖范围内"),
    ({"region_code": ""}, "region_code", "请选择基地所在的县（市、区）"),
]


@pytest.mark.parametrize("change, field, message", BAD_BASES)
def test_a_refused_base_shows_the_message_at_its_field_and_saves_nothing(change, field, message):
    chun_an, _org = staff(CHUN_AN)
    refused = _refusals("recuperation.base.create")
    response = client_for(chun_an).post("/recuperation/catalogue/bases/", BASE_FORM | change)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<ul class="errorlist" data-field-error="{field}"><li>{message}</li></ul>' in page
    assert Base.objects.count() == 0
    assert _refusals("recuperation.base.create") == refused + 1


BAD_ROUTES = [
    ({"price_per_person_day": "600.01"}, "price_per_person_day", "人均每天费用不得超过 600 元"),
    ({"price_per_person_day": "0"}, "price_per_person_day", "人均每天费用须大于 0"),
    ({"days": "0"}, "days", "天数至少为 1 天"),
    ({"destination_code": HAISHU}, "destination_code", "不在您所在工会的管辖范围内"),
]


@pytest.mark.parametrize("change, field, message", BAD_ROUTES)
def test_a_refused_route_shows_the_message_at_its_field_and_saves_nothing(change, field, message):
    chun_an, _org = staff(CHUN_AN)
    response = client_for(chun_an).post("/recuperation/catalogue/routes/", ROUTE_FORM | change)
    page = response.content.decode()
    assert f'<ul class="errorlist" data-field-error="{field}"><li>{message}</li></ul>' in page
    assert Route.objects.count() == 0
    assert _refusals("recuperation.route.create") == 1


def test_a_route_at_the_daily_cap_is_accepted():
    chun_an, _org = staff(CHUN_AN)
    client_for(chun_an).post("/recuperation/catalogue/routes/", ROUTE_FORM | {"price_per_person_day": "600"})
    assert Route.objects.get().price_per_person_day == Decimal("600")


def test_a_base_of_another_region_cannot_be_put_on_a_route():
    chun_an, _org = staff(CHUN_AN)
    ningbo_base = _base(HAISHU, "宁波基地")
    page = client_for(chun_an).post(
        "/recuperation/catalogue/routes/", ROUTE_FORM | {"base": str(ningbo_base.pk)}
    )
    assert 'data-field-error="base"><li>不在您所在工会的管辖范围内</li>' in page.content.decode()
    assert Route.objects.count() == 0


BAD_DEPARTURES = [
    ({"ends_on": "2026-05-09"}, "ends_on", "返回日期不能早于出发日期"),
    ({"ends_on": "2026-05-14"}, "ends_on", "行程须为线路的 3 天"),
    ({"capacity": "0"}, "capacity", "名额至少为 1"),
]


@pytest.mark.parametrize("change, field, message", BAD_DEPARTURES)
def test_a_refused_departure_shows_the_message_at_its_field_and_saves_nothing(change, field, message):
    world = build_world()
    chun_an, _org = staff(CHUN_AN)
    before = Departure.objects.count()
    form = {"starts_on": "2026-05-10", "ends_on": "2026-05-12", "capacity": "20"} | change
    response = client_for(chun_an).post(f"/recuperation/catalogue/routes/{world.route.pk}/departures/", form)
    assert response.status_code == 200
    assert f'data-field-error="{field}"><li>{message}</li>' in response.content.decode()
    assert Departure.objects.count() == before


def test_seats_taken_come_from_the_rows_and_capacity_cannot_drop_below_them():
    world = build_world(places=2, members=2, capacity=10)
    apply_all(world)
    close_and_draw(world)
    for (user, _member), application in zip(
        world.members, world.programme.applications.order_by("id"), strict=True
    ):
        services.application_confirm(
            actor=actor(user, "member"), application=application, departure=world.departures[0], now=AFTER
        )
    chun_an, _org = staff(CHUN_AN)
    client = client_for(chun_an)
    page = client.get(f"/recuperation/catalogue/routes/{world.route.pk}/").content.decode()
    assert f'data-departure="{world.departures[0].pk}" data-taken="2"' in page
    assert f'data-departure="{world.departures[1].pk}" data-taken="0"' in page
    url = f"/recuperation/catalogue/departures/{world.departures[0].pk}/"
    response = client.post(url, {"starts_on": "2026-05-10", "ends_on": "2026-05-12", "capacity": "1"})
    assert 'data-field-error="capacity"><li>名额不能少于已占用的 2 个座位</li>' in response.content.decode()
    assert Departure.objects.get(pk=world.departures[0].pk).capacity == 10
    client.post(url, {"starts_on": "2026-05-10", "ends_on": "2026-05-12", "capacity": "2"})
    assert Departure.objects.get(pk=world.departures[0].pk).capacity == 2


def test_staff_edit_their_base_and_route():
    chun_an, _org = staff(CHUN_AN)
    base = _base()
    client = client_for(chun_an)
    client.post(f"/recuperation/catalogue/bases/{base.pk}/", BASE_FORM | {"capacity": "80", "active": "on"})
    base.refresh_from_db()
    assert (base.name, base.capacity, base.certified_on, base.active) == (
        "淳安康养基地",
        80,
        date(2025, 3, 1),
        True,
    )
    route = services.route_create(
        actor=actor(chun_an, "staff"),
        name="旧线路",
        days=3,
        price_per_person_day=Decimal("300"),
        destination_code=CHUN_AN,
    )
    client.post(f"/recuperation/catalogue/routes/{route.pk}/", ROUTE_FORM | {"price_per_person_day": "700"})
    route.refresh_from_db()
    assert (route.name, route.price_per_person_day) == ("旧线路", Decimal("300"))
    client.post(f"/recuperation/catalogue/routes/{route.pk}/", ROUTE_FORM | {"active": "on"})
    route.refresh_from_db()
    assert (route.name, route.days, route.price_per_person_day, route.active) == (
        "千岛湖慢行四日",
        4,
        Decimal("450"),
        True,
    )


def test_staff_outside_the_region_see_no_rows_and_cannot_open_or_edit_them():
    world = build_world()
    base = _base()
    haishu, _org = staff(HAISHU)
    client = client_for(haishu)
    for url in ("/recuperation/catalogue/bases/", "/recuperation/catalogue/routes/"):
        page = client.get(url).content.decode()
        assert client.get(url).status_code == 200
        assert "data-region-code=" not in page
    for url in (
        f"/recuperation/catalogue/bases/{base.pk}/",
        f"/recuperation/catalogue/routes/{world.route.pk}/",
        f"/recuperation/catalogue/routes/{world.partner_route.pk}/",
        f"/recuperation/catalogue/departures/{world.departures[0].pk}/",
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            f"/recuperation/catalogue/bases/{base.pk}/", BASE_FORM | {"region_code": HAISHU}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/recuperation/catalogue/routes/{world.route.pk}/departures/",
            {"starts_on": "2026-05-10", "ends_on": "2026-05-12", "capacity": "5"},
        ).status_code
        == 404
    )
    base.refresh_from_db()
    assert (base.region_id, base.name) == (CHUN_AN, "千岛湖职工疗休养基地")
    assert Departure.objects.count() == 2


def test_county_staff_list_their_own_rows_and_province_staff_the_partner_routes_too():
    world = build_world()
    _base(HAISHU, "宁波基地")
    chun_an, _org = staff(CHUN_AN)
    page = client_for(chun_an).get("/recuperation/catalogue/routes/").content.decode()
    assert page.count("data-region-code=") == 1 and f'data-route="{world.route.pk}"' in page
    assert "或对口地区" not in page  # partner regions are the province's
    bases = client_for(chun_an).get("/recuperation/catalogue/bases/").content.decode()
    assert bases.count("data-region-code=") == 1 and "宁波基地" not in bases
    province = client_for(world.province).get("/recuperation/catalogue/routes/").content.decode()
    assert f'data-region-code="330000" data-route="{world.partner_route.pk}"' in province
    assert f'data-region-code="{CHUN_AN}" data-route="{world.route.pk}"' in province


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CRAFTSMAN, Role.STATION_MANAGER])
def test_other_roles_cannot_open_or_post_the_catalogue_pages(role):
    world = build_world()
    base = _base()
    client = client_for(role_user(role), role)
    for url in (
        "/recuperation/catalogue/bases/",
        "/recuperation/catalogue/routes/",
        f"/recuperation/catalogue/bases/{base.pk}/",
        f"/recuperation/catalogue/routes/{world.route.pk}/",
        f"/recuperation/catalogue/departures/{world.departures[0].pk}/",
    ):
        assert client.get(url).status_code == 403
    assert client.post("/recuperation/catalogue/bases/", BASE_FORM).status_code == 403
    assert client.post("/recuperation/catalogue/routes/", ROUTE_FORM).status_code == 403
    assert (Base.objects.count(), Route.objects.count()) == (2, 2)  # build_world's and _base()'s


def test_anonymous_visitors_are_not_shown_the_pages():
    response = Client().get("/recuperation/catalogue/bases/")
    assert response.status_code in (302, 403)
    assert Base.objects.count() == 0


@pytest.fixture
def restore_language():
    # The locale middleware leaves the last request's language active in this thread; later tests expect Chinese.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_refusals_are_shown_in_english_to_english_readers(restore_language):
    chun_an, _org = staff(CHUN_AN)
    client = client_for(chun_an, language="en")
    page = client.post("/recuperation/catalogue/bases/", BASE_FORM | {"capacity": "0"}).content.decode()
    assert 'data-field-error="capacity"><li>Capacity must be greater than 0</li>' in page
    page = client.post(
        "/recuperation/catalogue/routes/", ROUTE_FORM | {"price_per_person_day": "650"}
    ).content.decode()
    assert (
        'data-field-error="price_per_person_day"><li>The price per person per day may not exceed ¥600</li>'
        in page
    )
    assert (Base.objects.count(), Route.objects.count()) == (0, 0)


def test_province_staff_add_a_partner_region_route_and_county_staff_cannot():
    world = build_world()
    client_for(world.province).post(
        "/recuperation/catalogue/routes/",
        ROUTE_FORM | {"destination_code": "", "partner_region": "jilin", "days": "6"},
    )
    route = Route.objects.get(partner_region="jilin")
    assert (route.destination_id, route.days) == (None, 6)
    chun_an, _org = staff(CHUN_AN)
    response = client_for(chun_an).post(
        "/recuperation/catalogue/routes/", ROUTE_FORM | {"destination_code": "", "partner_region": "sichuan"}
    )
    # County staff have no partner-region field: the route needs a county of their own.
    assert (
        'data-field-error="destination_code"><li>请选择线路的主要目的地县（市、区）</li>'
        in response.content.decode()
    )
    assert not Route.objects.filter(partner_region="sichuan").exists()


def test_the_api_names_the_field_of_a_refused_route():
    chun_an, _org = staff(CHUN_AN)
    response = client_for(chun_an).post(
        "/api/v1/recuperation/routes",
        {"name": "超标线路", "days": 3, "price_per_person_day": "800", "destination_code": CHUN_AN},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "人均每天费用不得超过 600 元",
        "errors": {"price_per_person_day": ["人均每天费用不得超过 600 元"]},
    }
    assert Route.objects.count() == 0
