"""Builders for recuperation tests: a small programme world with fixed places, prices and budgets."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from gonghui.accounts.models import Role, RoleAssignment
from gonghui.core.actor import Actor, actor_for_user
from gonghui.orgs.models import Member, Occupation, OrgLevel
from gonghui.recuperation import services
from gonghui.recuperation.models import Base, Departure, Route
from tests.factories import MemberFactory, OrganisationFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")
OPEN_AT = datetime(2026, 3, 1, 9, 0, tzinfo=TZ)
CLOSE_AT = datetime(2026, 3, 31, 18, 0, tzinfo=TZ)
DURING = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
AFTER = datetime(2026, 4, 1, 9, 0, tzinfo=TZ)
CHUN_AN = "330127"  # a mountain county
XIHU = "330106"


def actor(user, role=None) -> Actor:
    return actor_for_user(user, role=role, client_ip="127.0.0.1")


def staff(region_code: str, level=OrgLevel.COUNTY, name="工作人员"):
    org = OrganisationFactory(region_id=region_code, level=level)
    user = UserFactory(name=name)
    RoleAssignment.objects.create(user=user, role=Role.STAFF, organisation=org)
    return user, org


def member_user(region_code=XIHU, occupation=Occupation.COURIER, union=None, **kwargs) -> tuple:
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.MEMBER)
    member = MemberFactory(
        user=user,
        region_id=region_code,
        occupation=occupation,
        **({"union": union} if union else {}),
        **kwargs,
    )
    return user, member


@dataclass
class World:
    province: object
    province_org: object
    route: Route
    partner_route: Route
    departures: list[Departure]
    programme: object
    members: list = field(default_factory=list)  # (user, member)

    @property
    def province_actor(self):
        return actor(self.province, "staff")


def build_world(
    *,
    places=3,
    budget=Decimal("1500"),
    subsidy=Decimal("500"),
    members=0,
    capacity=10,
    target_groups=("new_employment_form",),
    lookback_years=1,
    open_programme=True,
) -> World:
    province, province_org = staff("330000", OrgLevel.PROVINCE, name="省总工作人员")
    pa = actor(province, "staff")
    base = Base.objects.create(
        name="千岛湖职工疗休养基地",
        region_id=CHUN_AN,
        capacity=200,
        certified_on=date(2024, 1, 1),
        review_due=date(2027, 1, 1),
    )
    route = services.route_create(
        actor=pa,
        name="千岛湖山水三日",
        days=3,
        price_per_person_day=Decimal("400"),
        theme="山水康养",
        base=base,
        destination_code=CHUN_AN,
    )
    partner_route = services.route_create(
        actor=pa,
        name="新疆阿克苏七日",
        days=7,
        price_per_person_day=Decimal("420"),
        partner_region="xinjiang",
    )
    departures = [
        services.departure_create(actor=pa, route=route, starts_on=date(2026, 5, 10), capacity=capacity),
        services.departure_create(actor=pa, route=route, starts_on=date(2026, 6, 10), capacity=capacity),
    ]
    programme = services.programme_create(
        actor=pa,
        name="2026年新就业形态劳动者疗休养专项",
        year=2026,
        places=places,
        budget=budget,
        subsidy_per_person=subsidy,
        routes=[route, partner_route],
        applications_open_at=OPEN_AT,
        applications_close_at=CLOSE_AT,
        target_groups=list(target_groups),
        lookback_years=lookback_years,
    )
    if open_programme:
        programme = services.programme_open(actor=pa, programme=programme)
    world = World(province, province_org, route, partner_route, departures, programme)
    for _ in range(members):
        world.members.append(member_user())
    return world


def apply_all(world: World, now=DURING) -> list:
    return [
        services.application_submit(
            actor=actor(user, "member"), programme=world.programme, route_ids=[world.route.pk], now=now
        )
        for user, _member in world.members
    ]


def close_and_draw(world: World, now=AFTER):
    services.programme_close(actor=world.province_actor, programme=world.programme, now=now)
    return services.draw_run(actor=world.province_actor, programme=world.programme, now=now)


def make_current(world: World) -> World:
    """Put the window around the real clock and the departures ahead of it (for pages, jobs and threads, which
    use the real time)."""
    from django.utils import timezone

    now = timezone.now()
    world.programme.applications_open_at = now - timedelta(days=1)
    world.programme.applications_close_at = now + timedelta(days=1)
    world.programme.save()
    for departure in world.departures:
        departure.starts_on = timezone.localdate() + timedelta(days=30)
        departure.save()
    return world


def refresh(obj):
    obj.refresh_from_db()
    return obj


def later(dt: datetime, **kwargs) -> datetime:
    return dt + timedelta(**kwargs)


__all__ = ["Member", "World", "build_world"]
