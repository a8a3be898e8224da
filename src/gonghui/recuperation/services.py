"""Every write of the recuperation programme: one function, one transaction, one audit event each."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.actor import Actor
from gonghui.core.audit import audited
from gonghui.core.errors import ConflictError, ServiceError
from gonghui.core.pii import decrypt, encrypt
from gonghui.orgs.models import Member, MemberStatus, Organisation, OrgLevel
from gonghui.recuperation import lottery
from gonghui.recuperation.apportion import largest_remainder
from gonghui.recuperation.models import (
    CANCELLABLE,
    DAILY_CAP,
    HOLDS_PLACE,
    HOLDS_SEAT,
    Application,
    AppState,
    Base,
    Departure,
    Draw,
    PartnerRegion,
    Programme,
    ProgrammeState,
    Quota,
    QuotaMethod,
    Route,
    TargetGroup,
    TripReport,
)
from gonghui.recuperation.rules import eligibility_problems, route_problems, yearly_spend
from gonghui.regions.models import Region, RegionLevel, scope_prefix

CENT = Decimal("0.01")


# --- permissions -------------------------------------------------------------------------------------------------


def _require_staff(actor: Actor, region_code: str | None = None) -> None:
    if not actor.is_staff:
        raise PermissionDenied(_("只有工会工作人员可以执行此操作"))
    if region_code is not None and not actor.covers(region_code):
        raise PermissionDenied(_("不在您所在工会的管辖范围内"))


def _require_province_staff(actor: Actor) -> None:
    if not (actor.is_staff and actor.region_prefix == "33"):
        raise PermissionDenied(_("只有省总工会工作人员可以执行此操作"))


def _member_of(actor: Actor) -> Member:
    if actor.role != "member" or not actor.user_id:
        raise PermissionDenied(_("只有职工会员可以执行此操作"))
    member = Member.objects.filter(user_id=actor.user_id).select_related("enterprise", "region").first()
    if member is None:
        raise ServiceError(_("未找到您的会员档案"))
    return member


def _own_application(actor: Actor, application: Application) -> None:
    if actor.role != "member" or application.member.user_id != actor.user_id:
        raise PermissionDenied(_("只能操作本人的申请"))


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- bases, routes, departures -------------------------------------------------------------------------------------
# Refusals name the field they are about ({"field": [message]}) so that pages can show them beside the input.


def _require_catalogue_scope(actor: Actor, region_code: str | None) -> None:
    """A county's union manages its own bases, routes and departures; partner regions belong to the province."""
    if region_code:
        _require_staff(actor, region_code)
    else:
        _require_province_staff(actor)


def _checked_place(actor: Actor, region_code: str | None, partner_region: str, *, region_field: str):
    """(region_code, partner_region) after checking the county or partner region and the actor's reach."""
    if partner_region:
        if partner_region not in PartnerRegion.values:
            raise ServiceError({"partner_region": [_("对口地区无效")]})
        _require_province_staff(actor)
        return None, partner_region
    if not region_code or not Region.objects.filter(code=region_code, level=RegionLevel.COUNTY).exists():
        message = (
            _("请选择基地所在的县（市、区）")
            if region_field == "region_code"
            else _("请选择线路的主要目的地县（市、区）")
        )
        raise ServiceError({region_field: [message]})
    if not actor.covers(region_code):
        _require_staff(actor)
        raise ServiceError({region_field: [_("不在您所在工会的管辖范围内")]})
    return region_code, ""


def _check_base_fields(name: str, capacity: int, certified_on: date, review_due: date) -> None:
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("请填写名称")]
    if capacity < 1:
        errors["capacity"] = [_("接待能力须大于 0")]
    if review_due <= certified_on:
        errors["review_due"] = [_("复评日期须晚于认定日期")]
    if errors:
        raise ServiceError(errors)


def base_create(
    *,
    actor: Actor,
    name: str,
    region_code: str | None,
    partner_region: str = "",
    capacity: int,
    certified_on: date,
    review_due: date,
) -> Base:
    with audited(actor, "recuperation.base.create") as audit:
        region_code, partner_region = _checked_place(
            actor, region_code, partner_region, region_field="region_code"
        )
        _check_base_fields(name, capacity, certified_on, review_due)
        base = Base.objects.create(
            name=name.strip(),
            region_id=region_code,
            partner_region=partner_region,
            capacity=capacity,
            certified_on=certified_on,
            review_due=review_due,
        )
        audit.target = base
        audit.changes = {"name": base.name, "region": region_code, "partner_region": partner_region}
    return base


