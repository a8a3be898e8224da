import random

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.core import identities
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Enterprise, Member, OrgLevel
from tests.factories import EnterpriseFactory, MemberFactory, OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db
rng = random.Random(11)


def _staff_client(region="330127", level=OrgLevel.COUNTY):
    user = staff_user(region, level=level)
    client = Client()
    client.force_login(user)
    return client, user


def _enterprise_payload(**overrides):
    data = {
        "credit_code": identities.credit_code(rng, "330127"),
        "name": "淳安测试机械有限公司",
        "industry": "C",
        "industry_division": "34",
        "region": "330127",
        "employees": 120,
        "unionised": True,
    }
    data.update(overrides)
    return data


def test_staff_create_and_update_an_enterprise_via_api():
    client, _ = _staff_client()
    response = client.post("/api/v1/orgs/enterprises", _enterprise_payload(), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["region_code"], body["industry"], body["unionised"]) == ("330127", "C", True)
    update = _enterprise_payload(credit_code=body["credit_code"], name="改名后的公司")
    response = client.put(f"/api/v1/orgs/enterprises/{body['id']}", update, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "改名后的公司"
    assert list(AuditEvent.objects.values_list("action", "result")) == [
        ("enterprise.create", "allowed"),
        ("enterprise.update", "allowed"),
    ]
    assert AuditEvent.objects.get(action="enterprise.update").changes == {"name": "改名后的公司"}


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"credit_code": "91330127ABCDEFGHI0"}, "credit_code", "统一社会信用代码"),
        ({"region": "339999"}, "region", "未知的行政区划代码：339999"),
        ({"region": "330203"}, "region", "该区划不在您的管辖范围内。"),
        (
            {"industry": "C", "industry_division": "59"},
            "industry_division",
            "行业大类59不属于门类C（GB/T 4754）。",
        ),
    ],
)
def test_bad_enterprise_input_is_a_field_error_and_saves_nothing(overrides, field, message):
    client, _ = _staff_client()
    response = client.post(
        "/api/v1/orgs/enterprises", _enterprise_payload(**overrides), content_type="application/json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field] and message in errors[field][0]
    assert not Enterprise.objects.exists()


def test_duplicate_credit_code_is_refused():
    existing = EnterpriseFactory(region_id="330127")
    client, _ = _staff_client()
    response = client.post(
        "/api/v1/orgs/enterprises",
        _enterprise_payload(credit_code=existing.credit_code),
        content_type="application/json",
    )
    assert response.json()["errors"] == {"credit_code": ["该统一社会信用代码已登记。"]}
    assert Enterprise.objects.count() == 1


def test_member_create_with_checks_and_duplicate_id_number():
    client, user = _staff_client()
    union = OrganisationFactory(region_id="330127", level=OrgLevel.GRASSROOTS)
    id_no = identities.id_number(rng, "330127")
    payload = {
        "name": "李四",
        "id_number": id_no,
        "phone": "13812340001",
        "union": union.code,
        "occupation": "courier",
        "skill_grade": "4",
        "join_date": "2025-03-01",
    }
    response = client.post("/api/v1/orgs/members", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    member = Member.objects.get()
    assert (member.region_id, member.id_number, member.birth_date.isoformat()) == (
        "330127",
        id_no,
        f"{id_no[6:10]}-{id_no[10:12]}-{id_no[12:14]}",
    )
    response = client.post("/api/v1/orgs/members", payload, content_type="application/json")
    assert response.json()["errors"] == {"id_number": ["该身份证号码已登记为会员。"]}
    bad = dict(payload, id_number=id_no[:17] + ("0" if id_no[17] != "0" else "1"), phone="1234")
    errors = client.post("/api/v1/orgs/members", bad, content_type="application/json").json()["errors"]
    assert errors == {"id_number": ["身份证号码校验位不正确。"], "phone": ["请输入11位中国大陆手机号码。"]}
    assert Member.objects.count() == 1


def test_out_of_scope_detail_and_update_are_404_and_audited():
    elsewhere = EnterpriseFactory(region_id="330203")
    client, user = _staff_client()
    assert client.get(f"/api/v1/orgs/enterprises/{elsewhere.pk}").status_code == 404
    response = client.put(
        f"/api/v1/orgs/enterprises/{elsewhere.pk}",
        _enterprise_payload(credit_code=elsewhere.credit_code, region="330203"),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert list(AuditEvent.objects.values_list("action", "result", "object_id")) == [
        ("enterprise.view", "refused", str(elsewhere.pk)),
        ("enterprise.update", "refused", str(elsewhere.pk)),
    ]
    assert client.get(reverse("orgs:enterprise_edit", args=[elsewhere.pk])).status_code == 404


def test_lists_are_scoped_and_pages_work():
    inside = EnterpriseFactory(region_id="330127")
    EnterpriseFactory(region_id="330203")
    MemberFactory(region_id="330203")
    client, _ = _staff_client()
    body = client.get("/api/v1/orgs/enterprises").json()
    assert [i["id"] for i in body["items"]] == [inside.pk]
    assert client.get("/api/v1/orgs/members").json() == {"items": [], "count": 0}
    page = client.get(reverse("orgs:enterprises"))
    assert [r["pk"] for r in page.context["rows"]] == [inside.pk]
    response = client.post(reverse("orgs:enterprise_new"), _enterprise_payload())
    assert response.status_code == 302
    assert Enterprise.objects.filter(region_id="330127").count() == 2


def test_members_and_enterprise_contacts_see_only_their_own():
    from gonghui.accounts.models import Role, RoleAssignment
    from tests.factories import UserFactory

    mine = EnterpriseFactory(region_id="330127")
    EnterpriseFactory(region_id="330127")
    contact = UserFactory()
    RoleAssignment.objects.create(user=contact, role=Role.ENTERPRISE, enterprise=mine)
    client = Client()
    client.force_login(contact)
    assert [i["id"] for i in client.get("/api/v1/orgs/enterprises").json()["items"]] == [mine.pk]
    assert client.get("/api/v1/orgs/members").json()["count"] == 0
    assert (
        client.post(
            "/api/v1/orgs/enterprises", _enterprise_payload(), content_type="application/json"
        ).status_code
        == 403
    )


def test_organisation_create_under_a_parent_in_scope_only():
    client, user = _staff_client()
    county = user.role_assignments.get().organisation
    payload = {
        "code": "330127-T1",
        "name": "测试街道工会",
        "level": "town",
        "parent": county.code,
        "region": "330127",
    }
    response = client.post("/api/v1/orgs/organisations", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["parent_code"] == county.code
    elsewhere = OrganisationFactory(region_id="330203")
    response = client.post(
        "/api/v1/orgs/organisations",
        dict(payload, code="330127-T2", parent=elsewhere.code),
        content_type="application/json",
    )
    assert response.json()["errors"] == {"parent": ["找不到该工会组织，或它不在您的管辖范围内。"]}
    response = client.post(
        "/api/v1/orgs/organisations", dict(payload, code="330127-T1"), content_type="application/json"
    )
    assert response.json()["errors"] == {"code": ["该组织代码已存在。"]}


def test_member_export_is_masked():
    import io

    from openpyxl import load_workbook

    MemberFactory(name="王小明", region_id="330127", id_number="330127199001011237", phone="13812345678")
    client, _ = _staff_client()
    rows = list(load_workbook(io.BytesIO(client.get(reverse("orgs:member_export")).content)).active.values)
    assert rows[1][:3] == ("王*明", "330127********1237", "138****5678")
    assert AuditEvent.objects.get(action="members.export").changes == {"rows": 1}
