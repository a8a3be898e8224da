import io
import json

import pytest
from openpyxl import Workbook

from gonghui.accounts.models import Role
from gonghui.wages.models import Agreement, BargainingCase, CaseStatus, ContactLog
from tests.factories import EnterpriseFactory, role_user
from tests.wages.factories import case_at, instructor

pytestmark = pytest.mark.django_db
API = "/api/v1/wages"


@pytest.fixture
def api(client):
    user, actor = instructor("330127")
    client.force_login(user)

    def call(method, path, body=None):
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
        return getattr(client, method)(API + path, **kwargs)

    call.user, call.actor, call.client = user, actor, client
    return call


def test_lifecycle_through_the_api(api):
    enterprise = EnterpriseFactory(region_id="330127", above_designated_size=True, employees=140)
    response = api("post", "/cases", {"enterprise_id": enterprise.pk, "offered_on": "2026-01-05"})
    assert response.status_code == 201
    case = response.json()
    assert (case["status"], case["region_code"], case["instructor_id"]) == ("offered", "330127", api.user.pk)
    cid = case["id"]
    assert (
        api("post", f"/cases/{cid}/prepare", {"worker_proposals": "技能津贴"}).json()["status"] == "preparing"
    )
    rounds = api("post", f"/cases/{cid}/rounds", {"held_on": "2026-01-20", "minutes": "第一轮"}).json()[
        "rounds"
    ]
    assert rounds == [{"number": 1, "held_on": "2026-01-20", "minutes": "第一轮"}]
    too_many = api(
        "post",
        f"/cases/{cid}/vote",
        {
            "held_on": "2026-02-01",
            "representatives": 20,
            "votes_for": 15,
            "votes_against": 5,
            "votes_abstain": 1,
        },
    )
    assert (too_many.status_code, too_many.json()["detail"]) == (400, "票数合计 21 超过代表总数 20")
    vote = api(
        "post",
        f"/cases/{cid}/vote",
        {
            "held_on": "2026-02-01",
            "representatives": 20,
            "votes_for": 11,
            "votes_against": 5,
            "votes_abstain": 4,
        },
    )
    assert vote.json()["status"] == "reviewed"
    unsigned = api("post", f"/cases/{cid}/file", {"filed_on": "2026-03-05"})
    assert (unsigned.status_code, unsigned.json()["detail"]) == (400, "只有已签订的合同才能备案")
    sign = {
        "signed_on": "2026-03-01",
        "starts_on": "2026-03-01",
        "ends_on": "2029-02-28",
        "workers_covered": 140,
        "average_raise": "6.5",
        "minimum_pay": 2600,
        "ladder": [{"grade": "5", "base_pay": 4000, "allowance": 100}, {"grade": "4", "base_pay": 3800}],
        "items": [{"kind": "skill_allowance", "amount": 300}],
    }
    bad = api("post", f"/cases/{cid}/sign", sign)
    assert bad.status_code == 400
    assert bad.json()["errors"]["__all__"] == [
        "工资等级表不能随等级递减：中级工岗位工资 3800 元低于初级工的 4000 元",
        "工资等级表不能随等级递减：中级工技能津贴 0 元低于初级工的 100 元",
    ]
    sign["ladder"][1] = {"grade": "4", "base_pay": 4600, "allowance": 300}
    agreement = api("post", f"/cases/{cid}/sign", sign).json()
    assert (agreement["status"], agreement["enterprise_ids"], len(agreement["ladder"])) == (
        "signed",
        [enterprise.pk],
        2,
    )
    filed = api("post", f"/cases/{cid}/file", {"filed_on": "2026-03-05", "filing_number": "X-1"}).json()
    assert (filed["status"], filed["filing_number"]) == ("filed", "X-1")
    published = api("post", f"/cases/{cid}/publish", {"published_on": "2026-03-06"}).json()
    assert published["status"] == "in_force"
    compare = api("get", f"/agreements/{agreement['id']}/compare").json()
    assert (compare["grades"], compare["agreement"], compare["county_median"]) == (
        ["5", "4"],
        [4100, 4900],
        [None, None],
    )


def test_lists_are_paginated_with_id_and_region_code(api):
    case_at(api.actor, api.user, stage="signed")
    for path in ("/cases", "/agreements", "/checklist", "/contacts", "/campaigns", "/expiry-flags"):
        body = api("get", path).json()
        assert set(body) == {"items", "count"}, path
        for item in body["items"]:
            assert {"id", "region_code"} <= set(item), path
    assert api("get", "/cases").json()["count"] == 1