def base_update(
    *,
    actor: Actor,
    base: Base,
    name: str,
    region_code: str | None,
    partner_region: str = "",
    capacity: int,
    certified_on: date,
    review_due: date,
    active: bool = True,
) -> Base:
    """Edit a base: the actor must reach both where it is now and where it moves to."""
    with audited(actor, "recuperation.base.update", target=base) as audit:
        base = Base.objects.select_for_update().get(pk=base.pk)
        _require_catalogue_scope(actor, base.region_id)
        region_code, partner_region = _checked_place(
            actor, region_code, partner_region, region_field="region_code"
        )
        _check_base_fields(name, capacity, certified_on, review_due)
        before = {"region": base.region_id, "capacity": base.capacity, "review_due": str(base.review_due)}
        base.name, base.region_id, base.partner_region = name.strip(), region_code, partner_region
        base.capacity, base.certified_on, base.review_due = capacity, certified_on, review_due
        base.active = active
        base.save()
        audit.changes = {
            "before": before,
            "after": {"region": region_code, "capacity": capacity, "review_due": str(review_due)},
        }
    return base


def _check_route_fields(
    actor: Actor, name: str, days: int, price_per_person_day, base: Base | None
) -> Decimal:
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("请填写名称")]
    if days < 1:
        errors["days"] = [_("天数至少为 1 天")]
    price = Decimal(price_per_person_day)
    if price <= 0:
        errors["price_per_person_day"] = [_("人均每天费用须大于 0")]
    elif price > DAILY_CAP:
        errors["price_per_person_day"] = [_("人均每天费用不得超过 %(cap)s 元") % {"cap": f"{DAILY_CAP:,.0f}"}]
    if base is not None and not (
        actor.covers(base.region_id) or (not base.region_id and actor.region_prefix == "33")
    ):
        errors["base"] = [_("不在您所在工会的管辖范围内")]
    if errors:
        raise ServiceError(errors)
    return price


def route_create(
    *,
    actor: Actor,
    name: str,
    days: int,
    price_per_person_day: Decimal,
    theme: str = "",
    base: Base | None = None,
    destination_code: str | None = None,
    via_codes=(),
    partner_region: str = "",
) -> Route:
    with audited(actor, "recuperation.route.create") as audit:
        destination_code, partner_region = _checked_place(
            actor, destination_code, partner_region, region_field="destination_code"
        )
        price = _check_route_fields(actor, name, days, price_per_person_day, base)
        route = Route.objects.create(
            name=name.strip(),
            days=days,
            price_per_person_day=price,
            theme=theme,
            base=base,
            destination_id=destination_code,
            partner_region=partner_region,
        )
        if via_codes:
            route.via_counties.set(Region.objects.filter(code__in=via_codes, level=RegionLevel.COUNTY))
        audit.target = route
        audit.changes = {
            "days": days,
            "price_per_person_day": str(price_per_person_day),
            "destination": destination_code,
            "partner_region": partner_region,
        }
    return route


def route_update(
    *,
    actor: Actor,
    route: Route,
    name: str,
    days: int,
    price_per_person_day: Decimal,
    theme: str = "",
    base: Base | None = None,
    destination_code: str | None = None,
    partner_region: str = "",
    active: bool = True,
) -> Route:
    """Edit a route. Applications already made keep the cost and days recorded on them."""
    with audited(actor, "recuperation.route.update", target=route) as audit:
        route = Route.objects.select_for_update().get(pk=route.pk)
        _require_catalogue_scope(actor, route.destination_id)
        destination_code, partner_region = _checked_place(
            actor, destination_code, partner_region, region_field="destination_code"
        )
        price = _check_route_fields(actor, name, days, price_per_person_day, base)
        before = {"days": route.days, "price_per_person_day": str(route.price_per_person_day)}
        route.name, route.theme, route.days, route.price_per_person_day = name.strip(), theme, days, price
        route.base, route.destination_id, route.partner_region = base, destination_code, partner_region
        route.active = active
        route.save()
        audit.changes = {
            "before": before,
            "after": {"days": days, "price_per_person_day": str(price), "destination": destination_code},
        }
    return route


