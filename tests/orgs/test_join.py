import random

import pytest
from django.test import Client

from gonghui.accounts.models import Role
from gonghui.core import identities
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import JoinApplication, Member, OrgLevel
from tests.factories import OrganisationFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db
rng = random.Random(3)


@pytest.fixture
def holding():
    return OrganisationFactory(
        region_id="330127",
        level=OrgLevel.INDUSTRY,
        is_holding_union=True,
        name="淳安县新就业形态劳动者工会联合会",
    )


def _apply(client, holding, **overrides):
    payload = {
        "union_id": holding.pk,
        "name": "刘快递",
        "id_number": identities.id_number(rng, "330127"),
        "phone": "13600001111",
        "occupation": "courier",
        "employer_name": "某快递网点",
    }
    payload.update(overrides)
    return client.post("/api/v1/orgs/join-applications", payload, content_type="application/json")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_apply_then_county_staff_approve_creates_member_and_role(holding):
    worker = UserFactory(name="")
    response = _apply(_client(worker), holding)
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["name"], body["region_code"]) == ("pending", "刘*递", "330127")
    staff = _client(staff_user("330127"))
    assert [i["id"] for i in staff.get("/api/v1/orgs/join-applications").json()["items"]] == [body["id"]]
    response = staff.post(
        f"/api/v1/orgs/join-applications/{body['id']}/approve", {}, content_type="application/json"
    )
    assert response.json()["status"] == "approved"
    member = Member.objects.get(user=worker)
    assert (member.union, member.occupation, member.region_id, member.phone) == (
        holding,
        "courier",
        "330127",
        "13600001111",
    )
    worker.refresh_from_db()
    assert worker.name == "刘快递"
    assert list(worker.role_assignments.values_list("role", flat=True)) == [Role.MEMBER]
    assert list(AuditEvent.objects.filter(action__startswith="join.").values_list("action", "result")) == [
        ("join.apply", "allowed"),
        ("join.approve", "allowed"),
    ]
    # The applicant sees the decision.
    assert _client(worker).get("/api/v1/orgs/join-applications").json()["items"][0]["status"] == "approved"


def test_refusal_needs_a_reason_and_the_applicant_sees_it(holding):
    worker = UserFactory()
    app_id = _apply(_client(worker), holding).json()["id"]
    staff = _client(staff_user("330127"))
    response = staff.post(
        f"/api/v1/orgs/join-applications/{app_id}/refuse", {"reason": ""}, content_type="application/json"
    )
    assert response.json()["errors"] == {"reason": ["不批准时请填写理由。"]}
    response = staff.post(
        f"/api/v1/orgs/join-applications/{app_id}/refuse",
        {"reason": "身份证照片不清楚"},
        content_type="application/json",
    )
    assert (response.json()["status"], response.json()["reason"]) == ("refused", "身份证照片不清楚")
    assert not Member.objects.exists()
    again = staff.post(
        f"/api/v1/orgs/join-applications/{app_id}/approve", {}, content_type="application/json"
    )
    assert again.json()["detail"] == "该申请已处理。"
    assert not Member.objects.exists()


def test_staff_of_another_county_get_404_and_it_is_audited(holding):
    app_id = _apply(_client(UserFactory()), holding).json()["id"]
    other = _client(staff_user("330203"))
    assert other.get(f"/api/v1/orgs/join-applications/{app_id}").status_code == 404
    assert (
        other.post(
            f"/api/v1/orgs/join-applications/{app_id}/approve", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert JoinApplication.objects.get().status == "pending"
    assert list(AuditEvent.objects.filter(result="refused").values_list("action", "object_id")) == [
        ("join.view", str(app_id)),
        ("join.approve", str(app_id)),
    ]


def test_bad_input_and_duplicates(holding):
    worker = UserFactory()
    client = _client(worker)
    body = _apply(client, holding, id_number="330127199001011230", phone="123").json()
    assert set(body["errors"]) == {"id_number", "phone"}
    assert _apply(client, holding).status_code == 201
    assert _apply(client, holding).json()["detail"] == "您已有一份待审核的入会申请。"
    not_holding = OrganisationFactory(region_id="330127")
    assert _apply(client, not_holding).status_code == 400
    assert JoinApplication.objects.count() == 1


def test_a_member_cannot_join_again(holding):
    worker = UserFactory()
    client = _client(worker)
    id_no = identities.id_number(rng, "330127")
    app_id = _apply(client, holding, id_number=id_no).json()["id"]
    _client(staff_user("330127")).post(
        f"/api/v1/orgs/join-applications/{app_id}/approve", {}, content_type="application/json"
    )
    assert _apply(client, holding).json()["detail"] == "您已经是工会会员，无需重复入会。"
    assert (
        _apply(_client(UserFactory()), holding, id_number=id_no).json()["detail"]
        == "您已经是工会会员，无需重复入会。"
    )
