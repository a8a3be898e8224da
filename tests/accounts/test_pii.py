import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse

from gonghui.accounts import services
from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Member
from tests.factories import MemberFactory, UserFactory, role_user, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return MemberFactory(name="张三", region_id="330127", id_number="330127199001011237", phone="13812345678")


def test_member_list_shows_masked_values(member):
    client = Client()
    client.force_login(staff_user("330127"))
    html = client.get(reverse("orgs:members")).content.decode()
    assert "张*" in html and "138****5678" in html and "330127********1237" in html
    assert "13812345678" not in html and "330127199001011237" not in html
    item = client.get("/api/v1/orgs/members").json()["items"][0]
    assert (item["name"], item["phone"], item["id_number"]) == ("张*", "138****5678", "330127********1237")


@pytest.mark.parametrize("field,value", [("id_number", "330127199001011237"), ("phone", "13812345678")])
def test_staff_of_the_region_unmask_and_it_is_audited(member, actor_of, field, value):
    actor = actor_of(staff_user("330100", level="city"), "staff")
    assert services.pii_unmask(actor=actor, model=Member, pk=member.pk, field=field) == value
    event = AuditEvent.objects.get(action="pii.unmask")
    assert (event.result, event.object_id, event.changes) == ("allowed", str(member.pk), {"field": field})


def test_staff_elsewhere_get_404_and_an_audited_refusal(member, actor_of):
    actor = actor_of(staff_user("330203"), "staff")
    with pytest.raises(Http404):
        services.pii_unmask(actor=actor, model=Member, pk=member.pk, field="phone")
    results = list(
        AuditEvent.objects.filter(action="pii.unmask").values_list("result", "object_id", "detail")
    )
    assert results == [("refused", str(member.pk), "out_of_scope")]


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN, Role.MEMBER, Role.CRAFTSMAN])
def test_other_roles_cannot_unmask_members(member, actor_of, role):
    with pytest.raises(PermissionDenied):
        services.pii_unmask(
            actor=actor_of(role_user(role), role), model=Member, pk=member.pk, field="id_number"
        )
    assert AuditEvent.objects.get(action="pii.unmask").result == "refused"


def test_unmask_via_api(member):
    client = Client()
    client.force_login(staff_user("330127"))
    response = client.post(
        f"/api/v1/orgs/members/{member.pk}/unmask", {"field": "phone"}, content_type="application/json"
    )
    assert response.json() == {"field": "phone", "value": "13812345678"}
    response = client.post(
        f"/api/v1/orgs/members/{member.pk}/unmask", {"field": "name"}, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.AUDITADMIN, Role.STAFF])
def test_only_security_admin_unmasks_account_phones(actor_of, role):
    target = UserFactory(phone="13900009999")
    user = staff_user("330127") if role == Role.STAFF else role_user(role)
    with pytest.raises(PermissionDenied):
        services.pii_unmask(actor=actor_of(user, role), model=User, pk=target.pk, field="phone")


def test_member_downloads_everything_held_about_them(member):
    user = UserFactory(name="张三", phone="13812345678")
    Member.objects.filter(pk=member.pk).update(user=user)
    RoleAssignment.objects.create(user=user, role=Role.MEMBER)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("accounts:my_data"))
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["phone"] == "13812345678"
    assert data["member"]["id_number"] == "330127199001011237"
    assert data["member"]["birth_date"] is None or data["member"]["birth_date"].startswith("1990")
    assert [r["role"] for r in data["roles"]] == ["member"]
    assert client.get("/api/v1/accounts/me/data").json()["member"]["phone"] == "13812345678"
    assert AuditEvent.objects.filter(action="pii.self_export", actor_user_id=user.pk).count() == 2