def departure_create(*, actor: Actor, route: Route, starts_on: date, capacity: int) -> Departure:
    with audited(actor, "recuperation.departure.create", target=route) as audit:
        # The union of the destination (or the province, for partner regions) schedules a route's departures.
        _require_catalogue_scope(actor, route.destination_id)
        if capacity < 1:
            raise ServiceError({"capacity": [_("名额至少为 1")]})
        departure = Departure.objects.create(route=route, starts_on=starts_on, capacity=capacity)
        audit.target = departure
        audit.changes = {"starts_on": starts_on.isoformat(), "capacity": capacity}
    return departure


def departure_update(*, actor: Actor, departure: Departure, starts_on: date, capacity: int) -> Departure:
    """Move or resize a departure; never below the seats already taken (counted from the rows)."""
    with audited(actor, "recuperation.departure.update", target=departure) as audit:
        departure = Departure.objects.select_for_update().select_related("route").get(pk=departure.pk)
        _require_catalogue_scope(actor, departure.route.destination_id)
        taken = departure.applications.filter(state__in=HOLDS_SEAT).count()
        if capacity < 1:
            raise ServiceError({"capacity": [_("名额至少为 1")]})
        if capacity < taken:
            raise ServiceError({"capacity": [_("名额不能少于已占用的 %(taken)d 个座位") % {"taken": taken}]})
        if taken and starts_on != departure.starts_on:
            raise ServiceError({"starts_on": [_("已有职工确认参加，不能改期")]})
        before = {"starts_on": departure.starts_on.isoformat(), "capacity": departure.capacity}
        departure.starts_on, departure.capacity = starts_on, capacity
        departure.save()
        audit.changes = {
            "before": before,
            "after": {"starts_on": starts_on.isoformat(), "capacity": capacity},
        }
    return departure


# --- programmes and quotas ----------------------------------------------------------------------------------------


def programme_create(
    *,
    actor: Actor,
    name: str,
    year: int,
    places: int,
    budget: Decimal,
    subsidy_per_person: Decimal,
    routes,
    applications_open_at: datetime,
    applications_close_at: datetime,
    target_groups=(),
    lookback_years: int = 0,
    confirm_hours: int = 48,
) -> Programme:
    """A programme of the actor's own organisation, covering its region, with one root quota for all places."""
    with audited(actor, "recuperation.programme.create") as audit:
        _require_staff(actor)
        organisation = Organisation.objects.get(pk=actor.organisation_id)
        if places < 1 or budget <= 0:
            raise ServiceError(_("名额和预算须大于零"))
        if applications_close_at <= applications_open_at:
            raise ServiceError(_("报名截止时间须晚于开始时间"))
        unknown = set(target_groups) - set(TargetGroup.values)
        if unknown:
            raise ServiceError(_("对象范围无效：%(groups)s") % {"groups": ", ".join(sorted(unknown))})
        programme = Programme(
            organisation=organisation,
            region_id=organisation.region_id,
            name=name.strip(),
            year=year,
            places=places,
            budget=Decimal(budget),
            subsidy_per_person=Decimal(subsidy_per_person),
            applications_open_at=applications_open_at,
            applications_close_at=applications_close_at,
            target_groups=list(target_groups),
            lookback_years=lookback_years,
            confirm_hours=confirm_hours,
        )
        routes = list(routes)
        if not routes:
            raise ServiceError(_("请至少选择一条线路"))
        problems = [p for route in routes for p in route_problems(programme, route)]
        if programme.subsidy_per_person > min(r.price_per_person for r in routes):
            problems.append(_("每人补助不能高于线路费用"))
        if problems:
            raise ServiceError(problems)
        programme.save()
        programme.routes.set(routes)
        Quota.objects.create(
            programme=programme,
            region_id=organisation.region_id,
            places=places,
            budget=programme.budget,
            method=QuotaMethod.MANUAL,
        )
        audit.target = programme
        audit.changes = {"places": places, "budget": str(budget), "target_groups": list(target_groups)}
    return programme


def _split_budget(budget: Decimal, places: dict[str, int], total_places: int) -> dict[str, Decimal]:
    """Budget in proportion to places, in cents, summing exactly to ``budget``."""
    if total_places == 0:
        return {k: Decimal("0") for k in places}
    cents = largest_remainder(int((budget / CENT).to_integral_value()), places)
    return {k: Decimal(v) * CENT for k, v in cents.items()}


