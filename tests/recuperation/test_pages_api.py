"""Pages and API: the member's path end to end, staff actions, refusals, scoping and the public verification."""

import pytest
from django.test import Client

from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from gonghui.recuperation import services
from gonghui.recuperation.models import Application, AppState, Draw

from .factories import actor, build_world, make_current, member_user, staff

pytestmark = pytest.mark.django_db


def client_for(user, role):
    client = Client()
    client.force_login(user)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = user.role_assignments.get(role=role).pk
    session.save()
    return client


def _open_now(world):
    make_current(world)


def test_member_applies_staff_draws_member_confirms_through_pages():
    world = build_world(places=1, members=1)
    _open_now(world)
    user, member = world.members[0]
    client = client_for(user, "member")
    page = client.get(f"/recuperation/programmes/{world.programme.pk}/")
    assert page.status_code == 200 and 'data-test="apply-form"' in page.content.decode()
    response = client.post(
        f"/recuperation/programmes/{world.programme.pk}/apply/", {"routes": [world.route.pk]}, follow=True
    )
    assert "已提交申请，请等待基层工会审核" in response.content.decode()
    staff_client = client_for(world.province, "staff")
    staff_client.post(f"/recuperation/programmes/{world.programme.pk}/manage/close/")
    staff_client.post(f"/recuperation/programmes/{world.programme.pk}/manage/draw/")
    application = Application.objects.get()
    assert application.state == AppState.SELECTED
    page = client.get("/recuperation/my/").content.decode()
    assert 'data-state="selected"' in page
    client.post(
        f"/recuperation/applications/{application.pk}/confirm/", {"departure": world.departures[0].pk}
    )
    application.refresh_from_db()
    assert (application.state, application.departure_id) == (AppState.CONFIRMED, world.departures[0].pk)
    draw = Draw.objects.get()
    verify = Client().get(f"/recuperation/draws/{draw.pk}/").content.decode()
    assert 'data-matches="1"' in verify


def test_applying_twice_on_the_page_shows_the_message():
    world = build_world(members=1)
    _open_now(world)
    client = client_for(world.members[0][0], "member")
    url = f"/recuperation/programmes/{world.programme.pk}/apply/"
    client.post(url, {"routes": [world.route.pk]})
    response = client.post(url, {"routes": [world.route.pk]}, follow=True)
    assert "已申报过本项目（每人每个项目限报一次）" in response.content.decode()
    assert Application.objects.count() == 1


def test_api_apply_and_refusal():
    world = build_world(members=1)
    _open_now(world)
    client = client_for(world.members[0][0], "member")
    url = f"/api/v1/recuperation/programmes/{world.programme.pk}/applications"
    first = client.post(url, {"route_ids": [world.route.pk]}, content_type="application/json")
    assert first.status_code == 201 and first.json()["state"] == "submitted"
    second = client.post(url, {"route_ids": [world.route.pk]}, content_type="application/json")
    assert second.status_code == 400
    assert second.json()["detail"] == "已申报过本项目（每人每个项目限报一次）"
    mine = client.get("/api/v1/recuperation/applications").json()
    assert mine["count"] == 1 and mine["items"][0]["region_code"] == "330106"


def test_applications_are_scoped_by_region():
    world = build_world(members=2)
    _open_now(world)
    user, _ = world.members[0]
    services.application_submit(
        actor=actor(user, "member"), programme=world.programme, route_ids=[world.route.pk]
    )
    other_user, _ = member_user(region_code="330382")
    other = services.application_submit(
        actor=actor(other_user, "member"), programme=world.programme, route_ids=[world.route.pk]
    )
    hangzhou, _ = staff("330100", "city")
    client = client_for(hangzhou, "staff")
    listed = client.get("/api/v1/recuperation/applications").json()
    assert [i["region_code"] for i in listed["items"]] == ["330106"]
    assert client.get(f"/api/v1/recuperation/applications/{other.pk}").status_code == 404
    # Another member cannot see my application either.
    assert client_for(user, "member").get(f"/api/v1/recuperation/applications/{other.pk}").status_code == 404


def test_public_endpoints_and_verification_api():
    world = build_world(places=1, members=2)
    _open_now(world)
    for user, _ in world.members:
        services.application_submit(
            actor=actor(user, "member"), programme=world.programme, route_ids=[world.route.pk]
        )
    services.programme_close(actor=world.province_actor, programme=world.programme)
    draw = services.draw_run(actor=world.province_actor, programme=world.programme)
    anonymous = Client()
    assert anonymous.get("/api/v1/recuperation/routes").json()["count"] == 2
    detail = anonymous.get(f"/api/v1/recuperation/programmes/{world.programme.pk}").json()
    assert (detail["draw_id"], detail["budget_use"]["holding"]) == (draw.pk, 1)
    verification = anonymous.get(f"/api/v1/recuperation/draws/{draw.pk}/verify").json()
    assert (verification["matches"], verification["applications_checked"]) == (True, 2)
    record = anonymous.get(f"/api/v1/recuperation/draws/{draw.pk}/record").json()
    assert record["seed"] == draw.seed and len(record["results"]) == 1
    assert anonymous.get("/api/v1/recuperation/applications").status_code == 401
    Draw.objects.filter(pk=draw.pk).update(results={k: list(reversed(v)) for k, v in draw.results.items()})
    page = anonymous.get(f"/recuperation/draws/{draw.pk}/").content.decode()
    assert 'data-matches="0"' in page


