from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gonghui.core.errors import ConflictError, ServiceError
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import MemberStatus, Occupation
from gonghui.recuperation import services
from gonghui.recuperation.models import Application, AppState, Draw, ProgrammeState
from gonghui.recuperation.selectors import draw_verification, programme_budget
from gonghui.regions.models import Region
from tests.factories import EnterpriseFactory

from .factories import (
    AFTER,
    DURING,
    OPEN_AT,
    actor,
    apply_all,
    build_world,
    close_and_draw,
    later,
    member_user,
    refresh,
    staff,
)

pytestmark = pytest.mark.django_db


def _refusal(action):
    return AuditEvent.objects.filter(action=action, result="refused").order_by("-id").first()


def test_open_publishes_a_commitment_and_keeps_the_seed_encrypted():
    world = build_world()
    programme = world.programme
    assert programme.state == ProgrammeState.OPEN
    assert len(programme.seed_commitment) == 64
    assert programme.seed_cipher and programme.seed_commitment not in programme.seed_cipher


def test_member_applies_with_route_preferences():
    world = build_world(members=1)
    user, member = world.members[0]
    application = services.application_submit(
        actor=actor(user, "member"), programme=world.programme, route_ids=[world.route.pk], now=DURING
    )
    assert (application.state, application.route_preferences, application.target_group) == (
        AppState.SUBMITTED,
        [world.route.pk],
        "new_employment_form",
    )
    assert application.id_number_hash == member.id_number_hash
    assert application.quota.region_id == "330000"


@pytest.mark.parametrize(
    "case, message",
    [
        ("twice", "已申报过本项目（每人每个项目限报一次）"),
        ("before_window", "不在报名时间内"),
        ("after_window", "不在报名时间内"),
        ("wrong_group", "不属于本项目的对象范围"),
        ("over_yearly_cap", "本年度疗休养费用将超过 3000.00 元的上限"),
        ("not_in_good_standing", "会员状态不是在册，不能申报"),
    ],
)
def test_bad_applications_are_refused_with_a_clear_message_and_record_nothing(case, message):
    world = build_world(members=1)
    user, member = world.members[0]
    routes, now = [world.route.pk], DURING
    if case == "twice":
        services.application_submit(
            actor=actor(user, "member"), programme=world.programme, route_ids=routes, now=now
        )
    elif case == "before_window":
        now = later(OPEN_AT, hours=-1)
    elif case == "after_window":
        now = AFTER
    elif case == "wrong_group":
        member.occupation = Occupation.OFFICE
        member.save()
    elif case == "over_yearly_cap":
        routes = [world.partner_route.pk]  # 7 days × 420 = 2,940 is fine alone...
        world.partner_route.price_per_person_day = Decimal("450")  # ...3,150 is not
        world.partner_route.save()
    elif case == "not_in_good_standing":
        member.status = MemberStatus.LEFT
        member.save()
    before = Application.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.application_submit(
            actor=actor(user, "member"), programme=world.programme, route_ids=routes, now=now
        )
    assert message in exc.value.messages
    assert Application.objects.count() == before
    assert _refusal("recuperation.application.submit") is not None


def test_duplicate_found_by_id_number_hash_whoever_files_it():
    """The member applied; their union then files a group application including them: refused as a duplicate."""
    world = build_world()
    union_staff, union = staff("330106", "grassroots")
    user, member = member_user(union=union)
    services.application_submit(
        actor=actor(user, "member"), programme=world.programme, route_ids=[world.route.pk], now=DURING
    )
    with pytest.raises(ServiceError) as exc:
        services.group_apply(
            actor=actor(union_staff, "staff"),
            programme=world.programme,
            member_ids=[member.pk],
            route_ids=[world.route.pk],
            now=DURING,
        )
    assert exc.value.messages == [f"{member}: 已申报过本项目（每人每个项目限报一次）"]
    assert Application.objects.filter(id_number_hash=member.id_number_hash).count() == 1


def test_route_over_day_caps_cannot_join_a_programme():
    world = build_world()
    long_route = services.route_create(
        actor=world.province_actor,
        name="六日游",
        days=6,
        price_per_person_day=Decimal("300"),
        destination_code="330127",
    )
    with pytest.raises(ServiceError) as exc:
        services.programme_create(
            actor=world.province_actor,
            name="x",
            year=2026,
            places=1,
            budget=Decimal("100"),
            subsidy_per_person=Decimal("100"),
            routes=[long_route],
            applications_open_at=OPEN_AT,
            applications_close_at=AFTER,
        )
    assert exc.value.messages == ["线路“六日游”共 6 天，超过 5 天的上限"]