def quota_apportion(*, actor: Actor, quota: Quota, manual: dict[str, int] | None = None) -> list[Quota]:
    """Split a quota over the next level down (province → cities → counties): by largest remainder on active
    member counts, or as entered by staff (``manual``: region code → places, summing to the quota's places)."""
    with audited(actor, "recuperation.quota.apportion", target=quota) as audit:
        quota = Quota.objects.select_for_update().select_related("programme", "region").get(pk=quota.pk)
        _require_staff(actor, quota.region_id)
        if quota.programme.state not in (ProgrammeState.DRAFT, ProgrammeState.OPEN):
            raise ServiceError(_("报名截止后不能再调整名额"))
        level = {RegionLevel.PROVINCE: RegionLevel.CITY, RegionLevel.CITY: RegionLevel.COUNTY}.get(
            quota.region.level
        )
        if level is None:
            raise ServiceError(_("县级名额不再向下分配"))
        children = list(Region.objects.filter(level=level, parent_id=quota.region_id).order_by("code"))
        counts = {r.code: 0 for r in children}
        for code, n in (
            Member.objects.filter(status=MemberStatus.ACTIVE, region__code__startswith=quota.region.prefix)
            .values_list("region_id")
            .annotate(n=Count("id"))
        ):
            key = code[:6] if level == RegionLevel.COUNTY else code[:4] + "00"
            if key in counts:
                counts[key] += n
        if manual is not None:
            unknown = set(manual) - set(counts)
            if unknown:
                raise ServiceError(_("不是下一级单位：%(codes)s") % {"codes": ", ".join(sorted(unknown))})
            if any(v < 0 for v in manual.values()) or sum(manual.values()) != quota.places:
                raise ServiceError(_("各单位名额之和须等于 %(n)s") % {"n": quota.places})
            places = {code: int(manual.get(code, 0)) for code in counts}
            method = QuotaMethod.MANUAL
        else:
            places = largest_remainder(quota.places, counts)
            method = QuotaMethod.LARGEST_REMAINDER
        if (
            Application.objects.filter(quota__parent=quota).exists()
            or Application.objects.filter(quota__parent__parent=quota).exists()
        ):
            raise ServiceError(_("已有申请归入下级名额，不能重新分配"))
        quota.children.all().delete()
        budgets = _split_budget(quota.budget, places, quota.places)
        created = Quota.objects.bulk_create(
            [
                Quota(
                    programme=quota.programme,
                    parent=quota,
                    region_id=code,
                    places=places[code],
                    budget=budgets[code],
                    method=method,
                    member_count=counts[code],
                )
                for code in counts
            ]
        )
        audit.changes = {"method": method, "places": places}
    return created


def leaf_quota_for(programme: Programme, region_code: str) -> Quota | None:
    """The most specific quota unit covering a region (the unit an application is drawn in)."""
    best = None
    for quota in programme.quotas.all():
        if region_code.startswith(scope_prefix(quota.region_id)) and (
            best is None or len(scope_prefix(quota.region_id)) > len(scope_prefix(best.region_id))
        ):
            best = quota
    return best


def programme_open(*, actor: Actor, programme: Programme) -> Programme:
    """Open applications and publish the commitment to the draw's seed (the seed stays secret until the draw)."""
    with audited(actor, "recuperation.programme.open", target=programme) as audit:
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        _require_staff(actor, programme.region_id)
        if programme.state != ProgrammeState.DRAFT:
            raise ServiceError(_("项目不在筹备状态"))
        seed = lottery.new_seed()
        programme.seed_cipher = encrypt(seed)
        programme.seed_commitment = lottery.commitment_of(seed)
        programme.state = ProgrammeState.OPEN
        programme.save(update_fields=["seed_cipher", "seed_commitment", "state"])
        audit.changes = {"seed_commitment": programme.seed_commitment}
    return programme


# --- applications ------------------------------------------------------------------------------------------------


def _check_window(programme: Programme, now: datetime) -> None:
    if programme.state != ProgrammeState.OPEN or not (
        programme.applications_open_at <= now < programme.applications_close_at
    ):
        raise ServiceError(_("不在报名时间内"))


