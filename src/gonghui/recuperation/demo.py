"""Demo: bases, routes and departures; the provincial union's two 2025 programmes run through the real services
(quotas by largest remainder, a committed-seed draw, confirmed and travelled places); union trip reports as
aggregate rows; and an open programme for the demo courier to apply to.

At province scale the 2025 figures come out as the seed's: 1,642,000 workers, about ¥4.78bn spending driven, the
special programme's 20,000 places and ¥10M, ¥20M provincial money in all. The small scale is a 1/1000 version.
"""

import math
from collections import namedtuple
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core.actor import actor_for_user
from gonghui.core.demodata import DEMO_PASSWORD
from gonghui.core.pii import encrypt
from gonghui.orgs.models import NEW_EMPLOYMENT_FORM, Member, MemberStatus, Organisation, OrgLevel
from gonghui.recuperation import services
from gonghui.recuperation.lottery import commitment_of
from gonghui.recuperation.models import (
    Application,
    AppState,
    Base,
    Departure,
    PartnerRegion,
    Programme,
    Quota,
    Route,
    TargetGroup,
    TripReport,
)
from gonghui.recuperation.rules import FRONTLINE_OCCUPATIONS
from gonghui.regions.models import Region, RegionLevel

# The seed's 2025 figures (province scale); the small scale divides by 1000.
WORKERS_2025 = 1_642_000
SPEND_2025 = Decimal("4780000000")
SPECIAL_PLACES, SPECIAL_BUDGET = 20_000, Decimal("10000000")
MODEL_PLACES, MODEL_BUDGET = 5_000, Decimal("10000000")
THEMES = ["山水康养", "红色研学", "海岛风情", "古镇文化", "茶乡农趣", "非遗体验", "森林氧吧", "温泉理疗"]
PARTNER_ROUTES = [
    (PartnerRegion.JILIN, "长白山林海七日", 7, "420"),
    (PartnerRegion.SICHUAN, "阿坝川西高原七日", 7, "420"),
    (PartnerRegion.XINJIANG, "阿克苏温宿七日", 7, "420"),
]
DEPARTURE_SEATS = 200


