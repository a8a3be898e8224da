"""The API: the whole path as JSON, refusals as 400/403/404 with a message, and every list/detail scoped."""

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from gonghui.craftsmen.models import Problem, SpecialSession
from tests.craftsmen.factories import PROBLEM

pytestmark = pytest.mark.django_db
API = "/api/v1/craftsmen"


def client_for(user, role):
    client = Client()
    client.force_login(user)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = user.role_assignments.get(role=role).pk
    session.save()
    return client


def post(client, path, data=None):
    return client.post(f"{API}{path}", data or {}, content_type="application/json")


def test_whole_path_through_the_api(world):
    w = world
    enterprise = client_for(w.contact_user, "enterprise")
    staff = client_for(w.staff_user, "staff")
    artisan = client_for(w.craftsman_user, "craftsman")

    response = post(enterprise, "/problems", PROBLEM)
    assert response.status_code == 201, response.content
    problem_id = response.json()["id"]
    assert response.json()["status"] == "submitted"
    assert post(staff, f"/problems/{problem_id}/review", {"accept": True}).json()["status"] == "reviewed"
    candidates = staff.get(f"{API}/problems/{problem_id}/candidates").json()
    assert candidates["candidates"][0]["craftsman_id"] == w.craftsman.pk
    offer = post(staff, f"/problems/{problem_id}/dispatch", {}).json()
    assert (offer["craftsman_id"], offer["status"]) == (w.craftsman.pk, "pending")
    assert artisan.get(f"{API}/offers?pending=true").json()["count"] == 1
    assert post(artisan, f"/offers/{offer['id']}/accept").json()["status"] == "accepted"
    today = timezone.localdate().isoformat()
    assert post(artisan, f"/problems/{problem_id}/visits", {"date": today, "hours": 2}).json()["status"] == (
        "in_service"
    )
    body = {"solved": True, "workers_trained": 8, "benefit_yuan": 50000}
    assert post(artisan, f"/problems/{problem_id}/outcome", body).json()["status"] == "awaiting_confirmation"
    response = post(enterprise, f"/problems/{problem_id}/rate", {"rating": 5})
    assert response.status_code == 400
    assert response.json()["detail"] == "请先确认服务已完成，再评价。"
    assert post(enterprise, f"/problems/{problem_id}/confirm", {}).json()["status"] == "confirmed"
    assert post(enterprise, f"/problems/{problem_id}/rate", {"rating": 4}).json()["status"] == "closed"
    solution = post(
        artisan,
        f"/problems/{problem_id}/solution",
        {"title": "模温控制", "symptom": "飞边", "root_cause": "模温", "fix": "模温机"},
    ).json()
    assert (
        post(staff, f"/solutions/{solution['id']}/review", {"publish": True}).json()["status"] == "published"
    )
    assert staff.get(f"{API}/problems/{problem_id}").json()["status"] == "archived"
    figures = staff.get(f"{API}/figures?by=county").json()
    row = next(r for r in figures["rows"] if r["code"] == "330102")
    assert (row["participations"], row["problems_solved"], row["workers_trained"]) == (1, 1, 8)


def test_bad_input_through_the_api(world):
    w = world
    staff = client_for(w.staff_user, "staff")
    response = post(staff, "/problems", {**PROBLEM, "enterprise": "nonsense"})
    assert response.status_code == 400
    assert "未找到企业" in response.json()["detail"]
    artisan = client_for(w.second_user, "craftsman")
    problem = post(client_for(w.contact_user, "enterprise"), "/problems", PROBLEM).json()
    post(staff, f"/problems/{problem['id']}/review", {"accept": True})
    offer = post(staff, f"/problems/{problem['id']}/dispatch", {"craftsman_id": w.craftsman.pk}).json()
    response = post(artisan, f"/offers/{offer['id']}/accept")
    assert response.status_code == 403
    assert response.json()["detail"] == "这不是派给您的单，不能操作。"
    assert Problem.objects.get(pk=problem["id"]).status == "dispatched"


ROLES = ["staff", "other_staff", "enterprise", "craftsman", "second_craftsman", "member"]