def _new_application(programme, member, routes, now, *, applied_by_union=None) -> Application:
    group, problems = eligibility_problems(programme, member, routes, today=timezone.localdate(now))
    if problems:
        raise ServiceError(problems)
    quota = leaf_quota_for(programme, member.region_id)
    return Application.objects.create(
        programme=programme,
        member=member,
        id_number_hash=member.id_number_hash,
        region_id=member.region_id,
        quota=quota,
        applied_by_union=applied_by_union,
        route_preferences=[r.pk for r in routes],
        target_group=group,
        submitted_at=now,
    )


def _routes(programme: Programme, route_ids) -> list[Route]:
    by_id = {r.pk: r for r in Route.objects.filter(pk__in=list(route_ids))}
    if len(by_id) != len(set(route_ids)):
        raise ServiceError(_("线路不存在"))
    return [by_id[i] for i in dict.fromkeys(route_ids)]


def application_submit(
    *, actor: Actor, programme: Programme, route_ids, now: datetime | None = None
) -> Application:
    """A member applies, with routes in order of preference."""
    now = _now(now)
    with audited(actor, "recuperation.application.submit", target=programme) as audit:
        member = _member_of(actor)
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        _check_window(programme, now)
        application = _new_application(programme, member, _routes(programme, route_ids), now)
        audit.target = application
        audit.changes = {"programme": programme.pk, "routes": application.route_preferences}
    return application


def group_apply(
    *, actor: Actor, programme: Programme, member_ids, route_ids, now: datetime | None = None
) -> list[Application]:
    """A grassroots union applies for a group of its members. One ineligible member refuses the whole group, with
    every member's problems listed."""
    now = _now(now)
    with audited(actor, "recuperation.application.group_submit", target=programme) as audit:
        _require_staff(actor)
        union = Organisation.objects.get(pk=actor.organisation_id)
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        _check_window(programme, now)
        routes = _routes(programme, route_ids)
        members = list(
            Member.objects.filter(pk__in=list(member_ids), union=union).select_related("enterprise")
        )
        if len(members) != len(set(member_ids)) or not members:
            raise ServiceError(_("只能为本工会的会员申报"))
        created, problems = [], []
        for member in members:
            try:
                created.append(_new_application(programme, member, routes, now, applied_by_union=union))
            except ServiceError as exc:
                problems.extend(f"{member}: {m}" for m in exc.messages)
        if problems:
            raise ServiceError(problems)
        audit.changes = {"members": len(created), "union": union.pk, "applications": [a.pk for a in created]}
    return created


def application_check(
    *, actor: Actor, application: Application, refuse_reason: str = "", now: datetime | None = None
) -> Application:
    """The grassroots union checks an application: the rules again, then eligible, or refused with a reason."""
    now = _now(now)
    with audited(actor, "recuperation.application.check", target=application) as audit:
        application = (
            Application.objects.select_for_update()
            .select_related("programme", "member")
            .get(pk=application.pk)
        )
        _require_staff(actor, application.region_id)
        if application.state != AppState.SUBMITTED:
            raise ServiceError(_("该申请不在待审核状态"))
        _decide(application, refuse_reason, now)
        audit.changes = {"state": application.state, "reason": application.refusal_reason}
    return application


def _decide(application: Application, refuse_reason: str, now: datetime) -> None:
    programme = application.programme
    routes = list(Route.objects.filter(pk__in=application.route_preferences))
    group, problems = eligibility_problems(
        programme, application.member, routes, today=timezone.localdate(now), exclude_pk=application.pk
    )
    if refuse_reason.strip():
        problems.insert(0, refuse_reason.strip())
    application.checked_at = now
    if problems:
        application.state = AppState.REFUSED
        application.refusal_reason = "; ".join(str(p) for p in problems)[:200]
        application.closed_at = now
    else:
        application.state = AppState.ELIGIBLE
        application.target_group = group
    application.save(update_fields=["state", "refusal_reason", "checked_at", "closed_at", "target_group"])


def programme_close(*, actor: Actor, programme: Programme, now: datetime | None = None) -> Programme:
    """Close applications (early if staff say so): unchecked applications are checked by the rules, the eligible
    ones enter the draw."""
    now = _now(now)
    with audited(actor, "recuperation.programme.close", target=programme) as audit:
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        _require_staff(actor, programme.region_id)
        if programme.state != ProgrammeState.OPEN:
            raise ServiceError(_("项目不在报名状态"))
        for application in programme.applications.filter(state=AppState.SUBMITTED).select_related("member"):
            application.programme = programme
            _decide(application, "", now)
        entered = programme.applications.filter(state=AppState.ELIGIBLE).update(state=AppState.IN_DRAW)
        programme.state = ProgrammeState.CLOSED
        programme.applications_close_at = min(programme.applications_close_at, now)
        programme.save(update_fields=["state", "applications_close_at"])
        audit.changes = {"in_draw": entered}
    return programme


