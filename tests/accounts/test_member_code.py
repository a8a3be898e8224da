import base64
import json
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from gonghui.accounts import membercode, services
from gonghui.accounts.models import MemberCodeScan, Role, RoleAssignment
from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from gonghui.core.models import AuditEvent
from tests.factories import MemberFactory, UserFactory, role_user, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_user():
    user = UserFactory(name="陈晓东")
    MemberFactory(user=user, name="陈晓东", region_id="330127")
    RoleAssignment.objects.create(user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def checker(actor_of):
    return actor_of(role_user(Role.STATION_MANAGER), Role.STATION_MANAGER)


def _payload(token):
    return json.loads(membercode._unb64(token.split(".")[1]))


def test_code_reveals_no_personal_data_and_verifies_offline(member_user, actor_of):
    token = services.member_code_issue(actor=actor_of(member_user, Role.MEMBER))
    claims = _payload(token)
    assert set(claims) == {"r", "i", "e", "n"}
    assert claims["r"] == member_user.member.code_ref and claims["e"] - claims["i"] == 60
    for secret in (member_user.name, member_user.member.id_number, member_user.member.phone):
        assert secret not in token and secret not in json.dumps(claims, ensure_ascii=False)
    assert member_user.member.pk not in (claims["r"], claims["n"])
    # Offline: only the public key (as the API publishes it) and a memory of seen codes.
    public = base64.b64decode(Client().get("/api/v1/accounts/member-code/public-key").json()["public_key"])
    seen = set()
    first = membercode.check_token(token, public, seen=seen)
    assert (first.valid, first.member_ref) == (True, member_user.member.code_ref)
    seen.add(first.token_id)
    assert membercode.check_token(token, public, seen=seen).reason == membercode.REPLAYED


def test_server_check_accepts_once_then_refuses_replay(member_user, actor_of, checker):
    token = services.member_code_issue(actor=actor_of(member_user, Role.MEMBER))
    assert services.member_code_verify(actor=checker, token=token).valid is True
    replay = services.member_code_verify(actor=checker, token=token)
    assert (replay.valid, replay.reason) == (False, "replayed")
    assert list(MemberCodeScan.objects.order_by("id").values_list("accepted", "reason")) == [
        (True, ""),
        (False, "replayed"),
    ]
    assert list(AuditEvent.objects.filter(action="member_code.verify").values_list("result", "detail")) == [
        ("allowed", ""),
        ("refused", "replayed"),
    ]


def test_tampered_code_is_refused(member_user, actor_of, checker):
    token = services.member_code_issue(actor=actor_of(member_user, Role.MEMBER))
    prefix, payload, signature = token.split(".")
    claims = _payload(token)
    claims["e"] += 3600  # try to stretch its life
    forged = ".".join(
        [prefix, membercode._b64(json.dumps(claims, separators=(",", ":")).encode()), signature]
    )
    assert services.member_code_verify(actor=checker, token=forged).reason == "bad_signature"
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    assert services.member_code_verify(actor=checker, token=flipped).reason == "bad_signature"
    assert services.member_code_verify(actor=checker, token="hello").reason == "malformed"
    # A code signed by another key is refused too.
    other = membercode.issue_token(membercode.private_key_from_seed(b"x" * 32), member_user.member.code_ref)
    assert services.member_code_verify(actor=checker, token=other).reason == "bad_signature"


def test_expired_code_is_refused(member_user, checker):
    key = services.member_code_private_key()
    old = membercode.issue_token(key, member_user.member.code_ref, now=time.time() - 60 - 16)
    assert services.member_code_verify(actor=checker, token=old).reason == "expired"
    recent = membercode.issue_token(key, member_user.member.code_ref, now=time.time() - 60 - 10)
    assert (
        services.member_code_verify(actor=checker, token=recent).valid is True
    )  # within the clock-skew grace
    future = membercode.issue_token(key, member_user.member.code_ref, now=time.time() + 120)
    assert services.member_code_verify(actor=checker, token=future).reason == "not_yet_valid"


def test_code_of_a_member_who_left_is_refused(member_user, actor_of, checker):
    token = services.member_code_issue(actor=actor_of(member_user, Role.MEMBER))
    member_user.member.status = "left"
    member_user.member.save()
    assert services.member_code_verify(actor=checker, token=token).reason == "unknown_member"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CRAFTSMAN, Role.AUDITADMIN])
def test_only_staff_and_station_managers_verify(member_user, actor_of, role):
    token = services.member_code_issue(actor=actor_of(member_user, Role.MEMBER))
    with pytest.raises(PermissionDenied):
        services.member_code_verify(actor=actor_of(role_user(role), role), token=token)
    assert not MemberCodeScan.objects.exists()


def test_member_page_shows_qr_and_staff_page_checks(member_user):
    client = Client()
    client.force_login(member_user)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = member_user.role_assignments.get().pk
    session.save()
    page = client.get(reverse("accounts:member_code"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'hx-trigger="every 50s"' in html
    token = page.context["token"]
    staff = staff_user("330102")
    client = Client()
    client.force_login(staff)
    response = client.post(reverse("accounts:member_code_check"), {"token": token})
    assert response.context["result"] == {"valid": True, "reason": "", "text": "工惠码有效，在册会员。"}
    response = client.post(reverse("accounts:member_code_check"), {"token": token})
    assert response.context["result"]["reason"] == "replayed"
    api = client.post(
        "/api/v1/accounts/member-code/verify", {"token": token}, content_type="application/json"
    )
    assert api.json() == {
        "valid": False,
        "reason": "replayed",
        "reason_text": "该工惠码已被使用过（重复出示）。",
        "member_ref": member_user.member.code_ref,
    }