def test_non_public_enterprise_worker_is_in_the_non_public_group():
    world = build_world(target_groups=("non_public",))
    user, member = member_user(occupation=Occupation.OFFICE, enterprise=EnterpriseFactory(non_public=True))
    application = services.application_submit(
        actor=actor(user, "member"), programme=world.programme, route_ids=[world.route.pk], now=DURING
    )
    assert application.target_group == "non_public"


def test_grassroots_union_applies_for_a_group_of_its_members():
    world = build_world()
    staff_user, union = staff("330106", "grassroots")
    members = [member_user(union=union)[1] for _ in range(2)]
    created = services.group_apply(
        actor=actor(staff_user, "staff"),
        programme=world.programme,
        member_ids=[m.pk for m in members],
        route_ids=[world.route.pk],
        now=DURING,
    )
    assert [a.member_id for a in created] == [m.pk for m in members]
    assert {a.applied_by_union_id for a in created} == {union.pk}
    outsider = member_user()[1]
    with pytest.raises(ServiceError) as exc:
        services.group_apply(
            actor=actor(staff_user, "staff"),
            programme=world.programme,
            member_ids=[outsider.pk],
            route_ids=[world.route.pk],
            now=DURING,
        )
    assert exc.value.messages == ["只能为本工会的会员申报"]


def test_check_marks_eligible_or_refuses_with_a_reason():
    world = build_world(members=2)
    first, second = apply_all(world)
    county_staff, _ = staff("330106")
    services.application_check(actor=actor(county_staff, "staff"), application=first, now=DURING)
    services.application_check(
        actor=actor(county_staff, "staff"), application=second, refuse_reason="材料不全", now=DURING
    )
    assert (refresh(first).state, refresh(second).state, second.refusal_reason) == (
        AppState.ELIGIBLE,
        AppState.REFUSED,
        "材料不全",
    )
    other_county, _ = staff("330382")
    with pytest.raises(PermissionDenied):
        services.application_check(actor=actor(other_county, "staff"), application=first, now=DURING)


def test_draw_selects_places_per_unit_and_puts_the_rest_on_the_waiting_list_in_rank_order():
    world = build_world(places=3, members=5)
    apply_all(world)
    draw = close_and_draw(world)
    ranking = next(iter(draw.results.values()))
    states = {a.pk: (a.state, a.draw_rank) for a in Application.objects.all()}
    assert [states[pk] for pk in ranking] == [
        (AppState.SELECTED, 1),
        (AppState.SELECTED, 2),
        (AppState.SELECTED, 3),
        (AppState.WAITING, 4),
        (AppState.WAITING, 5),
    ]
    assert draw.seed and refresh(world.programme).state == ProgrammeState.DRAWN
    assert draw_verification(draw).matches


def test_draw_twice_or_before_close_is_refused():
    world = build_world(members=1)
    apply_all(world)
    with pytest.raises(ServiceError):
        services.draw_run(actor=world.province_actor, programme=world.programme, now=DURING)
    close_and_draw(world)
    with pytest.raises(ServiceError):
        services.draw_run(actor=world.province_actor, programme=world.programme, now=AFTER)
    assert Draw.objects.count() == 1


def _selected_and_waiting(world):
    selected = list(Application.objects.filter(state=AppState.SELECTED).order_by("draw_rank"))
    waiting = list(Application.objects.filter(state=AppState.WAITING).order_by("draw_rank"))
    return selected, waiting


def _member_actor(application):
    return actor(application.member.user, "member")


def test_confirm_takes_a_seat_and_commits_budget():
    world = build_world(places=3, members=3)
    apply_all(world)
    close_and_draw(world)
    selected, _ = _selected_and_waiting(world)
    confirmed = services.application_confirm(
        actor=_member_actor(selected[0]), application=selected[0], departure=world.departures[0], now=AFTER
    )
    assert (confirmed.state, confirmed.cost, confirmed.subsidy, confirmed.days) == (
        AppState.CONFIRMED,
        Decimal("1200.00"),
        Decimal("500.00"),
        3,
    )
    budget = programme_budget(world.programme)
    assert (budget["committed"], budget["spent"], budget["available"]) == (
        Decimal("500.00"),
        Decimal("0"),
        Decimal("1000.00"),
    )


