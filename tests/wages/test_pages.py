from datetime import date

import pytest

from gonghui.accounts.models import Role
from gonghui.core.models import AuditEvent
from gonghui.wages import services
from gonghui.wages.models import CaseStatus, ContactLog
from tests.factories import EnterpriseFactory, role_user
from tests.wages.factories import case_at, instructor

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    user, actor = instructor("330127")
    client.force_login(user)
    return client, user, actor


PAGES = ["wages:index", "wages:checklist", "wages:cases", "wages:agreements", "wages:import"]


@pytest.mark.parametrize("name", PAGES)
def test_staff_pages_render(logged_in, name):
    from django.urls import reverse

    client, _, _ = logged_in
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CRAFTSMAN, Role.STATION_MANAGER])
def test_other_roles_are_refused_and_audited(client, role):
    client.force_login(role_user(role))
    assert client.get("/wages/checklist/").status_code == 403
    assert AuditEvent.objects.filter(action="wages.page.checklist", result="refused").count() == 1


def test_anonymous_goes_to_login(client):
    response = client.get("/wages/")
    assert response.status_code == 302


def test_case_pages_walk_the_lifecycle(logged_in):
    client, user, actor = logged_in
    enterprise = EnterpriseFactory(region_id="330127", above_designated_size=True)
    services.checklist_build(actor=actor, instructor_id=user.pk, region_code="330127")
    response = client.post(f"/wages/offer/{enterprise.pk}/")
    case_id = int(response.url.rstrip("/").split("/")[-1])
    url = f"/wages/cases/{case_id}/"
    assert client.post(url + "prepare/", {"worker_proposals": "技能津贴"}).status_code == 302
    assert client.post(url + "round/", {"held_on": "2026-12-01", "minutes": "第一轮"}).status_code == 302
    bad = client.post(
        url + "vote/",
        {
            "held_on": "2026-12-05",
            "representatives": 10,
            "votes_for": 8,
            "votes_against": 2,
            "votes_abstain": 1,
        },
    )
    assert bad.status_code == 400
    assert "票数合计 11 超过代表总数 10" in bad.content.decode()
    assert (
        client.post(
            url + "vote/",
            {
                "held_on": "2026-12-05",
                "representatives": 10,
                "votes_for": 8,
                "votes_against": 2,
                "votes_abstain": 0,
            },
        ).status_code
        == 302
    )
    sign = {
        "kind": "skill_wage",
        "signed_on": "2026-12-10",
        "starts_on": "2027-01-01",
        "ends_on": "2029-12-31",
        "workers_covered": 100,
        "average_raise": "6.0",
        "minimum_pay": 2600,
        "base_5": 4000,
        "base_4": 3900,
        "item_skill_allowance": 300,
    }
    bad = client.post(url + "sign/", sign)
    assert bad.status_code == 400
    assert "工资等级表不能随等级递减：中级工岗位工资 3900 元低于初级工的 4000 元" in bad.content.decode()
    assert client.post(url + "sign/", {**sign, "base_4": 4500}).status_code == 302
    assert client.post(url + "file/", {"filed_on": "2026-12-12", "filing_number": "A-1"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'data-status="filed"' in page
    agreement_page = client.get(f"/wages/agreements/{client.get(url).context['agreement'].pk}/")
    assert agreement_page.status_code == 200
    assert agreement_page.context["comparison"]["agreement"] == [4000, 4500]


def test_other_county_case_is_404(logged_in):
    client, _, _ = logged_in
    user, actor = instructor("330203")
    case = case_at(actor, user, region_code="330203", stage="preparing")
    assert client.get(f"/wages/cases/{case.pk}/").status_code == 404
    assert (
        client.post(f"/wages/cases/{case.pk}/round/", {"held_on": "2026-01-20", "minutes": "x"}).status_code
        == 404
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PREPARING


def test_contact_page_records_a_touchpoint(logged_in):
    client, _, _ = logged_in
    enterprise = EnterpriseFactory(region_id="330127")
    response = client.post(
        f"/wages/enterprises/{enterprise.pk}/contacts/",
        {"kind": "safety_inspection", "happened_on": "2026-06-01", "notes": "安全检查时宣讲"},
    )
    assert response.status_code == 302
    assert list(ContactLog.objects.values_list("kind", "happened_on")) == [
        ("safety_inspection", date(2026, 6, 1))
    ]


def test_pages_and_refusals_in_english(logged_in):
    from django.conf import settings

    client, user, actor = logged_in
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "My coverage checklist" in client.get("/wages/checklist/").content.decode()
    case = case_at(actor, user, stage="reviewed")
    response = client.post(f"/wages/cases/{case.pk}/file/", {"filed_on": "2026-03-05"})
    assert response.status_code == 400
    assert "Only a signed agreement can be filed" in response.content.decode()


def test_campaign_from_the_checklist_offers_every_ticked_enterprise(logged_in):
    from gonghui.wages.models import BargainingCase, Campaign

    client, user, actor = logged_in
    first, second, third = (
        EnterpriseFactory(region_id="330127", above_designated_size=True) for _ in range(3)
    )
    services.checklist_build(actor=actor, instructor_id=user.pk, region_code="330127")
    page = client.get("/wages/checklist/").content.decode()
    assert page.count('form="campaign-form"') == 3
    response = client.post(
        "/wages/campaigns/launch/",
        {"name": "2026年集中要约", "kind": "centralised_offer", "enterprise_ids": [first.pk, third.pk]},
    )
    campaign = Campaign.objects.get()
    assert response.url == f"/wages/cases/?campaign={campaign.pk}"
    assert sorted(
        BargainingCase.objects.filter(campaign=campaign).values_list("enterprise_id", flat=True)
    ) == [first.pk, third.pk]
    listed = client.get(response.url)
    assert listed.context["count"] == 2
    # An enterprise not on the instructor's open checklist cannot be slipped in.
    client.post(
        "/wages/campaigns/launch/",
        {"name": "再次", "kind": "centralised_offer", "enterprise_ids": [first.pk]},
    )
    assert Campaign.objects.count() == 1


def test_area_offer_page_opens_a_regional_case(logged_in):
    from gonghui.wages.models import BargainingCase

    client, user, _ = logged_in
    response = client.post(
        "/wages/cases/area/",
        {
            "scope": "regional",
            "region_code": "330127",
            "industry": "C",
            "title": "淳安县小微企业区域性能级工资集体合同",
        },
    )
    case = BargainingCase.objects.get()
    assert response.url == f"/wages/cases/{case.pk}/"
    assert (case.scope, case.region_id, case.enterprise_id, case.instructor_id) == (
        "regional",
        "330127",
        None,
        user.pk,
    )
    outside = client.post(
        "/wages/cases/area/", {"scope": "regional", "region_code": "330203", "industry": "C", "title": "x"}
    )
    assert outside.url == "/wages/cases/"
    assert BargainingCase.objects.count() == 1