def draw_run(*, actor: Actor, programme: Programme, now: datetime | None = None) -> Draw:
    """Reveal the seed, rank each quota unit, select the first ``places`` and put the rest on the waiting list."""
    now = _now(now)
    with audited(actor, "recuperation.draw.run", target=programme) as audit:
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        _require_staff(actor, programme.region_id)
        if programme.state != ProgrammeState.CLOSED:
            raise ServiceError(_("报名截止后才能抽签，且每个项目只抽一次"))
        seed = decrypt(programme.seed_cipher)
        if lottery.commitment_of(seed) != programme.seed_commitment:
            raise ServiceError(_("种子与公布的承诺不符，不能抽签"))
        quotas = {q.pk: q for q in programme.quotas.all()}
        units: dict[str, list[int]] = {}
        for quota_id, app_id in (
            programme.applications.filter(state=AppState.IN_DRAW).order_by("id").values_list("quota_id", "id")
        ):
            units.setdefault(str(quota_id), []).append(app_id)
        ranking = lottery.run_draw(seed, units)
        expires = now + timedelta(hours=programme.confirm_hours)
        _store_ranks(ranking, quotas, now, expires)
        draw = Draw.objects.create(
            programme=programme,
            performed_at=now,
            performed_by=actor.name or actor.role,
            seed=seed,
            seed_commitment=programme.seed_commitment,
            algorithm=lottery.ALGORITHM,
            inputs={
                unit: {
                    "region": quotas[int(unit)].region_id,
                    "places": quotas[int(unit)].places,
                    "applications": ids,
                }
                for unit, ids in units.items()
            },
            results=ranking,
            results_digest=lottery.results_digest(ranking),
            application_count=sum(len(v) for v in units.values()),
        )
        programme.state = ProgrammeState.DRAWN
        programme.save(update_fields=["state"])
        audit.target = draw
        audit.changes = {
            "applications": draw.application_count,
            "units": len(units),
            "results_digest": draw.results_digest,
        }
    _schedule_lapse(programme.pk, expires)
    return draw


def _store_ranks(
    ranking: dict[str, list[int]], quotas: dict[int, Quota], now: datetime, expires: datetime
) -> None:
    """Write every application's rank and outcome in one executemany (a province draw updates tens of thousands of
    rows; Django's bulk_update builds CASE expressions that are many times slower)."""
    ops = connection.ops
    selected_at, hold_until = ops.adapt_datetimefield_value(now), ops.adapt_datetimefield_value(expires)
    rows = []
    for unit, ranked in ranking.items():
        places = quotas[int(unit)].places
        for position, app_id in enumerate(ranked, start=1):
            if position <= places:
                rows.append((position, AppState.SELECTED.value, selected_at, hold_until, app_id))
            else:
                rows.append((position, AppState.WAITING.value, None, None, app_id))
    table = connection.ops.quote_name(Application._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET draw_rank = %s, state = %s, selected_at = %s, hold_expires_at = %s WHERE id = %s",
            rows,
        )


def _schedule_lapse(programme_id: int, when: datetime) -> None:
    """Ask for the holds ending at ``when`` to be lapsed then (queued when this transaction commits)."""
    from gonghui.jobs import enqueue_on_commit
    from gonghui.recuperation.tasks import lapse_expired_holds

    enqueue_on_commit(
        lapse_expired_holds,
        programme_id,
        run_after=when + timedelta(seconds=1),
        idempotency_key=f"recuperation.lapse:{programme_id}:{when.isoformat()}",
    )


def _promote_from_waiting_list(quota_id: int, now: datetime) -> list[int]:
    """Fill the unit's free places from its waiting list, best rank first. Call inside a transaction."""
    quota = Quota.objects.select_for_update().select_related("programme").get(pk=quota_id)
    holding = quota.applications.filter(state__in=HOLDS_PLACE).count()
    free = quota.places - holding
    if free <= 0:
        return []
    promoted = list(
        quota.applications.select_for_update().filter(state=AppState.WAITING).order_by("draw_rank")[:free]
    )
    expires = now + timedelta(hours=quota.programme.confirm_hours)
    for application in promoted:
        application.state = AppState.SELECTED
        application.selected_at = now
        application.hold_expires_at = expires
        application.save(update_fields=["state", "selected_at", "hold_expires_at"])
    if promoted:
        _schedule_lapse(quota.programme_id, expires)
    return [a.pk for a in promoted]


