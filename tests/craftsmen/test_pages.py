"""Pages: every role's pages render, forms call the services, refusals come back as messages."""

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from gonghui.craftsmen import services
from gonghui.craftsmen.models import Problem, ProblemStatus, Solution, SolutionStatus
from tests.craftsmen.factories import PROBLEM, png_upload

pytestmark = pytest.mark.django_db


def client_for(user, role):
    client = Client()
    client.force_login(user)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = user.role_assignments.get(role=role).pk
    session.save()
    return client


@pytest.mark.parametrize(
    "who, url, status",
    [
        ("staff", "/craftsmen/", 200),
        ("staff", "/craftsmen/dispatch/", 200),
        ("staff", "/craftsmen/pool/", 200),
        ("staff", "/craftsmen/sessions/", 200),
        ("staff", "/craftsmen/figures/?by=city", 200),
        ("staff", "/craftsmen/figures/?by=month", 200),
        ("staff", "/craftsmen/solutions/", 200),
        ("staff", "/craftsmen/problems/new/", 200),
        ("enterprise", "/craftsmen/", 200),
        ("enterprise", "/craftsmen/problems/new/", 200),
        ("enterprise", "/craftsmen/pool/", 403),
        ("enterprise", "/craftsmen/figures/", 403),
        ("craftsman", "/craftsmen/", 200),
        ("craftsman", "/craftsmen/profile/", 200),
        ("craftsman", "/craftsmen/notifications/", 200),
        ("craftsman", "/craftsmen/dispatch/", 403),
        ("craftsman", "/craftsmen/problems/new/", 403),
    ],
)
def test_pages_by_role(world, who, url, status):
    users = {
        "staff": (world.staff_user, "staff"),
        "enterprise": (world.contact_user, "enterprise"),
        "craftsman": (world.craftsman_user, "craftsman"),
    }
    assert client_for(*users[who]).get(url).status_code == status


def test_anonymous_is_sent_to_login(db):
    response = Client().get("/craftsmen/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_enterprise_files_through_the_form_and_sees_similar_solutions(world):
    Solution.objects.create(
        region_id="330102",
        category="process_quality",
        title="注塑件飞边缩痕的模温控制",
        symptom="注塑件飞边、缩痕",
        root_cause="模温",
        fix="加装模温机",
        status=SolutionStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    client = client_for(world.contact_user, "enterprise")
    similar = client.get("/craftsmen/problems/similar/", {"title": "注塑件飞边", "description": ""})
    assert "注塑件飞边缩痕的模温控制" in similar.content.decode()
    response = client.post(
        "/craftsmen/problems/new/",
        {**PROBLEM, "tags": "注塑模具", "urgency": "2", "files": [png_upload()]},
    )
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/craftsmen/problems/{problem.pk}/"
    assert (problem.urgency, problem.attachments.count()) == (2, 1)


def test_refusal_is_shown_as_a_message_and_changes_nothing(world):
    client = client_for(world.contact_user, "enterprise")
    response = client.post(
        "/craftsmen/problems/new/", {**PROBLEM, "files": [png_upload("virus.exe")]}, follow=True
    )
    assert "不支持“virus.exe”的文件类型" in response.content.decode()
    assert Problem.objects.count() == 0


def test_staff_dispatch_page_shows_engine_explanations_and_confirms(world):
    problem = services.problem_file(actor=world.contact, **PROBLEM)
    services.problem_review(actor=world.staff, problem_id=problem.pk, accept=True)
    client = client_for(world.staff_user, "staff")
    detail = client.get(f"/craftsmen/problems/{problem.pk}/").content.decode()
    assert world.craftsman.name in detail and "注塑模具" in detail
    batch = client.get("/craftsmen/dispatch/").content.decode()
    assert f'name="assign_{problem.pk}"' in batch
    client.post("/craftsmen/dispatch/", {f"assign_{problem.pk}": str(world.craftsman.pk)})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.DISPATCHED
    assert problem.offers.get().craftsman == world.craftsman


def test_rate_before_confirm_on_the_page(world):
    problem = services.problem_file(actor=world.contact, **PROBLEM)
    client = client_for(world.contact_user, "enterprise")
    response = client.post(f"/craftsmen/problems/{problem.pk}/rate/", {"rating": "5"}, follow=True)
    assert "请先确认服务已完成，再评价。" in response.content.decode()
    assert Problem.objects.get(pk=problem.pk).rating is None


def test_pages_in_english(world):
    client = client_for(world.craftsman_user, "craftsman")
    client.cookies["django_language"] = "en"
    body = client.get("/craftsmen/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Offers awaiting your answer" in body
    assert "待接派单" not in body


def test_attachments_only_for_people_who_see_the_problem(world):
    problem = services.problem_file(actor=world.contact, files=[png_upload("machine.png")], **PROBLEM)
    attachment = problem.attachments.get()
    own = client_for(world.contact_user, "enterprise").get(f"/craftsmen/attachments/{attachment.pk}/")
    assert (own.status_code, own["Content-Type"]) == (200, "image/png")
    assert (
        client_for(world.staff_user, "staff").get(f"/craftsmen/attachments/{attachment.pk}/").status_code
        == 200
    )
    other = client_for(world.other_staff_user, "staff").get(f"/craftsmen/attachments/{attachment.pk}/")
    assert other.status_code == 404
    assert (
        client_for(world.craftsman_user, "craftsman")
        .get(f"/craftsmen/attachments/{attachment.pk}/")
        .status_code
        == 404
    )
