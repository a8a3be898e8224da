"""An instructor takes an enterprise from the checklist to a filed agreement and sees the county's coverage move."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.wages import services
from gonghui.wages.models import Agreement, CaseStatus, ChecklistEntry
from tests.factories import EnterpriseFactory
from tests.wages.factories import case_at, instructor

pytestmark = pytest.mark.django_db(transaction=True)


def county_row(page, live_server):
    page.goto(live_server.url + "/wages/?by=county")
    row = page.locator("[data-test=coverage-row][data-key='330127']")
    return row.locator("[data-test=covered]").inner_text(), row.locator("[data-test=above]").inner_text()


def test_instructor_takes_checklist_enterprise_to_filed_agreement(page, live_server, login_as):
    user, actor = instructor("330127", name="淳安指导员")
    covered = EnterpriseFactory(
        region_id="330127", unionised=True, above_designated_size=True, name="已签企业"
    )
    case_at(actor, user, covered, stage="published")
    target = EnterpriseFactory(
        region_id="330127100",
        unionised=True,
        above_designated_size=True,
        name="千岛湖泵阀有限公司",
        employees=160,
    )
    services.checklist_build(actor=actor, instructor_id=user.pk, region_code="330127")
    login_as(page, user, "staff")

    assert county_row(page, live_server) == ("1", "1 / 2 (50.0%)")

    page.click("[data-test=nav-checklist]")
    row = page.locator(f"[data-test=checklist-row][data-enterprise='{target.pk}']")
    assert "千岛湖泵阀有限公司" in row.inner_text()
    row.locator("[data-test=offer]").click()
    page.wait_for_selector("[data-test=case-status][data-status=offered]")

    today = timezone.localdate()
    page.fill("#prepare-form [name=local_average_wage]", "6100")
    page.fill("#prepare-form [name=worker_proposals]", "五级能级工资，技能津贴按月发放")
    page.click("#prepare-form button[type=submit]")
    page.wait_for_selector("[data-test=case-status][data-status=preparing]")

    for n in (1, 2):
        page.fill("#round-form [name=held_on]", today.isoformat())
        page.fill("#round-form [name=minutes]", f"第{n}轮：就技能津贴标准交换意见")
        page.click("#round-form button[type=submit]")
        page.wait_for_selector(f"[data-test=rounds] li:nth-child({n})")
    assert page.locator("[data-test=rounds] li").count() == 2

    vote = {
        "held_on": today.isoformat(),
        "representatives": "25",
        "votes_for": "20",
        "votes_against": "4",
        "votes_abstain": "2",
    }
    for name, value in vote.items():
        page.fill(f"#vote-form [name={name}]", value)
    page.click("#vote-form button[type=submit]")
    assert "票数合计 26 超过代表总数 25" in page.locator(".messages").inner_text()
    page.fill("#vote-form [name=votes_abstain]", "1")
    page.click("#vote-form button[type=submit]")
    page.wait_for_selector("[data-test=case-status][data-status=reviewed]")

    terms = {"signed_on": today, "starts_on": today, "ends_on": today + timedelta(days=3 * 365)}
    for name, value in terms.items():
        page.fill(f"#sign-form [name={name}]", value.isoformat())
    page.fill("#sign-form [name=workers_covered]", "160")
    page.fill("#sign-form [name=average_raise]", "7.5")
    for grade, base, allowance in (("5", 4200, 200), ("4", 4800, 400), ("3", 5600, 700)):
        page.fill(f"#sign-form [name=base_{grade}]", str(base))
        page.fill(f"#sign-form [name=allowance_{grade}]", str(allowance))
    page.fill("#sign-form [name=item_skill_allowance]", "300")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("[data-test=case-status][data-status=signed]")

    page.fill("#file-form [name=filed_on]", today.isoformat())
    page.fill("#file-form [name=filing_number]", "淳人社协备2026-031")
    page.click("#file-form button[type=submit]")
    page.wait_for_selector("[data-test=case-status][data-status=filed]")

    agreement = Agreement.objects.get(case__enterprise=target)
    assert (agreement.case.status, agreement.filing_number, agreement.workers_covered) == (
        CaseStatus.FILED,
        "淳人社协备2026-031",
        160,
    )
    assert list(agreement.ladder.values_list("grade", "base_pay", "allowance")) == [
        ("5", 4200, 200),
        ("4", 4800, 400),
        ("3", 5600, 700),
    ]
    assert ChecklistEntry.objects.get(enterprise=target).ticked_off_on == today

    assert county_row(page, live_server) == ("2", "2 / 2 (100.0%)")
    assert page.locator("[data-test=kpi-agreements]").inner_text() == "2"
    page.wait_for_selector("#coverage-map[data-drawn]")
    mapped = page.evaluate(
        "() => window.gonghuiCoverageMap.getOption().series[0].data.filter((d) => d.value != null)"
        ".map((d) => [d.name, d.value])"
    )
    assert mapped == [["330127", 100.0]]

    page.goto(live_server.url + f"/wages/agreements/{agreement.pk}/")
    page.wait_for_selector("#ladder-chart[data-drawn]")
    assert page.locator("#ladder-chart").get_attribute("data-drawn") == "5"  # 初级工→高级技师 (peer has 5)


def test_checklist_and_chart_on_a_phone(phone_page, live_server, login_as):
    user, actor = instructor("330127")
    case = case_at(actor, user, stage="filed")
    login_as(phone_page, user, "staff")
    phone_page.goto(live_server.url + f"/wages/agreements/{case.agreement.pk}/")
    phone_page.wait_for_selector("#ladder-chart[data-drawn]")
    width = phone_page.evaluate("() => document.getElementById('ladder-chart').getBoundingClientRect().width")
    assert 300 <= width <= 390
    phone_page.goto(live_server.url + "/wages/checklist/")
    assert phone_page.locator("[data-test=progress]").inner_text() == "已销号 0 / 0 家，待推进 0 家"
