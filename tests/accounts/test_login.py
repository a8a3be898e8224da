import logging
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import Role, RoleAssignment, SmsCode, User
from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from gonghui.core.models import AuditEvent
from gonghui.core.pii import lookup_hash
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db
PASSWORD = "Test@Pass123"


def _login(client, phone, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"phone": phone, "password": password})


def test_password_login_sets_the_only_role_and_is_audited(client):
    user = staff_user("330127")
    response = _login(client, user.phone)
    assert response.status_code == 302 and response["Location"] == "/"
    assignment = user.role_assignments.get()
    assert client.session[ACTIVE_ROLE_SESSION_KEY] == assignment.pk
    event = AuditEvent.objects.get(action="account.login")
    assert (event.result, event.actor_user_id, event.detail, event.client_ip) == (
        "allowed",
        user.pk,
        "password",
        "127.0.0.1",
    )


def test_wrong_password_counts_down_then_locks_for_15_minutes(client):
    user = UserFactory(phone="13912340000")
    for left in (4, 3, 2, 1):
        response = _login(client, user.phone, "Wrong@Pass1")
        assert response.status_code == 200
        assert f"再错{left}次账号将被锁定15分钟" in response.content.decode()
    response = _login(client, user.phone, "Wrong@Pass1")
    assert "账号已锁定15分钟" in response.content.decode()
    user.refresh_from_db()
    assert user.locked_until > timezone.now() + timedelta(minutes=14)
    # Even the right password is refused while locked, with the same clear message.
    response = _login(client, user.phone)
    assert "账号已锁定15分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session
    refusals = list(AuditEvent.objects.filter(action="account.login").values_list("result", "detail"))
    assert refusals == [("refused", f"bad_password {n}/5") for n in (1, 2, 3, 4)] + [
        ("refused", "bad_password locked"),
        ("refused", "locked"),
    ]
    # After 15 minutes the right password works again.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _login(client, user.phone).status_code == 302


def test_unknown_number_gets_the_same_message_and_an_audit_entry(client):
    response = _login(client, "13900001111")
    assert "手机号或密码不正确。" in response.content.decode()
    event = AuditEvent.objects.get(action="account.login")
    assert (event.result, event.actor_user_id, event.detail) == (
        "refused",
        None,
        "unknown_account 139****1111",
    )


def test_invalid_number_is_a_field_error(client):
    response = _login(client, "12345")
    assert response.status_code == 200
    assert re.search(r'data-field="phone">.*请输入11位中国大陆手机号码', response.content.decode(), re.S)


def test_sms_code_login_creates_an_account_for_a_new_number(client, sms):
    phone = "13711112222"
    response = client.post(reverse("accounts:login_sms"), {"phone": phone, "send": "1"})
    assert response.status_code == 200 and "验证码已发送" in response.content.decode()
    code = sms.last_code(phone)
    response = client.post(reverse("accounts:login_sms"), {"phone": phone, "code": code, "login": "1"})
    assert response.status_code == 302
    user = User.objects.get_by_phone(phone)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert list(AuditEvent.objects.filter(action="account.login").values_list("result", "detail")) == [
        ("allowed", "sms_code new_account")
    ]
    # The code is good once.
    client.logout()
    response = client.post(reverse("accounts:login_sms"), {"phone": phone, "code": code, "login": "1"})
    assert "验证码无效或已过期" in response.content.decode()


