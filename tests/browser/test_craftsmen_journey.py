"""劳模工匠助企行 end to end in Chromium: the enterprise files a problem (and sees a similar solution), staff
dispatch it with the engine, the craftsman accepts on a phone, logs a visit and the outcome, the enterprise confirms
and rates, staff publish the solution, and the county's figures change."""

import pytest
from django.utils import timezone

from gonghui.craftsmen.models import Problem, ProblemStatus, Solution, SolutionStatus
from tests.craftsmen.factories import craftsman_user, enterprise_contact, png_upload
from tests.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)


def solved_in_county(page, url, code="330102") -> int:
    page.goto(url + f"/craftsmen/figures/?by=county&year={timezone.localdate().year}")
    return int(page.locator(f"tr[data-code='{code}'] [data-test=solved]").inner_text())


def test_problem_to_published_solution(page, phone_page, live_server, login_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    url = live_server.url
    staff = staff_user("330102")
    contact, _enterprise = enterprise_contact("330102")
    artisan, craftsman = craftsman_user(name="王师傅")
    Solution.objects.create(
        region_id="330102",
        category="process_quality",
        title="注塑件飞边缩痕的模温控制",
        symptom="注塑件飞边、缩痕",
        root_cause="模具温度波动",
        fix="加装模温机，调整保压",
        status=SolutionStatus.PUBLISHED,
        published_at=timezone.now(),
    )

    login_as(page, staff, "staff")
    solved_before = solved_in_county(page, url)

    # The enterprise files a problem and sees the similar solution while typing.
    login_as(page, contact, "enterprise")
    page.goto(url + "/craftsmen/")
    page.click("[data-test=new-problem]")
    page.select_option("#category", "process_quality")
    page.locator("#title").press_sequentially("注塑件飞边严重", delay=20)
    page.wait_for_selector("[data-test=similar] >> text=注塑件飞边缩痕的模温控制")
    page.fill("#description", "注塑件出现飞边和缩痕，模具温度控制不好，希望师傅上门指导。")
    page.fill("#industry", "C367")
    page.fill("#tags", "注塑模具")
    photo = png_upload("machine.png").read()
    page.set_input_files("#files", files=[{"name": "machine.png", "mimeType": "image/png", "buffer": photo}])
    page.click("[data-test=submit-problem]")
    page.wait_for_selector("[data-test=status][data-status=submitted]")
    assert "machine.png" in page.locator("[data-test=attachment]").inner_text()
    problem = Problem.objects.get()

    # Staff review it and dispatch it to the engine's first candidate.
    login_as(page, staff, "staff")
    page.goto(url + f"/craftsmen/problems/{problem.pk}/")
    page.click("[data-test=review]")
    page.wait_for_selector("[data-test=candidates]")
    first = page.locator("[data-test=candidates] tbody tr").first
    assert "王师傅" in first.inner_text()
    assert "注塑模具" in first.inner_text()  # the engine's explanation names the matched skill
    page.click("[data-test=dispatch-1]")
    page.wait_for_selector("[data-test=status][data-status=dispatched]")

    # The craftsman accepts on a phone, logs a visit and the outcome.
    login_as(phone_page, artisan, "craftsman")
    phone_page.goto(url + "/craftsmen/")
    phone_page.click("[data-test=offer] a")
    phone_page.click("[data-test=accept]")
    phone_page.wait_for_selector("[data-test=status][data-status=accepted]")
    phone_page.fill("#visit-hours", "3.5")
    phone_page.click("[data-test=log-visit]")
    phone_page.wait_for_selector("[data-test=status][data-status=in_service]")
    phone_page.fill("#workers_trained", "12")
    phone_page.fill("#efficiency", "20")
    phone_page.fill("#yield_before", "80")
    phone_page.fill("#yield_after", "99")
    phone_page.fill("#benefit", "1000000")
    phone_page.click("[data-test=record-outcome]")
    phone_page.wait_for_selector("[data-test=status][data-status=awaiting_confirmation]")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways page scroll

    # The enterprise confirms and rates.
    login_as(page, contact, "enterprise")
    page.goto(url + f"/craftsmen/problems/{problem.pk}/")
    page.click("[data-test=confirm]")
    page.wait_for_selector("[data-test=status][data-status=confirmed]")
    page.select_option("#rating", "5")
    page.fill("#rate-comment", "师傅很专业")
    page.click("[data-test=rate]")
    page.wait_for_selector("[data-test=status][data-status=closed]")
    assert page.locator("[data-test=rating]").inner_text().startswith("5 / 5")

    # The craftsman writes it up; staff publish it; the problem is archived and the figures move.
    phone_page.goto(url + f"/craftsmen/problems/{problem.pk}/")
    phone_page.fill("#s-cause", "模具温度波动大，保压时间不足")
    phone_page.fill("#s-fix", "加装模温机，调整保压参数并培训操作工")
    phone_page.click("[data-test=submit-solution]")
    phone_page.wait_for_selector(".msg-success")

    login_as(page, staff, "staff")
    page.goto(url + f"/craftsmen/problems/{problem.pk}/")
    page.click("[data-test=review-solution]")
    page.click("[data-test=publish]")
    page.wait_for_selector("[data-test=solution-status][data-status=published]")
    problem.refresh_from_db()
    assert (problem.status, problem.craftsman_id, problem.rating) == (ProblemStatus.ARCHIVED, craftsman.pk, 5)
    assert solved_in_county(page, url) == solved_before + 1
