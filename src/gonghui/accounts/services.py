"""Account writes: logins, SMS codes, role switching, user and role management, unmasking personal data.

Every function is one transaction with one audit event (``gonghui.core.audit``); refusals raise ServiceError
(or PermissionDenied/Http404) and are audited as refused.
"""

import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.accounts.models import Role, RoleAssignment, SmsCode, User
from gonghui.accounts.sms import send_sms
from gonghui.core.actor import Actor
from gonghui.core.audit import audited, record, record_refusal
from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_phone
from gonghui.core.pii import lookup_hash
from gonghui.core.validators import validate_mobile

LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15
SMS_CODE_TTL = timedelta(minutes=5)
SMS_RESEND_AFTER = timedelta(seconds=60)
SMS_DAILY_CAP = getattr(settings, "SMS_DAILY_CAP", 10)
SMS_MAX_ATTEMPTS = 5

# Roles whose work is separate: none of them may do another's (三员分立).
ADMIN_ROLES = {Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN}


def _login_actor(user: User | None, client_ip: str | None) -> Actor:
    if user is None:
        return Actor.anonymous(client_ip)
    return Actor(role="anonymous", user_id=user.pk, name=user.name, client_ip=client_ip)


def _locked_message(user: User) -> str:
    until = date_format(timezone.localtime(user.locked_until), "H:i")
    return _(
        "密码连续错误%(n)d次，账号已锁定%(m)d分钟，请于%(until)s后再试，或使用短信验证码登录后重置密码。"
    ) % {
        "n": LOCKOUT_FAILURES,
        "m": LOCKOUT_MINUTES,
        "until": until,
    }


def _is_locked(user: User) -> bool:
    return bool(user.locked_until and user.locked_until > timezone.now())


def login_by_password(*, phone: str, password: str, client_ip: str | None = None) -> User:
    """Check a mobile number and password. Five failures in a row lock the account for 15 minutes."""
    try:
        phone = validate_mobile(phone)
    except Exception:
        raise ServiceError({"phone": [_("请输入11位中国大陆手机号码。")]}) from None
    try:
        user = User.objects.get_by_phone(phone)
    except User.DoesNotExist:
        User().set_password(password)  # the same work as a real check: timing reveals no accounts
        record_refusal(
            _login_actor(None, client_ip), "account.login", reason=f"unknown_account {mask_phone(phone)}"
        )
        raise ServiceError(_("手机号或密码不正确。")) from None
    # Refusals are committed with their audit entry (and the failure count), then raised.
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        actor = _login_actor(user, client_ip)
        if not user.is_active:
            record_refusal(actor, "account.login", target=user, reason="inactive")
            message = _("账号已停用，请联系安全管理员。")
        elif _is_locked(user):
            record_refusal(actor, "account.login", target=user, reason="locked")
            message = _locked_message(user)
        elif not user.check_password(password):
            user.failed_logins += 1
            detail = f"bad_password {user.failed_logins}/{LOCKOUT_FAILURES}"
            if user.failed_logins >= LOCKOUT_FAILURES:
                user.failed_logins = 0
                user.locked_until = timezone.now() + timedelta(minutes=LOCKOUT_MINUTES)
                detail = "bad_password locked"
            user.save(update_fields=["failed_logins", "locked_until"])
            record_refusal(actor, "account.login", target=user, reason=detail)
            if _is_locked(user):
                message = _locked_message(user)
            else:
                message = _("手机号或密码不正确，再错%(left)d次账号将被锁定%(m)d分钟。") % {
                    "left": LOCKOUT_FAILURES - user.failed_logins,
                    "m": LOCKOUT_MINUTES,
                }
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login = timezone.now()
            user.save(update_fields=["failed_logins", "locked_until", "last_login"])
            record(actor, "account.login", target=user, detail="password")
            return user
    raise ServiceError(message)


def _code_hash(phone_hash: str, code: str) -> str:
    return hmac.new(phone_hash.encode(), code.encode(), hashlib.sha256).hexdigest()