def test_out_of_scope_detail_is_404(api):
    other_user, other = instructor("330203")
    case = case_at(other, other_user, region_code="330203", stage="signed")
    assert api("get", f"/cases/{case.pk}").status_code == 404
    assert api("get", f"/agreements/{case.agreement.pk}").status_code == 404
    assert api("post", f"/cases/{case.pk}/file", {"filed_on": "2026-03-05"}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNED


def test_offer_outside_scope_is_400_with_message(api):
    ningbo = EnterpriseFactory(region_id="330203")
    response = api("post", "/cases", {"enterprise_id": ningbo.pk})
    assert (response.status_code, response.json()["detail"]) == (400, "所选企业或区域不在您的管辖范围内")
    assert BargainingCase.objects.count() == 0


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CRAFTSMAN, Role.STATION_MANAGER])
def test_non_staff_cannot_write_or_see_coverage(client, role):
    client.force_login(role_user(role))
    enterprise = EnterpriseFactory(region_id="330127")
    response = client.post(
        API + "/contacts",
        data=json.dumps({"enterprise_id": enterprise.pk, "kind": "visit", "happened_on": "2026-01-01"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.get(API + "/coverage").status_code == 403
    assert client.get(API + "/cases").json() == {"items": [], "count": 0}
    assert ContactLog.objects.count() == 0


def test_enterprise_contact_sees_own_case_only(client, api):
    case = case_at(api.actor, api.user, stage="signed")
    other = case_at(api.actor, api.user, stage="offered")
    client.force_login(role_user(Role.ENTERPRISE, enterprise=case.enterprise))
    ids = [c["id"] for c in client.get(API + "/cases").json()["items"]]
    assert ids == [case.pk]
    assert client.get(API + f"/cases/{other.pk}").status_code == 404


def test_coverage_endpoint(api):
    case_at(api.actor, api.user, stage="published")
    EnterpriseFactory(region_id="330127", unionised=True, above_designated_size=True)
    body = api("get", "/coverage?by=county&on=2026-06-01").json()
    assert (body["region_prefix"], body["total"]["agreements"], body["total"]["unionised_above_total"]) == (
        "330127",
        1,
        2,
    )
    assert [(r["key"], r["enterprises_covered"], r["unionised_above_rate"]) for r in body["rows"]] == [
        ("330127", 1, 50.0)
    ]


def test_import_endpoint_reports_every_bad_row(api):
    from gonghui.wages.importer import all_columns

    wb = Workbook()
    wb.active.append(all_columns())
    good = EnterpriseFactory(region_id="330127")
    wb.active.append(
        [
            good.credit_code,
            "能级工资",
            "2025-01-01",
            "2025-01-01",
            "2027-12-31",
            50,
            5,
            2600,
            "",
            4000,
            0,
            4200,
            0,
        ]
    )
    wb.active.append(
        [
            good.credit_code,
            "能级工资",
            "2025-01-01",
            "2025-01-01",
            "2024-12-31",
            50,
            5,
            2600,
            "",
            4000,
            0,
            4200,
            0,
        ]
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "a.xlsx"
    response = api.client.post(API + "/imports", {"file": buffer})
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == [
        f"第3行：同一企业在文件中重复出现：{good.credit_code}；合同期限的终止日期（2024-12-31）早于起始日期（2025-01-01）"
    ]
    assert Agreement.objects.count() == 0


def test_expiry_flags_reach_only_the_instructor(api):
    from datetime import date

    from gonghui.wages.services import agreements_refresh

    case = case_at(api.actor, api.user, stage="published")  # ends 2029-02-28
    agreements_refresh(on=date(2029, 2, 1))
    items = api("get", "/expiry-flags").json()["items"]
    assert [(f["agreement_id"], f["days"], f["ends_on"], f["seen"]) for f in items] == [
        (case.agreement.pk, 30, "2029-02-28", False),
        (case.agreement.pk, 60, "2029-02-28", False),
    ]
    assert api("post", f"/expiry-flags/{items[0]['id']}/seen").json()["seen"] is True
    assert len(api("get", "/expiry-flags?unseen_only=true").json()["items"]) == 1
    colleague, _ = instructor("330127")
    api.client.force_login(colleague)
    assert api("get", "/expiry-flags").json()["count"] == 0
    assert api("post", f"/expiry-flags/{items[1]['id']}/seen").status_code == 404