@pytest.mark.parametrize("role", ROLES)
def test_every_list_and_detail_is_scoped(world, role):
    from gonghui.accounts.models import RoleAssignment
    from gonghui.craftsmen import services
    from tests.factories import UserFactory

    w = world
    problem = services.problem_file(actor=w.contact, **PROBLEM)
    services.problem_review(actor=w.staff, problem_id=problem.pk, accept=True)
    offer = services.problem_dispatch(actor=w.staff, problem_id=problem.pk, craftsman_id=w.craftsman.pk)
    session = SpecialSession.objects.create(region_id="330127", title="淳安专场", date=timezone.localdate())
    session.craftsmen.add(w.craftsman)
    member = UserFactory()
    RoleAssignment.objects.create(user=member, role="member")
    users = {
        "staff": (w.staff_user, "staff"),
        "other_staff": (w.other_staff_user, "staff"),
        "enterprise": (w.contact_user, "enterprise"),
        "craftsman": (w.craftsman_user, "craftsman"),
        "second_craftsman": (w.second_user, "craftsman"),
        "member": (member, "member"),
    }
    client = client_for(*users[role])
    visible = {
        "problems": {"staff", "enterprise", "craftsman"},
        "offers": {"staff", "enterprise", "craftsman"},
        "craftsmen": {"staff", "craftsman", "second_craftsman"},
        "sessions": {"craftsman"},  # 淳安 is outside 330102 staff's region
    }
    ids = {"problems": problem.pk, "offers": offer.pk, "sessions": session.pk}
    for name, roles in visible.items():
        listing = client.get(f"{API}/{name}")
        assert listing.status_code == 200, (name, listing.content)
        items = listing.json()["items"]
        assert all({"id", "region_code"} <= set(item) for item in items)
        if name == "craftsmen":
            own = {"craftsman": w.craftsman.pk, "second_craftsman": w.second.pk}.get(role)
            expected = {w.craftsman.pk} if role == "staff" else ({own} if own else set())
            assert {i["id"] for i in items} == expected, name
            continue
        assert bool(items) == (role in roles), name
        detail = client.get(f"{API}/{name}/{ids[name]}")
        assert detail.status_code == (200 if role in roles else 404), name


def test_batch_proposal_and_dispatch(world):
    from gonghui.craftsmen import services

    w = world
    problems = [services.problem_file(actor=w.contact, **PROBLEM) for _ in range(2)]
    for p in problems:
        services.problem_review(actor=w.staff, problem_id=p.pk, accept=True)
    staff = client_for(w.staff_user, "staff")
    proposal = staff.get(f"{API}/batch-proposal").json()["proposals"]
    assert sorted(p["problem_id"] for p in proposal) == sorted(p.pk for p in problems)
    # Capacity 3 each: the engine gives one problem to each craftsman or both to the best; both are assigned.
    assert all(p["craftsman_id"] in (w.craftsman.pk, w.second.pk) for p in proposal)
    assert all("注塑模具" in p["explanation"] for p in proposal)
    chosen = {str(p["problem_id"]): p["craftsman_id"] for p in proposal}
    offers = post(staff, "/batch-dispatch", {"assignments": chosen}).json()
    assert sorted((o["problem_id"], o["craftsman_id"]) for o in offers) == sorted(
        (int(k), v) for k, v in chosen.items()
    )
    assert client_for(w.contact_user, "enterprise").get(f"{API}/batch-proposal").status_code == 403


def test_import_and_approve_changes_through_the_api(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.craftsmen.test_pool import GOOD, workbook

    w = world
    staff = client_for(w.staff_user, "staff")
    bad = list(GOOD)
    bad[1] = "123"
    upload = SimpleUploadedFile("pool.xlsx", workbook([GOOD, bad]).read())
    response = staff.post(f"{API}/pool-import", {"workbook": upload})
    assert (response.status_code, response.json()) == (400, {"created": 0, "errors": ["第 3 行：手机号无效"]})
    upload = SimpleUploadedFile("pool.xlsx", workbook([GOOD]).read())
    assert staff.post(f"{API}/pool-import", {"workbook": upload}).json() == {"created": 1, "errors": []}

    artisan = client_for(w.craftsman_user, "craftsman")
    changed = post(artisan, "/profile/changes", {"monthly_capacity": 6, "available": False}).json()
    assert (changed["available"], changed["monthly_capacity"], changed["has_pending_changes"]) == (
        False,
        3,
        True,
    )
    approved = post(staff, f"/craftsmen/{w.craftsman.pk}/changes", {"approve": True}).json()
    assert (approved["monthly_capacity"], approved["has_pending_changes"]) == (6, False)
