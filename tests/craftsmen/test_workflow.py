"""The whole path through services: file → review → dispatch → accept → visit → outcome → confirm → rate →
solution → archive, with the status log, notifications and SMS after commit."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gonghui.core.errors import ConflictError, ServiceError
from gonghui.core.models import AuditEvent
from gonghui.craftsmen import figures, selectors, services
from gonghui.craftsmen.models import (
    Notification,
    Offer,
    OfferStatus,
    Problem,
    ProblemStatus,
    Solution,
    SolutionStatus,
    StatusLog,
)
from tests.craftsmen.factories import PROBLEM, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def file_and_review(w, **extra):
    problem = services.problem_file(actor=w.contact, **{**PROBLEM, **extra})
    services.problem_review(actor=w.staff, problem_id=problem.pk, accept=True)
    return problem


def test_full_path(world, django_capture_on_commit_callbacks, monkeypatch):
    w = world
    sent = []
    monkeypatch.setattr("gonghui.craftsmen.services.send_sms", lambda phone, text: sent.append((phone, text)))
    problem = services.problem_file(actor=w.contact, files=[png_upload(), pdf_upload()], **PROBLEM)
    assert problem.status == ProblemStatus.SUBMITTED
    assert problem.region_id == "330102"
    assert [a.kind for a in problem.attachments.all()] == ["photo", "document"]
    services.problem_review(actor=w.staff, problem_id=problem.pk, accept=True)

    rows, reason = selectors.candidates(w.staff, Problem.objects.get(pk=problem.pk))
    assert reason == ""
    assert rows[0]["craftsman"] == w.craftsman  # same county, tag and industry match
    assert "注塑模具" in rows[0]["explanation"]

    with django_capture_on_commit_callbacks(execute=True):
        offer = services.problem_dispatch(actor=w.staff, problem_id=problem.pk)
    assert offer.craftsman == w.craftsman
    assert offer.status == OfferStatus.PENDING
    assert sent == [(w.craftsman_user.phone, Notification.objects.get(user=w.craftsman_user).message)]

    services.offer_accept(actor=w.artisan, offer_id=offer.pk)
    services.visit_log(actor=w.artisan, problem_id=problem.pk, visit_date=timezone.localdate(), hours=3.5)
    services.outcome_record(
        actor=w.artisan,
        problem_id=problem.pk,
        solved=True,
        workers_trained=12,
        skill_upgrades=3,
        efficiency_gain_pct=20,
        yield_before_pct=80,
        yield_after_pct=99,
        benefit_yuan=1_000_000,
    )
    services.problem_confirm(actor=w.contact, problem_id=problem.pk)
    services.problem_rate(actor=w.contact, problem_id=problem.pk, rating=5, comment="很好")
    solution = services.solution_submit(
        actor=w.artisan,
        problem_id=problem.pk,
        title="注塑件飞边的解决",
        symptom="飞边和缩痕",
        root_cause="模温不稳",
        fix="加装模温机，调整保压",
    )
    services.solution_review(actor=w.staff, solution_id=solution.pk, publish=True)

    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ARCHIVED
    assert problem.rating == 5
    assert problem.craftsman == w.craftsman
    assert list(StatusLog.objects.filter(problem=problem).values_list("old_status", "new_status")) == [
        ("", "submitted"),
        ("submitted", "reviewed"),
        ("reviewed", "dispatched"),
        ("dispatched", "accepted"),
        ("accepted", "in_service"),
        ("in_service", "awaiting_confirmation"),
        ("awaiting_confirmation", "confirmed"),
        ("confirmed", "closed"),
        ("closed", "archived"),
    ]
    assert Solution.objects.get().status == SolutionStatus.PUBLISHED
    year = timezone.localdate().year
    county = next(r for r in figures.by_county(region_prefix="3301", year=year) if r["code"] == "330102")
    assert (county["participations"], county["problems_filed"], county["problems_solved"]) == (1, 1, 1)
    assert (county["workers_trained"], county["benefit_yuan"], county["mean_rating"]) == (12, 1_000_000, 5.0)
    assert county["enterprises_served"] == 1
    # Follow-up visit after closing.
    services.visit_log(
        actor=w.artisan, problem_id=problem.pk, visit_date=timezone.localdate(), hours=1, followup=True
    )
    assert problem.visits.filter(followup=True).count() == 1


def test_similar_solution_found_while_typing(world):
    w = world
    Solution.objects.create(
        region_id="330102",
        category="process_quality",
        title="注塑件飞边缩痕的模温控制",
        symptom="注塑件飞边、缩痕",
        root_cause="模具温度波动",
        fix="加装模温机",
        status=SolutionStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    Solution.objects.create(
        region_id="330102",
        category="energy_cost",
        title="空压机节能改造",
        symptom="空压机能耗高",
        root_cause="泄漏",
        fix="查漏",
        status=SolutionStatus.SUBMITTED,
    )
    found = selectors.similar_solutions(w.contact, "注塑件有飞边")
    assert [s.title for s in found] == ["注塑件飞边缩痕的模温控制"]
    assert selectors.similar_solutions(w.contact, "空压机") == []  # not published yet


def test_decline_goes_to_the_next_candidate(world):
    w = world
    problem = file_and_review(w)
    offer = services.problem_dispatch(actor=w.staff, problem_id=problem.pk, craftsman_id=w.craftsman.pk)
    services.offer_decline(actor=w.artisan, offer_id=offer.pk, reason="本月已满")
    offers = list(Offer.objects.filter(problem=problem).order_by("id").values_list("craftsman_id", "status"))
    assert offers == [(w.craftsman.pk, "declined"), (w.second.pk, "pending")]
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.DISPATCHED


def test_expired_offer_is_redispatched_then_returned_to_staff(world):
    w = world
    problem = file_and_review(w)
    offer = services.problem_dispatch(actor=w.staff, problem_id=problem.pk, craftsman_id=w.craftsman.pk)
    later = timezone.now() + timedelta(days=30)
    assert services.deadlines_sweep(now=later)["expired_offers"] == 2  # first, then the re-dispatched one
    assert list(
        Offer.objects.filter(problem=problem).order_by("id").values_list("craftsman_id", "status")
    ) == [
        (w.craftsman.pk, "expired"),
        (w.second.pk, "expired"),
    ]
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REVIEWED
    assert Notification.objects.filter(user=w.staff_user, message__contains="无人接单").count() == 1
    with pytest.raises(ServiceError, match="超过接单期限"):
        services.offer_accept(actor=w.artisan, offer_id=offer.pk)


def test_offer_accepted_after_deadline_is_refused(world):
    w = world
    problem = file_and_review(w)
    offer = services.problem_dispatch(actor=w.staff, problem_id=problem.pk, craftsman_id=w.craftsman.pk)
    Offer.objects.filter(pk=offer.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ServiceError, match="超过接单期限"):
        services.offer_accept(actor=w.artisan, offer_id=offer.pk)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PENDING
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.DISPATCHED
    assert AuditEvent.objects.filter(action="craftsmen.offer.accept", result="refused").count() == 1


def test_craftsman_cannot_act_on_another_craftsmans_offer(world):
    w = world
    problem = file_and_review(w)
    offer = services.problem_dispatch(actor=w.staff, problem_id=problem.pk, craftsman_id=w.craftsman.pk)
    with pytest.raises(PermissionDenied, match="不是派给您的单"):
        services.offer_accept(actor=w.second_artisan, offer_id=offer.pk)
    with pytest.raises(PermissionDenied):
        services.offer_decline(actor=w.second_artisan, offer_id=offer.pk, reason="x")
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PENDING
    refused = AuditEvent.objects.filter(result="refused", action__startswith="craftsmen.offer.")
    assert refused.count() == 2


def test_taken_offer_cannot_be_accepted_again(world):
    w = world
    problem = file_and_review(w)
    offer = services.problem_dispatch(actor=w.staff, problem_id=problem.pk, craftsman_id=w.craftsman.pk)
    services.offer_accept(actor=w.artisan, offer_id=offer.pk)
    with pytest.raises(ConflictError):
        services.offer_accept(actor=w.artisan, offer_id=offer.pk)


def test_listed_problem_claimed_once(world):
    w = world
    problem = file_and_review(w)
    services.problem_list_for_claim(actor=w.staff, problem_id=problem.pk, workdays=5)
    assert list(selectors.listed_problems(w.second_artisan)) == [Problem.objects.get(pk=problem.pk)]
    services.problem_claim(actor=w.second_artisan, problem_id=problem.pk)
    with pytest.raises(ConflictError, match="已被其他劳模工匠揭榜"):
        services.problem_claim(actor=w.artisan, problem_id=problem.pk)
    problem.refresh_from_db()
    assert (problem.status, problem.craftsman) == (ProblemStatus.ACCEPTED, w.second)
    assert Offer.objects.filter(problem=problem).count() == 1


def test_rating_before_confirmation_is_refused(world):
    w = world
    problem = file_and_review(w)
    offer = services.problem_dispatch(actor=w.staff, problem_id=problem.pk, craftsman_id=w.craftsman.pk)
    services.offer_accept(actor=w.artisan, offer_id=offer.pk)
    services.visit_log(actor=w.artisan, problem_id=problem.pk, visit_date=timezone.localdate(), hours=2)
    services.outcome_record(actor=w.artisan, problem_id=problem.pk, solved=True)
    logs = StatusLog.objects.count()
    with pytest.raises(ServiceError, match="请先确认服务已完成"):
        services.problem_rate(actor=w.contact, problem_id=problem.pk, rating=5)
    problem.refresh_from_db()
    assert (problem.status, problem.rating) == (ProblemStatus.AWAITING_CONFIRMATION, None)
    assert StatusLog.objects.count() == logs
    assert AuditEvent.objects.filter(action="craftsmen.problem.rate", result="refused").count() == 1


def test_returned_problem_is_resubmitted(world):
    w = world
    problem = services.problem_file(actor=w.contact, **PROBLEM)
    with pytest.raises(ServiceError):
        services.problem_review(actor=w.staff, problem_id=problem.pk, accept=False)  # no comment
    services.problem_review(actor=w.staff, problem_id=problem.pk, accept=False, comment="请补充产品照片")
    assert Notification.objects.filter(user=w.contact_user, message__contains="请补充产品照片").count() == 1
    services.problem_resubmit(
        actor=w.contact,
        problem_id=problem.pk,
        description=PROBLEM["description"] + "已补充",
        files=[png_upload()],
    )
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.SUBMITTED


def test_staff_file_on_behalf_and_unknown_enterprise(world):
    w = world
    problem = services.problem_file(actor=w.staff, enterprise=w.enterprise.credit_code, **PROBLEM)
    assert (problem.enterprise, problem.filed_on_behalf) == (w.enterprise, True)
    before = Problem.objects.count()
    with pytest.raises(ServiceError, match="未找到企业"):
        services.problem_file(actor=w.staff, enterprise="91330000000000000X", **PROBLEM)
    with pytest.raises(ServiceError, match="未找到企业"):  # exists, but outside this staff member's region
        services.problem_file(actor=w.other_staff, enterprise=w.enterprise.credit_code, **PROBLEM)
    assert Problem.objects.count() == before
    assert AuditEvent.objects.filter(action="craftsmen.problem.file", result="refused").count() == 2


@pytest.mark.parametrize(
    "upload, message",
    [
        (lambda: __import__("tests.craftsmen.factories").craftsmen.factories.pdf_upload("x.exe"), "不支持"),
        (
            lambda: __import__("tests.craftsmen.factories").craftsmen.factories.pdf_upload(
                "big.pdf", 11 * 1024 * 1024
            ),
            "超过 10 MB",
        ),
        (
            lambda: __import__("tests.craftsmen.factories").craftsmen.factories.pdf_upload("fake.png"),
            "不是有效的图片",
        ),
        (
            lambda: __import__("tests.craftsmen.factories").craftsmen.factories.png_upload("fake.pdf"),
            "内容与文件类型不符",
        ),
    ],
)
def test_bad_files_change_nothing(world, upload, message):
    w = world
    with pytest.raises(ServiceError, match=message):
        services.problem_file(actor=w.contact, files=[png_upload(), upload()], **PROBLEM)
    assert Problem.objects.count() == 0
    assert AuditEvent.objects.filter(action="craftsmen.problem.file", result="refused").count() == 1


def test_scoping_of_problems(world):
    w = world
    problem = services.problem_file(actor=w.contact, **PROBLEM)
    assert list(selectors.problems(w.staff)) == [problem]
    assert list(selectors.problems(w.other_staff)) == []
    assert list(selectors.problems(w.artisan)) == []  # neither listed nor offered to them
    from django.http import Http404

    with pytest.raises(Http404):
        services.problem_review(actor=w.other_staff, problem_id=problem.pk, accept=True)


def test_visit_checks(world):
    w = world
    problem = file_and_review(w)
    offer = services.problem_dispatch(actor=w.staff, problem_id=problem.pk, craftsman_id=w.craftsman.pk)
    services.offer_accept(actor=w.artisan, offer_id=offer.pk)
    with pytest.raises(ServiceError):
        services.visit_log(
            actor=w.artisan, problem_id=problem.pk, visit_date=date.today() + timedelta(days=5), hours=2
        )
    with pytest.raises(ServiceError):
        services.visit_log(actor=w.artisan, problem_id=problem.pk, visit_date=timezone.localdate(), hours=30)
    with pytest.raises(ServiceError, match="请先登记至少一次服务"):
        services.outcome_record(actor=w.artisan, problem_id=problem.pk, solved=True)
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.ACCEPTED


def test_special_sessions_only_in_mountain_or_island_counties_and_coverage(world, actor_of):
    from tests.factories import staff_user

    province = actor_of(staff_user("330000", level="province"), "staff")
    today = timezone.localdate()
    session = services.session_create(
        actor=province,
        region_code="330127",
        title="淳安专场",
        session_date=today,
        workers_trained=100,
        craftsman_ids=[world.craftsman.pk, world.second.pk],
    )
    with pytest.raises(ServiceError, match="不是"):
        services.session_create(actor=province, region_code="330102", title="上城", session_date=today)
    with pytest.raises(PermissionDenied):
        services.session_create(actor=world.staff, region_code="330127", title="淳安", session_date=today)
    rows = figures.coverage(region_prefix="33", year=today.year)
    assert len(rows) == 32
    assert [r["code"] for r in rows if r["served"]] == ["330127"]
    summary = figures.summary(region_prefix="33", year=today.year)
    assert (summary["special_sessions"], summary["participations"], summary["workers_trained"]) == (1, 2, 100)
    month = next(
        r for r in figures.by_month(region_prefix="33", year=today.year) if r["month"] == f"{today:%Y-%m}"
    )
    assert month["special_sessions"] == 1
    city = next(r for r in figures.by_city(region_prefix="33", year=today.year) if r["code"] == "330100")
    assert city["session_workers_trained"] == 100
    assert list(selectors.sessions(world.artisan)) == [session]


def test_workday_table_is_kept_by_province_staff(world, actor_of):
    from datetime import date as day

    from tests.factories import staff_user

    province = actor_of(staff_user("330000", level="province"), "staff")
    services.workday_set(actor=province, day=day(2099, 1, 2), is_workday=False, note="元旦")
    with pytest.raises(PermissionDenied):
        services.workday_set(actor=world.staff, day=day(2099, 1, 3), is_workday=False)
    from gonghui.craftsmen.models import WorkdayOverride

    assert list(WorkdayOverride.objects.values_list("date", "is_workday")) == [(day(2099, 1, 2), False)]


def test_scheduled_sweep_job_is_declared_and_runs(world):
    from gonghui.craftsmen.tasks import sweep_deadlines
    from gonghui.jobs.registry import SCHEDULES

    assert "gonghui.craftsmen.tasks.sweep_deadlines" in SCHEDULES
    problem = file_and_review(world)
    offer = services.problem_dispatch(
        actor=world.staff, problem_id=problem.pk, craftsman_id=world.craftsman.pk
    )
    Offer.objects.filter(pk=offer.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert sweep_deadlines.call() == "expired_offers=1 expired_listings=0 flagged=0"
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.EXPIRED