def test_sms_code_resend_wait_expiry_wrong_code_and_daily_cap(client, sms):
    phone = "13711113333"
    client.post(reverse("accounts:login_sms"), {"phone": phone, "send": "1"})
    response = client.post(reverse("accounts:login_sms"), {"phone": phone, "send": "1"})
    assert re.search(r"验证码已发送，请\d+秒后再获取", response.content.decode())
    assert len(sms.SENT) == 1
    response = client.post(reverse("accounts:login_sms"), {"phone": phone, "code": "000000", "login": "1"})
    if sms.last_code(phone) != "000000":
        assert "验证码不正确" in response.content.decode()
    # Five minutes later the code is dead.
    SmsCode.objects.update(
        expires_at=timezone.now() - timedelta(seconds=1), created_at=timezone.now() - timedelta(minutes=5)
    )
    response = client.post(
        reverse("accounts:login_sms"), {"phone": phone, "code": sms.last_code(phone), "login": "1"}
    )
    assert "验证码无效或已过期" in response.content.decode()
    # Daily cap: ten codes today, the eleventh is refused.
    now = timezone.now()
    SmsCode.objects.bulk_create(
        [
            SmsCode(
                phone_hash=lookup_hash(phone),
                code_hash="x",
                created_at=now - timedelta(minutes=2 + i),
                expires_at=now,
            )
            for i in range(9)
        ]
    )
    response = client.post(reverse("accounts:login_sms"), {"phone": phone, "send": "1"})
    assert "今天获取验证码的次数已达上限" in response.content.decode()
    assert len(sms.SENT) == 1
    assert AuditEvent.objects.filter(action="account.sms_code", result="refused").count() == 2


def test_default_backend_writes_the_code_to_the_log(client, caplog):
    assert settings.SMS_BACKEND == "gonghui.accounts.sms.LogSmsBackend"
    phone = "13711114444"
    with caplog.at_level(logging.INFO, logger="gonghui.sms"):
        client.post(reverse("accounts:login_sms"), {"phone": phone, "send": "1"})
    code = re.search(r"SMS to 13711114444: .*?(\d{6})", caplog.text).group(1)
    response = client.post(reverse("accounts:login_sms"), {"phone": phone, "code": code, "login": "1"})
    assert response.status_code == 302


def test_several_roles_choose_one_and_switch(client):
    user = staff_user("330127")
    member_role = RoleAssignment.objects.create(user=user, role=Role.MEMBER)
    response = _login(client, user.phone)
    assert response["Location"].startswith(reverse("accounts:choose_role"))
    assert ACTIVE_ROLE_SESSION_KEY not in client.session
    response = client.post(reverse("accounts:choose_role"), {"assignment": member_role.pk})
    assert response.status_code == 302
    assert client.session[ACTIVE_ROLE_SESSION_KEY] == member_role.pk
    assert client.get(reverse("accounts:me")).context["request"].actor.role == "member"
    # Someone else's role cannot be chosen.
    other = RoleAssignment.objects.create(user=UserFactory(), role=Role.SECADMIN)
    client.post(reverse("accounts:choose_role"), {"assignment": other.pk})
    assert client.session[ACTIVE_ROLE_SESSION_KEY] == member_role.pk
    assert AuditEvent.objects.filter(action="account.role_switch").values_list("result", flat=True)[::1] == [
        "allowed",
        "refused",
    ]


def test_sessions_time_out_when_idle(client):
    user = staff_user("330127")
    _login(client, user.phone)
    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_logout_is_audited(client):
    user = staff_user("330127")
    _login(client, user.phone)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="account.logout", actor_user_id=user.pk).count() == 1


def test_api_password_and_sms_login(client, sms):
    user = staff_user("330127")
    response = client.post(
        "/api/v1/accounts/login", {"phone": user.phone, "password": "bad"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "手机号或密码不正确，再错4次账号将被锁定15分钟。"
    response = client.post(
        "/api/v1/accounts/login", {"phone": user.phone, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["active_role"], body["phone"]) == ("staff", user.phone[:3] + "****" + user.phone[-4:])
    assert client.get("/api/v1/accounts/me").json()["user_id"] == user.pk
    client.post("/api/v1/accounts/logout")
    assert client.get("/api/v1/accounts/me").status_code == 401
    assert (
        client.post(
            "/api/v1/accounts/sms-code", {"phone": user.phone}, content_type="application/json"
        ).status_code
        == 200
    )
    response = client.post(
        "/api/v1/accounts/login/sms",
        {"phone": user.phone, "code": sms.last_code(user.phone)},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["user_id"] == user.pk


def test_messages_in_english(client):
    response = client.post(
        reverse("accounts:login"), {"phone": "13900001111", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Wrong mobile number or password." in response.content.decode()