@pytest.mark.parametrize("path", ["/recuperation/", "/recuperation/routes/", "/recuperation/figures/"])
def test_public_pages_render(path):
    build_world()
    assert Client().get(path).status_code == 200


def test_staff_pages_render_and_members_are_kept_out():
    world = build_world(members=1)
    client = client_for(world.province, "staff")
    assert client.get(f"/recuperation/programmes/{world.programme.pk}/manage/").status_code == 200
    assert client.get("/recuperation/reports/").status_code == 200
    member_client = client_for(world.members[0][0], "member")
    assert member_client.get(f"/recuperation/programmes/{world.programme.pk}/manage/").status_code == 404
    assert member_client.get("/recuperation/reports/").status_code == 403


def test_trip_report_through_the_api():
    from gonghui.regions.models import Region

    town = Region.objects.filter(level="town", parent_id="330127").order_by("code").first()
    user, _ = staff(town.code, "grassroots")
    client = client_for(user, "staff")
    created = client.post(
        "/api/v1/recuperation/trip-reports",
        {
            "started_on": "2025-10-01",
            "days": 3,
            "participants": 25,
            "spend": "30000",
            "destination_code": "330127",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["region_code"] == town.code
    figures = Client().get("/api/v1/recuperation/figures?year=2025").json()
    assert (figures["participants"], figures["mountain_island_participants"]) == (25, 25)


def test_grassroots_union_applies_for_a_group_on_the_page():
    world = build_world()
    _open_now(world)
    union_staff, union = staff("330106", "grassroots")
    members = [member_user(union=union)[1] for _ in range(2)]
    client = client_for(union_staff, "staff")
    page = client.get(f"/recuperation/programmes/{world.programme.pk}/").content.decode()
    assert 'data-test="group-apply-form"' in page
    response = client.post(
        f"/recuperation/programmes/{world.programme.pk}/group-apply/",
        {"members": [m.pk for m in members], "routes": [world.route.pk]},
        follow=True,
    )
    assert "已为所选会员提交申请" in response.content.decode()
    assert sorted(Application.objects.values_list("member_id", flat=True)) == sorted(m.pk for m in members)


def test_county_staff_work_on_their_part_of_a_province_programme():
    world = build_world(members=1)
    _open_now(world)
    services.application_submit(
        actor=actor(world.members[0][0], "member"), programme=world.programme, route_ids=[world.route.pk]
    )
    other_user, _ = member_user(region_code="330382")
    services.application_submit(
        actor=actor(other_user, "member"), programme=world.programme, route_ids=[world.route.pk]
    )
    xihu, _ = staff("330106")
    page = (
        client_for(xihu, "staff")
        .get(f"/recuperation/programmes/{world.programme.pk}/manage/")
        .content.decode()
    )
    assert page.count('data-region-code="330106"') == 1
    assert 'data-region-code="330382"' not in page
    assert 'data-test="close"' not in page  # only the province runs the programme


def test_departures_are_scheduled_by_the_destination_union():
    from django.core.exceptions import PermissionDenied

    world = build_world()
    yueqing, _ = staff("330382")
    with pytest.raises(PermissionDenied):
        services.departure_create(
            actor=actor(yueqing, "staff"),
            route=world.route,
            starts_on=world.departures[0].starts_on,
            capacity=5,
        )
    chun_an, _ = staff("330127")
    services.departure_create(
        actor=actor(chun_an, "staff"), route=world.route, starts_on=world.departures[0].starts_on, capacity=5
    )
    with pytest.raises(PermissionDenied):
        services.departure_create(
            actor=actor(chun_an, "staff"),
            route=world.partner_route,
            starts_on=world.departures[0].starts_on,
            capacity=5,
        )


def test_staff_create_a_programme_on_the_page_and_bad_input_creates_nothing():
    from gonghui.recuperation.models import Programme

    world = build_world()
    city, _ = staff("330100", "city")
    client = client_for(city, "staff")
    form = {
        "name": "杭州市一线职工疗休养",
        "year": "2026",
        "places": "50",
        "budget": "25000",
        "subsidy": "500",
        "opens": "2026-12-01T09:00",
        "closes": "2026-12-20T18:00",
        "lookback_years": "1",
        "target_groups": ["frontline"],
        "routes": [str(world.route.pk)],
    }
    bad = client.post("/recuperation/programmes/new/", {**form, "subsidy": "5000"}, follow=True)
    assert "每人补助不能高于线路费用" in bad.content.decode()
    assert Programme.objects.count() == 1
    response = client.post("/recuperation/programmes/new/", form)
    programme = Programme.objects.get(name="杭州市一线职工疗休养")
    assert (
        response.status_code == 302
        and response["Location"] == f"/recuperation/programmes/{programme.pk}/manage/"
    )
    assert (programme.region_id, programme.places, programme.target_groups) == ("330100", 50, ["frontline"])