def _locked_own(actor: Actor, application: Application) -> Application:
    application = (
        Application.objects.select_for_update().select_related("member", "programme").get(pk=application.pk)
    )
    _own_application(actor, application)
    return application


def application_confirm(
    *, actor: Actor, application: Application, departure: Departure, now: datetime | None = None
) -> Application:
    """A selected member takes a seat on a departure of one of their routes, within the hold.

    Locks, late and in one order (programme → quota → departure), then counts the rows that hold seats and budget:
    two people taking the last seat end with one winner.
    """
    now = _now(now)
    with audited(actor, "recuperation.application.confirm", target=application) as audit:
        application = _locked_own(actor, application)
        if application.state != AppState.SELECTED:
            raise ServiceError(_("只有已中签且未确认的申请可以确认"))
        if application.hold_expires_at and now >= application.hold_expires_at:
            raise ServiceError(_("确认时限已过，名额已顺延给候补人员"))
        programme = Programme.objects.select_for_update().get(pk=application.programme_id)
        quota = Quota.objects.select_for_update().get(pk=application.quota_id)
        departure = Departure.objects.select_for_update().select_related("route").get(pk=departure.pk)
        route = departure.route
        if route.pk not in application.route_preferences:
            raise ServiceError(_("请选择您所报线路的团期"))
        if departure.starts_on <= timezone.localdate(now):
            raise ServiceError(_("该团期已出发"))
        taken = departure.applications.filter(state__in=HOLDS_SEAT).count()
        if taken >= departure.capacity:
            raise ConflictError(_("该团期已满，请选择其他团期"))
        cost = route.price_per_person
        subsidy = min(programme.subsidy_per_person, cost)
        if yearly_spend(application.id_number_hash, departure.starts_on.year) + cost > programme.yearly_cap:
            raise ServiceError(_("本年度疗休养费用将超过 %(cap)s 元的上限") % {"cap": programme.yearly_cap})
        programme_used = Application.objects.filter(programme=programme, state__in=HOLDS_SEAT).aggregate(
            s=Sum("subsidy")
        )["s"] or Decimal("0")
        if programme_used + subsidy > programme.budget:
            raise ServiceError(_("项目预算不足，不能再确认"))
        quota_used = quota.applications.filter(state__in=HOLDS_SEAT).aggregate(s=Sum("subsidy"))[
            "s"
        ] or Decimal("0")
        if quota_used + subsidy > quota.budget:
            raise ServiceError(_("本单位预算不足，不能再确认"))
        application.state = AppState.CONFIRMED
        application.departure = departure
        application.confirmed_at = now
        application.cost = cost
        application.subsidy = subsidy
        application.days = route.days
        application.save(update_fields=["state", "departure", "confirmed_at", "cost", "subsidy", "days"])
        audit.changes = {"departure": departure.pk, "cost": str(cost), "subsidy": str(subsidy)}
    return application


def application_decline(
    *, actor: Actor, application: Application, now: datetime | None = None
) -> Application:
    """A selected member gives up the place; it passes to the next on the unit's waiting list."""
    now = _now(now)
    with audited(actor, "recuperation.application.decline", target=application) as audit:
        application = _locked_own(actor, application)
        if application.state != AppState.SELECTED:
            raise ServiceError(_("只有已中签且未确认的申请可以放弃"))
        application.state = AppState.DECLINED
        application.closed_at = now
        application.save(update_fields=["state", "closed_at"])
        audit.changes = {"promoted": _promote_from_waiting_list(application.quota_id, now)}
    return application


def application_cancel(*, actor: Actor, application: Application, now: datetime | None = None) -> Application:
    now = _now(now)
    with audited(actor, "recuperation.application.cancel", target=application) as audit:
        application = _locked_own(actor, application)
        if application.state not in CANCELLABLE:
            raise ServiceError(_("该申请当前不能取消"))
        held = application.state in HOLDS_PLACE
        application.state = AppState.CANCELLED
        application.closed_at = now
        application.save(update_fields=["state", "closed_at"])
        audit.changes = {"promoted": _promote_from_waiting_list(application.quota_id, now) if held else []}
    return application