def _aware(d: date, hour=9) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def build(ctx):
    rng = ctx.rng("recuperation")
    scale = 1 if ctx.province else 1000
    province_user = User.objects.get_by_phone("13800000010")
    actor = actor_for_user(province_user, role="staff")
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
    scenic = [c for c in counties if c.mountain or c.island]
    others = [c for c in counties if not (c.mountain or c.island)]

    # Bases: more in the mountain and island counties; partner-region bases for Jilin, Sichuan and Xinjiang.
    n_bases = ctx.pick(24, 119)
    bases = Base.objects.bulk_create(
        [
            Base(
                name=f"{county.name}职工疗休养基地{i + 1}",
                region=county,
                capacity=rng.choice((80, 120, 200, 300)),
                certified_on=date(2020 + rng.randint(0, 4), rng.randint(1, 12), 1),
                review_due=date(2027 + rng.randint(0, 1), rng.randint(1, 12), 1),
            )
            for i, county in enumerate(
                rng.choices(scenic, k=n_bases * 2 // 3) + rng.choices(others, k=n_bases // 3)
            )
        ]
        + [
            Base(
                name=f"{label}对口疗休养基地",
                partner_region=code,
                capacity=150,
                certified_on=date(2023, 6, 1),
                review_due=date(2026, 12, 1),
            )
            for code, label in PartnerRegion.choices
            if code
        ]
    )
    routes = []
    for i, base in enumerate(bases):
        if base.partner_region:
            continue
        days = rng.choice((2, 3, 3, 3, 4, 5))
        price = Decimal(rng.choice((360, 380, 400, 450, 480)))
        if i < 6:  # five-day rest routes for the model-worker programme
            days, price = 5, Decimal("450")
        routes.append(
            Route(
                base=base,
                name=f"{base.region.name}{rng.choice(THEMES)}{days}日",
                theme=rng.choice(THEMES),
                days=days,
                price_per_person_day=price,
                destination=base.region,
            )
        )
    partner_base = {b.partner_region: b for b in bases if b.partner_region}
    routes += [
        Route(
            base=partner_base[code],
            name=name,
            theme="对口协作",
            days=days,
            price_per_person_day=Decimal(price),
            partner_region=code,
        )
        for code, name, days, price in PARTNER_ROUTES
    ]
    routes = Route.objects.bulk_create(routes)

    excluded = {ctx.shared["demo_member"].pk} if ctx.shared.get("demo_member") else set()
    special_routes = [r for r in routes if not r.partner_region and r.days in (2, 3)][:12]
    model_routes = [r for r in routes if not r.partner_region and r.price_per_person >= 2000][:6] + [
        r for r in routes if r.partner_region
    ]
    taken: set[int] = set(excluded)
    apps_2025 = []
    apps_2025 += _past_programme(
        ctx,
        rng,
        actor,
        taken,
        name="2025年非公企业和新就业形态劳动者疗休养专项",
        places=SPECIAL_PLACES // scale,
        budget=SPECIAL_BUDGET / scale,
        subsidy=Decimal("500"),
        routes=special_routes,
        groups=[TargetGroup.NEW_EMPLOYMENT_FORM, TargetGroup.NON_PUBLIC],
    )
    apps_2025 += _past_programme(
        ctx,
        rng,
        actor,
        taken,
        name="2025年劳模和一线职工疗休养",
        places=MODEL_PLACES // scale,
        budget=MODEL_BUDGET / scale,
        subsidy=Decimal("2000"),
        routes=model_routes,
        groups=[TargetGroup.MODEL_WORKER, TargetGroup.FRONTLINE, TargetGroup.NEAR_RETIREMENT],
    )

    _trip_reports(ctx, rng, scenic, others, scale)
    _open_programme(ctx, rng, actor, special_routes)
    _grassroots_account(ctx)


MemberRow = namedtuple("MemberRow", "pk region_id id_number_hash occupation model_worker")


def _eligible_pool(groups, taken) -> dict[str, list[int]]:
    """Members by county who belong to one of ``groups`` (the same groups the rules use)."""
    pool: dict[str, list[int]] = {}
    rows = Member.objects.filter(status=MemberStatus.ACTIVE).values_list(
        "id", "region_id", "occupation", "enterprise__non_public", "model_worker"
    )
    for pk, region, occupation, non_public, model_worker in rows.order_by("id"):
        if pk in taken:
            continue
        in_group = (
            (TargetGroup.NEW_EMPLOYMENT_FORM in groups and occupation in NEW_EMPLOYMENT_FORM)
            or (TargetGroup.NON_PUBLIC in groups and bool(non_public))
            or (TargetGroup.FRONTLINE in groups and occupation in FRONTLINE_OCCUPATIONS)
            or (TargetGroup.MODEL_WORKER in groups and model_worker)
        )
        if in_group:
            pool.setdefault(region[:6], []).append(pk)
    return pool


def _past_programme(ctx, rng, actor, taken, *, name, places, budget, subsidy, routes, groups) -> list[int]:
    """A 2025 programme run through the services: apportioned, opened, applied to, drawn, travelled."""
    programme = services.programme_create(
        actor=actor,
        name=name,
        year=2025,
        places=places,
        budget=budget,
        subsidy_per_person=subsidy,
        routes=routes,
        applications_open_at=_aware(date(2025, 3, 1)),
        applications_close_at=_aware(date(2025, 3, 31), 18),
        target_groups=[str(g) for g in groups],
        lookback_years=1,
    )
    root = programme.quotas.get()
    for city in services.quota_apportion(actor=actor, quota=root):
        if city.places:
            services.quota_apportion(actor=actor, quota=city)
    services.programme_open(actor=actor, programme=programme)
    # A seed from the demo's generator keeps the demo reproducible (real programmes get theirs from `secrets`).
    seed = f"{rng.getrandbits(256):064x}"
    Programme.objects.filter(pk=programme.pk).update(
        seed_cipher=encrypt(seed), seed_commitment=commitment_of(seed)
    )
    leaves = {q.region_id: q for q in Quota.objects.filter(programme=programme, children__isnull=True)}
    pool = _eligible_pool(groups, taken)
    members = {
        row[0]: MemberRow(*row)
        for row in Member.objects.values_list(
            "id", "region_id", "id_number_hash", "occupation", "model_worker"
        )
    }
    submitted = _aware(date(2025, 3, 15))
    rows = []
    for county, quota in sorted(leaves.items()):
        candidates = pool.get(county, [])
        wanted = min(len(candidates), math.ceil(quota.places * 1.2) + (1 if quota.places else 0))
        for pk in rng.sample(candidates, wanted):
            member = members[pk]
            taken.add(pk)
            route = rng.choice(routes)
            group = _group_of(member, groups)
            rows.append(
                Application(
                    programme=programme,
                    member_id=pk,
                    id_number_hash=member.id_number_hash,
                    region_id=member.region_id,
                    quota=quota,
                    route_preferences=[route.pk],
                    target_group=group,
                    state=AppState.ELIGIBLE,
                    submitted_at=submitted,
                    checked_at=submitted,
                )
            )
    _insert(Application, rows)
    services.programme_close(actor=actor, programme=programme, now=_aware(date(2025, 3, 31), 18))
    services.draw_run(actor=actor, programme=programme, now=_aware(date(2025, 4, 1), 10))
    # Everyone selected confirmed and went: departures April to November, 200 seats each.
    selected = list(
        programme.applications.filter(state=AppState.SELECTED)
        .order_by("id")
        .values_list("id", "route_preferences")
    )
    by_route: dict[int, list[int]] = {}
    for pk, prefs in selected:
        by_route.setdefault(prefs[0], []).append(pk)
    route_by_id = {r.pk: r for r in routes}
    for route_id, ids in sorted(by_route.items()):
        route = route_by_id[route_id]
        for i in range(0, len(ids), DEPARTURE_SEATS):
            chunk = ids[i : i + DEPARTURE_SEATS]
            starts = date(2025, 4, 15) + timedelta(days=rng.randint(0, 200))
            departure = Departure.objects.create(route=route, starts_on=starts, capacity=DEPARTURE_SEATS)
            Application.objects.filter(pk__in=chunk).update(
                state=AppState.TRAVELLED,
                departure=departure,
                confirmed_at=_aware(date(2025, 4, 2)),
                cost=route.price_per_person,
                subsidy=min(subsidy, route.price_per_person),
                days=route.days,
                travelled_on=starts,
            )
    # The waiting list closed with the programme.
    programme.applications.filter(state=AppState.WAITING).update(closed_at=_aware(date(2025, 12, 31)))
    programme.state = "finished"
    programme.save(update_fields=["state"])
    return [pk for pk, _ in selected]


def _insert(model, objects: list) -> None:
    """Insert many unsaved rows with one executemany (Django's bulk_create spends most of a province build
    compiling SQL for small batches; values are adapted the same way the backend adapts them)."""
    from django.db import models as m

    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]

    def adapter(field):
        if isinstance(field, m.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(field, m.DateField):
            return ops.adapt_datefield_value
        if isinstance(field, m.DecimalField):
            return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
        if isinstance(field, m.JSONField):
            return lambda v: field.get_db_prep_save(v, connection)
        return lambda v: v

    adapters = [(f.attname, adapter(f), f.get_default()) for f in fields]
    for obj in objects:
        for field in fields:
            if (
                isinstance(field, m.DateTimeField)
                and field.auto_now_add
                and getattr(obj, field.attname) is None
            ):
                setattr(obj, field.attname, timezone.now())
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [tuple(adapt(getattr(obj, attname)) for attname, adapt, _ in adapters) for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def _group_of(member, groups) -> str:
    if member.occupation in NEW_EMPLOYMENT_FORM and TargetGroup.NEW_EMPLOYMENT_FORM in groups:
        return TargetGroup.NEW_EMPLOYMENT_FORM
    if member.model_worker and TargetGroup.MODEL_WORKER in groups:
        return TargetGroup.MODEL_WORKER
    if member.occupation in FRONTLINE_OCCUPATIONS and TargetGroup.FRONTLINE in groups:
        return TargetGroup.FRONTLINE
    return TargetGroup.NON_PUBLIC if TargetGroup.NON_PUBLIC in groups else TargetGroup.GENERAL


def _trip_reports(ctx, rng, scenic, others, scale):
    """Trips organised by grassroots unions, one aggregate row each, adding up to the seed's 2025 totals together
    with the programme trips already recorded."""
    from gonghui.recuperation import figures

    recorded = figures.summary(year=2025)
    participants_left = WORKERS_2025 // scale - recorded["participants"]
    spend_left = SPEND_2025 / scale - recorded["spend"]
    unions = list(Organisation.objects.filter(level=OrgLevel.GRASSROOTS).values_list("id", "region_id"))
    groups = [
        (TargetGroup.FRONTLINE, 35),
        (TargetGroup.NON_PUBLIC, 25),
        (TargetGroup.GENERAL, 20),
        (TargetGroup.NEW_EMPLOYMENT_FORM, 8),
        (TargetGroup.MODEL_WORKER, 4),
        (TargetGroup.NEAR_RETIREMENT, 8),
    ]
    month_weights = [2, 2, 8, 12, 12, 8, 6, 6, 12, 14, 10, 8]
    partners = [c for c in PartnerRegion.values if c]
    reports = []
    while participants_left > 0:
        n = min(participants_left, rng.randint(20, 140))
        participants_left -= n
        org_id, region_id = rng.choice(unions)
        roll = rng.random()
        partner = rng.choice(partners) if roll < 0.04 else ""
        destination = None if partner else (rng.choice(scenic) if roll < 0.7 else rng.choice(others))
        days = rng.randint(5, 7) if partner else rng.choice((2, 3, 3, 4, 5))
        month = rng.choices(range(1, 13), weights=month_weights)[0]
        reports.append(
            TripReport(
                organisation_id=org_id,
                region_id=region_id,
                destination=destination,
                partner_region=partner,
                target_group=rng.choices([g for g, _ in groups], weights=[w for _, w in groups])[0],
                started_on=date(2025, month, rng.randint(1, 28)),
                days=days,
                participants=n,
                spend=Decimal(n * days * rng.randint(700, 1100)),
            )
        )
    # Scale spending to the total, in whole yuan; the last row takes the rounding.
    raw_total = sum(r.spend for r in reports)
    running = Decimal("0")
    for report in reports[:-1]:
        report.spend = (report.spend * spend_left / raw_total).quantize(Decimal("1"))
        running += report.spend
    reports[-1].spend = spend_left - running
    _insert(TripReport, reports)


def _open_programme(ctx, rng, actor, routes):
    """This year's special programme, open now, with departures ahead: the demo courier can apply."""
    today = timezone.localdate()
    programme = services.programme_create(
        actor=actor,
        name=f"{today.year}年新就业形态劳动者疗休养专项（第一批）",
        year=today.year,
        places=ctx.pick(90, 2000),
        budget=Decimal(ctx.pick(45000, 1000000)),
        subsidy_per_person=Decimal("500"),
        routes=routes[:6],
        applications_open_at=_aware(today - timedelta(days=7)),
        applications_close_at=_aware(today + timedelta(days=21), 18),
        target_groups=[TargetGroup.NEW_EMPLOYMENT_FORM, TargetGroup.NON_PUBLIC],
        lookback_years=1,
    )
    root = programme.quotas.get()
    for city in services.quota_apportion(actor=actor, quota=root):
        if city.places:
            services.quota_apportion(actor=actor, quota=city)
    services.programme_open(actor=actor, programme=programme)
    for route in routes[:6]:
        for weeks in (6, 8, 10):
            Departure.objects.create(route=route, starts_on=today + timedelta(weeks=weeks), capacity=40)
    ctx.shared["recuperation_open_programme"] = programme


def _grassroots_account(ctx):
    """A grassroots union's staff member who reports trips and applies for groups."""
    enterprise = ctx.shared.get("demo_enterprise")
    union = (
        Organisation.objects.filter(level=OrgLevel.GRASSROOTS, enterprise=enterprise).first()
        if enterprise
        else None
    )
    if union is None:
        return
    user = User.objects.create_user("13800000080", DEMO_PASSWORD, name="基层工会疗休养专干")
    RoleAssignment.objects.create(user=user, role=Role.STAFF, organisation=union)
    ctx.account(Role.STAFF, "13800000080", user.name, union.name)