def sms_code_send(*, phone: str, client_ip: str | None = None) -> None:
    """Send a 6-digit login code: good for 5 minutes, a new one only after 60 seconds, at most a few a day."""
    try:
        phone = validate_mobile(phone)
    except Exception:
        raise ServiceError({"phone": [_("请输入11位中国大陆手机号码。")]}) from None
    phone_hash = lookup_hash(phone)
    now = timezone.now()
    actor = Actor.anonymous(client_ip)
    refusal = None
    with transaction.atomic():
        recent = SmsCode.objects.select_for_update().filter(phone_hash=phone_hash)
        last = recent.order_by("-created_at").first()
        day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        if last and now - last.created_at < SMS_RESEND_AFTER:
            wait = int((SMS_RESEND_AFTER - (now - last.created_at)).total_seconds()) + 1
            refusal = ("too_soon", _("验证码已发送，请%(s)d秒后再获取。") % {"s": wait})
        elif recent.filter(created_at__gte=day_start).count() >= SMS_DAILY_CAP:
            refusal = ("daily_cap", _("今天获取验证码的次数已达上限，请明天再试或使用密码登录。"))
        else:
            code = f"{secrets.randbelow(1_000_000):06d}"
            SmsCode.objects.create(
                phone_hash=phone_hash,
                code_hash=_code_hash(phone_hash, code),
                created_at=now,
                expires_at=now + SMS_CODE_TTL,
            )
            record(
                actor, "account.sms_code", detail=f"sent {mask_phone(phone)}", object_type="accounts.smscode"
            )
            message = _("【工会】您的登录验证码为%(code)s，5分钟内有效。请勿告诉他人。") % {"code": code}
            # Sent inside the transaction: if the provider fails, no code is kept and the error reaches the user.
            send_sms(phone, message)
            return
    record_refusal(actor, "account.sms_code", reason=f"{refusal[0]} {mask_phone(phone)}")
    raise ServiceError(refusal[1])