def test_decline_passes_the_place_to_the_first_on_the_waiting_list():
    world = build_world(places=2, members=4)
    apply_all(world)
    close_and_draw(world)
    selected, waiting = _selected_and_waiting(world)
    services.application_decline(actor=_member_actor(selected[0]), application=selected[0], now=AFTER)
    assert [refresh(a).state for a in waiting] == [AppState.SELECTED, AppState.WAITING]
    assert waiting[0].hold_expires_at == later(AFTER, hours=48)


def test_holds_lapse_after_48_hours_and_the_place_passes_on():
    world = build_world(places=1, members=2)
    apply_all(world)
    close_and_draw(world)
    (first,), (second,) = _selected_and_waiting(world)
    assert services.holds_lapse(now=later(AFTER, hours=47)) == []
    assert services.holds_lapse(now=later(AFTER, hours=48)) == [first.pk]
    assert (refresh(first).state, refresh(second).state) == (AppState.LAPSED, AppState.SELECTED)
    with pytest.raises(ServiceError) as exc:
        services.application_confirm(
            actor=_member_actor(first),
            application=first,
            departure=world.departures[0],
            now=later(AFTER, hours=49),
        )
    assert exc.value.messages == ["只有已中签且未确认的申请可以确认"]


def test_confirming_after_the_hold_lapsed_is_refused_even_before_the_sweep():
    world = build_world(places=1, members=1)
    apply_all(world)
    close_and_draw(world)
    (first,), _ = _selected_and_waiting(world)
    with pytest.raises(ServiceError) as exc:
        services.application_confirm(
            actor=_member_actor(first),
            application=first,
            departure=world.departures[0],
            now=later(AFTER, hours=48, seconds=1),
        )
    assert exc.value.messages == ["确认时限已过，名额已顺延给候补人员"]
    assert refresh(first).state == AppState.SELECTED
    assert _refusal("recuperation.application.confirm").detail == "确认时限已过，名额已顺延给候补人员"


def test_a_full_departure_refuses_the_next_confirmation():
    world = build_world(places=3, members=3, capacity=2)
    apply_all(world)
    close_and_draw(world)
    selected, _ = _selected_and_waiting(world)
    for application in selected[:2]:
        services.application_confirm(
            actor=_member_actor(application),
            application=application,
            departure=world.departures[0],
            now=AFTER,
        )
    with pytest.raises(ConflictError):
        services.application_confirm(
            actor=_member_actor(selected[2]),
            application=selected[2],
            departure=world.departures[0],
            now=AFTER,
        )
    assert refresh(selected[2]).state == AppState.SELECTED
    services.application_confirm(
        actor=_member_actor(selected[2]), application=selected[2], departure=world.departures[1], now=AFTER
    )


def test_cannot_confirm_beyond_budget():
    world = build_world(places=3, members=3, budget=Decimal("1000"))
    apply_all(world)
    close_and_draw(world)
    selected, _ = _selected_and_waiting(world)
    for application in selected[:2]:
        services.application_confirm(
            actor=_member_actor(application),
            application=application,
            departure=world.departures[0],
            now=AFTER,
        )
    with pytest.raises(ServiceError) as exc:
        services.application_confirm(
            actor=_member_actor(selected[2]),
            application=selected[2],
            departure=world.departures[0],
            now=AFTER,
        )
    assert exc.value.messages == ["项目预算不足，不能再确认"]
    assert programme_budget(world.programme)["committed"] == Decimal("1000.00")


def test_someone_else_cannot_confirm_my_place():
    world = build_world(places=2, members=2)
    apply_all(world)
    close_and_draw(world)
    mine, theirs = _selected_and_waiting(world)[0]
    with pytest.raises(PermissionDenied):
        services.application_confirm(
            actor=_member_actor(theirs), application=mine, departure=world.departures[0], now=AFTER
        )


def test_travel_review_and_spend():
    world = build_world(places=1, members=1)
    apply_all(world)
    close_and_draw(world)
    (application,), _ = _selected_and_waiting(world)
    services.application_confirm(
        actor=_member_actor(application), application=application, departure=world.departures[0], now=AFTER
    )
    assert services.departure_mark_travelled(actor=world.province_actor, departure=world.departures[0]) == 1
    services.application_review(
        actor=_member_actor(application), application=application, rating=5, comment="很好"
    )
    application = refresh(application)
    assert (application.state, application.rating, application.travelled_on) == (
        AppState.REVIEWED,
        5,
        date(2026, 5, 10),
    )
    budget = programme_budget(world.programme)
    assert (budget["committed"], budget["spent"]) == (Decimal("0"), Decimal("500.00"))


