"""三员分立: the system, security and audit administrators cannot do one another's work."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from gonghui.accounts import services
from gonghui.accounts.models import Role, RoleAssignment
from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from gonghui.core.models import AuditEvent
from tests.factories import UserFactory, role_user, staff_user

pytestmark = pytest.mark.django_db

ROLES = [Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN, Role.STAFF, Role.MEMBER]
PAGES = {
    "accounts:system": Role.SYSADMIN,
    "accounts:users": Role.SECADMIN,
    "accounts:audit_log": Role.AUDITADMIN,
}


def _client_as(role) -> tuple[Client, object]:
    user = staff_user("330127") if role == Role.STAFF else role_user(role)
    if role == Role.SYSADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    client = Client()
    client.force_login(user)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = user.role_assignments.get().pk
    session.save()
    return client, user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_each_admin_page_is_for_its_own_role_only(role, page):
    client, user = _client_as(role)
    response = client.get(reverse(page))
    expected = 200 if PAGES[page] == role else 403
    assert response.status_code == expected
    if expected == 403:
        event = AuditEvent.objects.get(actor_user_id=user.pk, result="refused")
        assert event.role == role


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_for_the_system_administrator_acting_as_such(role):
    client, _ = _client_as(role)
    response = client.get("/admin/")
    assert response.status_code == (200 if role == Role.SYSADMIN else 302)


def test_sysadmin_with_a_second_role_has_no_admin_site_in_that_role():
    client, user = _client_as(Role.SYSADMIN)
    staff = RoleAssignment.objects.create(user=user, role=Role.SECADMIN)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = staff.pk
    session.save()
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.SECADMIN])
def test_only_the_security_admin_assigns_roles(role, actor_of):
    _, user = _client_as(role)
    target = UserFactory()
    with pytest.raises(PermissionDenied):
        services.role_assign(actor=actor_of(user, role), user=target, role=Role.AUDITADMIN)
    assert not target.role_assignments.exists()
    assert AuditEvent.objects.get(action="account.role_assign").result == "refused"


def test_security_admin_assigns_and_revokes_but_never_for_themselves(actor_of):
    _, secadmin = _client_as(Role.SECADMIN)
    actor = actor_of(secadmin, Role.SECADMIN)
    target = UserFactory()
    assignment = services.role_assign(actor=actor, user=target, role=Role.SYSADMIN)
    target.refresh_from_db()
    assert (assignment.role, target.is_staff) == (Role.SYSADMIN, True)
    services.role_revoke(actor=actor, assignment=assignment)
    target.refresh_from_db()
    assert (target.is_staff, target.role_assignments.filter(active=True).count()) == (False, 0)
    with pytest.raises(PermissionDenied):
        services.role_assign(actor=actor, user=secadmin, role=Role.AUDITADMIN)
    assert list(secadmin.role_assignments.values_list("role", flat=True)) == [Role.SECADMIN]
    assert list(
        AuditEvent.objects.filter(action__startswith="account.role_").values_list("action", "result")
    ) == [
        ("account.role_assign", "allowed"),
        ("account.role_revoke", "allowed"),
        ("account.role_assign", "refused"),
    ]


def test_staff_role_needs_an_organisation(actor_of):
    _, secadmin = _client_as(Role.SECADMIN)
    target = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.role_assign(actor=actor_of(secadmin, Role.SECADMIN), user=target, role=Role.STAFF)
    assert exc.value.message_dict == {"organisation": ["工会工作人员必须绑定一个工会组织。"]}


def test_security_admin_pages_create_user_assign_and_unmask_phone():
    client, _ = _client_as(Role.SECADMIN)
    response = client.post(
        reverse("accounts:user_create"), {"phone": "13655556666", "name": "新同事", "password": ""}
    )
    assert response.status_code == 302
    from gonghui.accounts.models import User

    user = User.objects.get_by_phone("13655556666")
    staff_org = staff_user("330127").role_assignments.get().organisation
    response = client.post(
        reverse("accounts:user_detail", args=[user.pk]),
        {"op": "assign", "role": "staff", "organisation_code": staff_org.code},
    )
    assert response.status_code == 302
    assert user.role_assignments.get().organisation == staff_org
    page = client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert "136****6666" in page and "13655556666" not in page
    response = client.post(reverse("accounts:user_unmask_phone", args=[user.pk]))
    assert "13655556666" in response.content.decode()
    event = AuditEvent.objects.get(action="pii.unmask")
    assert (event.result, event.object_id, event.changes) == ("allowed", str(user.pk), {"field": "phone"})


def test_audit_admin_searches_with_filters():
    client, auditor = _client_as(Role.AUDITADMIN)
    other = UserFactory(phone="13912345000")
    Client().post(reverse("accounts:login"), {"phone": other.phone, "password": "wrong"})
    response = client.get(reverse("accounts:audit_log"), {"action": "account.login", "result": "refused"})
    rows = response.context["page"].object_list
    assert [(e.action, e.result, e.actor_user_id) for e in rows] == [("account.login", "refused", other.pk)]
    response = client.get(reverse("accounts:audit_log"), {"action": "account.login", "result": "allowed"})
    assert list(response.context["page"].object_list) == []
    assert AuditEvent.objects.filter(action="audit.search", actor_user_id=auditor.pk).count() == 2
    api = client.get("/api/v1/accounts/audit", {"action": "account.login"}).json()
    assert (api["count"], api["items"][0]["detail"]) == (1, "bad_password 1/5")