def login_by_sms(*, phone: str, code: str, client_ip: str | None = None) -> User:
    """Check a login code. A number seen for the first time gets an account without roles (it may then join)."""
    try:
        phone = validate_mobile(phone)
    except Exception:
        raise ServiceError({"phone": [_("请输入11位中国大陆手机号码。")]}) from None
    phone_hash = lookup_hash(phone)
    now = timezone.now()
    refusal = None
    with transaction.atomic():
        sms = (
            SmsCode.objects.select_for_update()
            .filter(phone_hash=phone_hash, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        user = User.objects.filter(phone_hash=phone_hash).first()
        actor = _login_actor(user, client_ip)
        if sms is None:
            refusal = ("no_valid_code", _("验证码无效或已过期，请重新获取。"))
        elif sms.attempts >= SMS_MAX_ATTEMPTS:
            refusal = ("too_many_attempts", _("验证码错误次数过多，请重新获取。"))
        elif not hmac.compare_digest(sms.code_hash, _code_hash(phone_hash, (code or "").strip())):
            sms.attempts += 1
            sms.save(update_fields=["attempts"])
            refusal = ("bad_code", _("验证码不正确。"))
        elif user is not None and not user.is_active:
            refusal = ("inactive", _("账号已停用，请联系安全管理员。"))
        elif user is not None and _is_locked(user):
            refusal = ("locked", _locked_message(user))
        if refusal:
            record_refusal(
                actor, "account.login", target=user, reason=f"sms {refusal[0]} {mask_phone(phone)}"
            )
        else:
            sms.used_at = now
            sms.save(update_fields=["used_at"])
            created = user is None
            if created:
                user = User.objects.create_user(phone, None, name="")
            user.last_login = now
            user.failed_logins = 0
            user.save(update_fields=["last_login", "failed_logins"])
            record(
                _login_actor(user, client_ip),
                "account.login",
                target=user,
                detail="sms_code new_account" if created else "sms_code",
            )
            return user
    raise ServiceError(refusal[1])


def logout_recorded(*, actor: Actor) -> None:
    record(actor, "account.logout", object_type="accounts.user", object_id=str(actor.user_id or ""))


def role_switch(*, user: User, assignment_id: int, client_ip: str | None = None) -> RoleAssignment:
    actor = _login_actor(user, client_ip)
    with audited(actor, "account.role_switch") as draft:
        assignment = RoleAssignment.objects.filter(pk=assignment_id, user=user, active=True).first()
        if assignment is None:
            raise ServiceError(_("您没有这个角色。"))
        draft.target = assignment
        draft.changes = {"role": assignment.role}
    return assignment


# --- security administrator: users and role assignments -------------------------------------------------------


def _require(actor: Actor, role: str) -> None:
    if actor.role != role:
        raise PermissionDenied(_("此操作只能由%(role)s完成。") % {"role": Role(role).label})


def user_create(*, actor: Actor, phone: str, name: str, password: str | None = None) -> User:
    with audited(actor, "account.user_create") as draft:
        _require(actor, Role.SECADMIN)
        try:
            phone = validate_mobile(phone)
        except Exception:
            raise ServiceError({"phone": [_("请输入11位中国大陆手机号码。")]}) from None
        if User.objects.filter(phone_hash=lookup_hash(phone)).exists():
            raise ServiceError({"phone": [_("该手机号已注册。")]})
        if not (name or "").strip():
            raise ServiceError({"name": [_("请填写姓名。")]})
        if password:
            try:
                validate_password(password)
            except Exception as exc:
                raise ServiceError({"password": list(exc.messages)}) from None
        user = User.objects.create_user(phone, password or None, name=name.strip())
        draft.target = user
        draft.changes = {"name": user.name, "phone": phone}
    return user


def role_assign(*, actor: Actor, user: User, role: str, organisation=None, enterprise=None) -> RoleAssignment:
    with audited(actor, "account.role_assign", target=user) as draft:
        _require(actor, Role.SECADMIN)
        if user.pk == actor.user_id:
            raise PermissionDenied(_("不能给自己分配角色。"))
        if role not in Role.values:
            raise ServiceError({"role": [_("未知的角色。")]})
        if role == Role.STAFF and organisation is None:
            raise ServiceError({"organisation": [_("工会工作人员必须绑定一个工会组织。")]})
        if role == Role.ENTERPRISE and enterprise is None:
            raise ServiceError({"enterprise": [_("企业联系人必须绑定一个企业。")]})
        if role != Role.STAFF:
            organisation = None
        if role != Role.ENTERPRISE:
            enterprise = None
        if RoleAssignment.objects.filter(
            user=user, role=role, organisation=organisation, enterprise=enterprise, active=True
        ).exists():
            raise ServiceError(_("该用户已有这个角色。"))
        assignment = RoleAssignment.objects.create(
            user=user, role=role, organisation=organisation, enterprise=enterprise
        )
        if role == Role.SYSADMIN and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        draft.target = assignment
        draft.changes = {
            "user_id": user.pk,
            "role": role,
            "organisation_id": getattr(organisation, "pk", None),
            "enterprise_id": getattr(enterprise, "pk", None),
        }
    return assignment


def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    with audited(actor, "account.role_revoke", target=assignment) as draft:
        _require(actor, Role.SECADMIN)
        if assignment.user_id == actor.user_id:
            raise PermissionDenied(_("不能撤销自己的角色。"))
        if not assignment.active:
            raise ServiceError(_("该角色已撤销。"))
        assignment.active = False
        assignment.save(update_fields=["active"])
        user = assignment.user
        if (
            assignment.role == Role.SYSADMIN
            and not user.role_assignments.filter(role=Role.SYSADMIN, active=True).exists()
        ):
            user.is_staff = False
            user.is_superuser = False
            user.save(update_fields=["is_staff", "is_superuser"])
        draft.changes = {"active": False, "role": assignment.role, "user_id": assignment.user_id}


def user_unlock(*, actor: Actor, user: User) -> None:
    with audited(actor, "account.unlock", target=user) as draft:
        _require(actor, Role.SECADMIN)
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
        draft.changes = {"locked_until": None}


def user_set_active(*, actor: Actor, user: User, active: bool) -> None:
    with audited(actor, "account.set_active", target=user) as draft:
        _require(actor, Role.SECADMIN)
        if user.pk == actor.user_id:
            raise PermissionDenied(_("不能停用自己的账号。"))
        user.is_active = active
        user.save(update_fields=["is_active"])
        draft.changes = {"is_active": active}


def password_change(*, actor: Actor, user: User, old_password: str, new_password: str) -> None:
    with audited(actor, "account.password_change", target=user):
        if actor.user_id != user.pk:
            raise PermissionDenied
        if user.has_usable_password() and not user.check_password(old_password or ""):
            raise ServiceError({"old_password": [_("原密码不正确。")]})
        try:
            validate_password(new_password, user)
        except Exception as exc:
            raise ServiceError({"new_password": list(exc.messages)}) from None
        user.set_password(new_password)
        user.save(update_fields=["password"])


# --- personal data: unmasking and the member's own copy -------------------------------------------------------

# Who may see a full value (documented in the report and README): staff whose region covers the row see members'
# and join applicants' ID numbers and phones; the security administrator sees account holders' phones (to
# identify who holds an account). Nobody else; every unmask, allowed or refused, is audited.
UNMASKABLE = {
    "orgs.member": {"id_number", "phone"},
    "orgs.joinapplication": {"id_number", "phone"},
    "accounts.user": {"phone"},
}


def pii_unmask(*, actor: Actor, model, pk, field: str) -> str:
    from gonghui.core.scoping import get_scoped_or_404

    label = model._meta.label_lower
    with audited(actor, "pii.unmask") as draft:
        if label == "accounts.user":
            if actor.role != Role.SECADMIN:
                raise PermissionDenied(_("只有安全管理员可以查看账号的完整手机号。"))
            obj = User.objects.filter(pk=pk).first()
            if obj is None:
                from django.http import Http404

                raise Http404
        else:
            if not actor.is_staff:
                raise PermissionDenied(_("只有管辖该地区的工会工作人员可以查看完整信息。"))
            obj = get_scoped_or_404(model, actor, action="pii.unmask", pk=pk)
        draft.target = obj
        # Checked after the row: a bad field name must not tell someone outside the scope that the row exists.
        if field not in UNMASKABLE.get(label, set()):
            raise ServiceError({"field": [_("该字段不能查看完整内容。")]})
        draft.changes = {"field": field}
        return getattr(obj, field)


def member_data_export(*, actor: Actor, user: User) -> dict:
    """Everything the platform holds about the person (their own copy, in full: PIPL art. 45)."""
    from gonghui.core.models import AuditEvent
    from gonghui.orgs.models import JoinApplication, Member

    with audited(actor, "pii.self_export", target=user):
        if actor.user_id != user.pk:
            raise PermissionDenied
        data = {
            "account": {
                "name": user.name,
                "phone": user.phone,
                "date_joined": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
            },
            "roles": [
                {
                    "role": a.role,
                    "organisation": str(a.organisation or ""),
                    "enterprise": str(a.enterprise or ""),
                    "active": a.active,
                    "since": a.created_at.isoformat(),
                }
                for a in user.role_assignments.select_related("organisation", "enterprise")
            ],
            "member": None,
            "join_applications": [
                {
                    "union": str(j.union),
                    "name": j.name,
                    "id_number": j.id_number,
                    "phone": j.phone,
                    "occupation": j.occupation,
                    "employer_name": j.employer_name,
                    "status": j.status,
                    "reason": j.reason,
                    "created_at": j.created_at.isoformat(),
                }
                for j in JoinApplication.objects.filter(applicant=user).select_related("union")
            ],
            "activity": [
                {
                    "time": e.created_at.isoformat(),
                    "action": e.action,
                    "result": e.result,
                    "client_ip": e.client_ip,
                }
                for e in AuditEvent.objects.filter(actor_user_id=user.pk).order_by("id")[:1000]
            ],
        }
        member = Member.objects.filter(user=user).select_related("union", "enterprise", "region").first()
        if member is not None:
            data["member"] = {
                "name": member.name,
                "id_number": member.id_number,
                "phone": member.phone,
                "gender": member.gender,
                "birth_date": member.birth_date.isoformat() if member.birth_date else None,
                "union": str(member.union),
                "enterprise": str(member.enterprise or ""),
                "region": str(member.region),
                "occupation": member.occupation,
                "skill_grade": member.skill_grade,
                "join_date": member.join_date.isoformat(),
                "status": member.status,
            }
        # Programmes may add their own sections: a callable per app in settings is overkill for now.
    return data


# --- member code (工惠码) ---------------------------------------------------------------------------------------


def member_code_private_key():
    """The signing key: GONGHUI_MEMBER_CODE_KEY (64 hex digits) if set, else derived from SECRET_KEY."""
    import os

    from gonghui.accounts import membercode

    configured = os.environ.get("GONGHUI_MEMBER_CODE_KEY", "")
    seed = (
        bytes.fromhex(configured)
        if configured
        else hashlib.sha256(b"gonghui-member-code:" + settings.SECRET_KEY.encode()).digest()
    )
    return membercode.private_key_from_seed(seed)


def member_code_public_key() -> bytes:
    from gonghui.accounts import membercode

    return membercode.public_key_bytes(member_code_private_key())


def member_code_issue(*, actor: Actor) -> str:
    """A fresh code for the acting member. Issuing is a read of one's own data, so it is not audited."""
    from gonghui.accounts import membercode
    from gonghui.orgs.models import Member, MemberStatus

    member = Member.objects.filter(user_id=actor.user_id, status=MemberStatus.ACTIVE).first()
    if actor.role != Role.MEMBER or member is None:
        raise PermissionDenied(_("只有在册会员才有工惠码。"))
    return membercode.issue_token(member_code_private_key(), member.code_ref)


def member_code_reason_text(reason: str) -> str:
    from gonghui.accounts import membercode as mc

    return {
        mc.MALFORMED: _("不是有效的工惠码。"),
        mc.BAD_SIGNATURE: _("工惠码签名不正确（可能被篡改）。"),
        mc.EXPIRED: _("工惠码已过期，请会员刷新后再出示。"),
        mc.NOT_YET_VALID: _("工惠码时间不正确，请检查设备时间。"),
        mc.REPLAYED: _("该工惠码已被使用过（重复出示）。"),
        mc.UNKNOWN_MEMBER: _("该会员不在册。"),
        "": _("工惠码有效，在册会员。"),
    }.get(reason, reason)


CODE_CHECKERS = {Role.STAFF, Role.STATION_MANAGER}


def member_code_verify(*, actor: Actor, token: str):
    """Check a code at a station or an event: signature, expiry, replay (each code is accepted once).

    Returns the check result; refusals are recorded (scan row + refused audit entry) and returned, not raised,
    because a refused code is a normal outcome for the person at the door.
    """
    from django.db import IntegrityError

    from gonghui.accounts import membercode as mc
    from gonghui.accounts.models import MemberCodeScan
    from gonghui.orgs.models import Member, MemberStatus

    if actor.role not in CODE_CHECKERS:
        record_refusal(actor, "member_code.verify", reason="role")
        raise PermissionDenied(_("只有工会工作人员和站点管理员可以核验工惠码。"))
    seen = set(
        MemberCodeScan.objects.filter(accepted=True, token_id=_token_id_of(token)).values_list(
            "token_id", flat=True
        )
    )
    result = mc.check_token(token, member_code_public_key(), seen=seen)
    if (
        result.valid
        and not Member.objects.filter(code_ref=result.member_ref, status=MemberStatus.ACTIVE).exists()
    ):
        result = mc.CheckResult(
            False, mc.UNKNOWN_MEMBER, result.member_ref, result.token_id, result.expires_at
        )
    if result.valid:
        try:
            with transaction.atomic():
                MemberCodeScan.objects.create(
                    token_id=result.token_id,
                    member_ref=result.member_ref,
                    checked_by_id=actor.user_id,
                    accepted=True,
                )
                record(actor, "member_code.verify", object_type="orgs.member", object_id=result.member_ref)
            return result
        except IntegrityError:  # someone accepted the same code a moment ago
            result = mc.CheckResult(False, mc.REPLAYED, result.member_ref, result.token_id, result.expires_at)
    with transaction.atomic():
        MemberCodeScan.objects.create(
            token_id=result.token_id,
            member_ref=result.member_ref,
            checked_by_id=actor.user_id,
            accepted=False,
            reason=result.reason,
        )
        record_refusal(
            actor,
            "member_code.verify",
            reason=result.reason,
            object_type="orgs.member",
            object_id=result.member_ref,
        )
    return result


def _token_id_of(token: str) -> str:
    from gonghui.accounts import membercode as mc

    parts = (token or "").strip().split(".")
    if len(parts) != 3:
        return ""
    try:
        claims = json.loads(mc._unb64(parts[1]))
        return f"{claims['r']}:{claims['n']}"[:32]
    except Exception:
        return ""