def test_cancel_a_confirmed_place_frees_seat_and_promotes_the_waiting_list():
    world = build_world(places=1, members=2)
    apply_all(world)
    close_and_draw(world)
    (first,), (second,) = _selected_and_waiting(world)
    services.application_confirm(
        actor=_member_actor(first), application=first, departure=world.departures[0], now=AFTER
    )
    services.application_cancel(actor=_member_actor(first), application=first, now=AFTER)
    assert (refresh(first).state, refresh(second).state) == (AppState.CANCELLED, AppState.SELECTED)
    assert programme_budget(world.programme)["committed"] == Decimal("0")


def test_lookback_blocks_someone_who_travelled_last_year():
    world = build_world(members=1, lookback_years=1)
    user, member = world.members[0]
    last_year = build_world(places=1, open_programme=False)
    Application.objects.create(
        programme=last_year.programme,
        member=member,
        id_number_hash=member.id_number_hash,
        region_id=member.region_id,
        state=AppState.TRAVELLED,
        submitted_at=DURING,
        travelled_on=date(2025, 9, 1),
    )
    with pytest.raises(ServiceError) as exc:
        services.application_submit(
            actor=actor(user, "member"), programme=world.programme, route_ids=[world.route.pk], now=DURING
        )
    assert exc.value.messages == ["近 1 年内已参加过资助疗休养"]


def test_quota_apportioned_by_largest_remainder_on_member_counts():
    world = build_world(places=10, budget=Decimal("5000"), open_programme=False)
    for code, n in (("330106", 5), ("330382", 3), ("330127", 2)):
        for _ in range(n):
            member_user(region_code=code)
    root = world.programme.quotas.get()
    cities = {q.region_id: q for q in services.quota_apportion(actor=world.province_actor, quota=root)}
    assert (cities["330100"].places, cities["330300"].places, cities["330200"].places) == (7, 3, 0)
    assert sum(q.places for q in cities.values()) == 10
    assert sum(q.budget for q in cities.values()) == Decimal("5000")
    counties = {
        q.region_id: q for q in services.quota_apportion(actor=world.province_actor, quota=cities["330100"])
    }
    assert (counties["330106"].places, counties["330127"].places) == (5, 2)
    # An application is drawn in the most specific unit.
    assert services.leaf_quota_for(world.programme, "330127").pk == counties["330127"].pk


def test_manual_quota_must_add_up():
    world = build_world(places=4, open_programme=False)
    root = world.programme.quotas.get()
    with pytest.raises(ServiceError) as exc:
        services.quota_apportion(actor=world.province_actor, quota=root, manual={"330100": 3})
    assert exc.value.messages == ["各单位名额之和须等于 4"]
    rows = services.quota_apportion(actor=world.province_actor, quota=root, manual={"330100": 3, "331100": 1})
    assert {q.region_id: q.places for q in rows if q.places} == {"330100": 3, "331100": 1}


def test_trip_report_by_grassroots_union_and_its_caps():
    town = Region.objects.filter(level="town", parent_id="330106").order_by("code").first()
    user, union = staff(town.code, "grassroots")
    report = services.trip_report_create(
        actor=actor(user, "staff"),
        started_on=date(2025, 5, 1),
        days=3,
        participants=30,
        spend=Decimal("36000"),
        destination_code="330127",
    )
    assert (report.region_id, report.participants) == (town.code, 30)
    with pytest.raises(ServiceError) as exc:
        services.trip_report_create(
            actor=actor(user, "staff"),
            started_on=date(2025, 5, 1),
            days=6,
            participants=0,
            spend=Decimal("1"),
            destination_code="330127",
        )
    assert exc.value.messages == ["天数须在 1 到 5 天之间", "人数至少为 1"]
    services.trip_report_create(
        actor=actor(user, "staff"),
        started_on=date(2025, 7, 1),
        days=7,
        participants=20,
        spend=Decimal("80000"),
        partner_region="sichuan",
    )


@pytest.mark.parametrize("role", ["member", "enterprise", "anonymous"])
def test_only_staff_run_the_draw(role):
    from gonghui.core.actor import Actor

    world = build_world(members=1)
    apply_all(world)
    services.programme_close(actor=world.province_actor, programme=world.programme, now=AFTER)
    with pytest.raises(PermissionDenied):
        services.draw_run(actor=Actor(role=role, user_id=1), programme=world.programme, now=AFTER)
    assert not Draw.objects.exists()