def holds_lapse(*, now: datetime | None = None, programme_id: int | None = None) -> list[int]:
    """Lapse every hold past its deadline and pass each place on (run by the scheduled task)."""
    now = _now(now)
    actor = Actor.system()
    expired = Application.objects.filter(state=AppState.SELECTED, hold_expires_at__lte=now)
    if programme_id:
        expired = expired.filter(programme_id=programme_id)
    lapsed = []
    for pk in expired.order_by("quota_id", "draw_rank").values_list("pk", flat=True):
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=pk)
            if application.state != AppState.SELECTED or application.hold_expires_at > now:
                continue  # confirmed or declined in the meantime
            with audited(actor, "recuperation.application.lapse", target=application) as audit:
                application.state = AppState.LAPSED
                application.closed_at = now
                application.save(update_fields=["state", "closed_at"])
                audit.changes = {"promoted": _promote_from_waiting_list(application.quota_id, now)}
            lapsed.append(pk)
    return lapsed


def departure_mark_travelled(*, actor: Actor, departure: Departure) -> int:
    """Staff record that a departure went: its confirmed applications become travelled (the budget is spent)."""
    with audited(actor, "recuperation.departure.travelled", target=departure) as audit:
        _require_staff(actor)
        departure = Departure.objects.select_for_update().get(pk=departure.pk)
        rows = departure.applications.filter(state=AppState.CONFIRMED)
        if actor.region_prefix:
            rows = rows.filter(region__code__startswith=actor.region_prefix)
        count = rows.update(state=AppState.TRAVELLED, travelled_on=departure.starts_on)
        audit.changes = {"travelled": count}
    return count


def application_review(
    *, actor: Actor, application: Application, rating: int, comment: str = ""
) -> Application:
    with audited(actor, "recuperation.application.review", target=application) as audit:
        application = _locked_own(actor, application)
        if application.state != AppState.TRAVELLED:
            raise ServiceError(_("出行后才能评价"))
        if not 1 <= int(rating) <= 5:
            raise ServiceError(_("评分须为 1 到 5"))
        application.state = AppState.REVIEWED
        application.rating = int(rating)
        application.comment = comment.strip()[:500]
        application.save(update_fields=["state", "rating", "comment"])
        audit.changes = {"rating": application.rating}
    return application


# --- trip reports ------------------------------------------------------------------------------------------------


def trip_report_create(
    *,
    actor: Actor,
    started_on: date,
    days: int,
    participants: int,
    spend: Decimal,
    destination_code: str | None = None,
    partner_region: str = "",
    target_group: str = TargetGroup.GENERAL,
    route: Route | None = None,
) -> TripReport:
    """A union reports a trip it organised itself (participants, days, destination, spend)."""
    with audited(actor, "recuperation.trip_report.create") as audit:
        _require_staff(actor)
        organisation = Organisation.objects.get(pk=actor.organisation_id)
        if organisation.level in (OrgLevel.PROVINCE,):
            raise ServiceError(_("活动报告由组织活动的工会填报"))
        problems = []
        if partner_region:
            if partner_region not in PartnerRegion.values:
                problems.append(_("对口地区无效"))
            destination_code = None
        elif (
            not destination_code
            or not Region.objects.filter(code=destination_code, level=RegionLevel.COUNTY).exists()
        ):
            problems.append(_("请选择目的地县（市、区）"))
        limit = 7 if partner_region else 5
        if not 1 <= days <= limit:
            problems.append(_("天数须在 1 到 %(limit)s 天之间") % {"limit": limit})
        if participants < 1:
            problems.append(_("人数至少为 1"))
        if spend < 0:
            problems.append(_("消费金额不能为负"))
        if target_group not in TargetGroup.values:
            problems.append(_("对象类别无效"))
        if problems:
            raise ServiceError(problems)
        report = TripReport.objects.create(
            organisation=organisation,
            region_id=organisation.region_id,
            route=route,
            destination_id=destination_code,
            partner_region=partner_region,
            target_group=target_group,
            started_on=started_on,
            days=days,
            participants=participants,
            spend=Decimal(spend),
        )
        audit.target = report
        audit.changes = {"participants": participants, "days": days, "spend": str(spend)}
    return report
