"""Accounts API: logins, the active role, one's own data, the member code, and the administrators' tools."""

import base64
from datetime import date, datetime

from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gonghui.accounts import selectors, services
from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core.masking import mask_name, mask_phone
from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY, client_ip
from gonghui.orgs.models import Enterprise, Organisation

router = Router(tags=["accounts"])
BACKEND = "gonghui.accounts.backends.PhonePasswordBackend"


class PasswordIn(Schema):
    phone: str
    password: str


class PhoneIn(Schema):
    phone: str


class SmsLoginIn(Schema):
    phone: str
    code: str


class RoleOut(Schema):
    id: int
    role: str
    organisation: str | None = None
    enterprise: str | None = None


class SessionOut(Schema):
    user_id: int
    name: str
    phone: str
    roles: list[RoleOut]
    active_role_id: int | None = None
    active_role: str


class OkOut(Schema):
    ok: bool = True
    detail: str = ""


def _roles(user) -> list[dict]:
    return [
        {
            "id": a.pk,
            "role": a.role,
            "organisation": str(a.organisation) if a.organisation else None,
            "enterprise": str(a.enterprise) if a.enterprise else None,
        }
        for a in user.roles()
    ]


def _session(request, user) -> dict:
    active = request.session.get(ACTIVE_ROLE_SESSION_KEY)
    roles = _roles(user)
    active_role = next((r["role"] for r in roles if r["id"] == active), "anonymous")
    return {
        "user_id": user.pk,
        "name": mask_name(user.name),
        "phone": mask_phone(user.phone),
        "roles": roles,
        "active_role_id": active,
        "active_role": active_role,
    }


def _login(request, user) -> dict:
    auth_login(request, user, backend=BACKEND)
    roles = user.roles()
    if roles:
        request.session[ACTIVE_ROLE_SESSION_KEY] = roles[0].pk
    return _session(request, user)


@router.post("/login", response=SessionOut, auth=None)
def login_password(request, payload: PasswordIn):
    """Password login. With several roles the first is active; switch with POST /accounts/role."""
    user = services.login_by_password(
        phone=payload.phone, password=payload.password, client_ip=client_ip(request)
    )
    return _login(request, user)


@router.post("/sms-code", response=OkOut, auth=None)
def send_sms_code(request, payload: PhoneIn):
    services.sms_code_send(phone=payload.phone, client_ip=client_ip(request))
    return {"ok": True}


@router.post("/login/sms", response=SessionOut, auth=None)
def login_sms(request, payload: SmsLoginIn):
    user = services.login_by_sms(phone=payload.phone, code=payload.code, client_ip=client_ip(request))
    return _login(request, user)


@router.post("/logout", response=OkOut)
def logout(request):
    services.logout_recorded(actor=request.actor)
    auth_logout(request)
    return {"ok": True}


@router.get("/me", response=SessionOut)
def me(request):
    return _session(request, request.user)


class RoleSwitchIn(Schema):
    assignment_id: int


@router.post("/role", response=SessionOut)
def switch_role(request, payload: RoleSwitchIn):
    assignment = services.role_switch(
        user=request.user, assignment_id=payload.assignment_id, client_ip=client_ip(request)
    )
    request.session[ACTIVE_ROLE_SESSION_KEY] = assignment.pk
    return _session(request, request.user)


@router.get("/me/data", response=dict)
def my_data(request):
    """Everything the platform holds about the caller, in full (their own copy)."""
    return services.member_data_export(actor=request.actor, user=request.user)


class MemberCodeOut(Schema):
    token: str
    ttl_seconds: int


class PublicKeyOut(Schema):
    algorithm: str
    public_key: str
    token_format: str


class VerifyIn(Schema):
    token: str


class VerifyOut(Schema):
    valid: bool
    reason: str
    reason_text: str
    member_ref: str


@router.get("/member-code", response=MemberCodeOut)
def member_code(request):
    from gonghui.accounts.membercode import TTL_SECONDS

    return {"token": services.member_code_issue(actor=request.actor), "ttl_seconds": TTL_SECONDS}


@router.get("/member-code/public-key", response=PublicKeyOut, auth=None)
def member_code_public_key(request):
    """The Ed25519 public key that stations use to check member codes offline (see accounts/membercode.py)."""
    return {
        "algorithm": "Ed25519",
        "public_key": base64.b64encode(services.member_code_public_key()).decode(),
        "token_format": "GH1.<base64url JSON {r,i,e,n}>.<base64url signature over 'GH1.<payload>'>",
    }


@router.post("/member-code/verify", response=VerifyOut)
def member_code_verify(request, payload: VerifyIn):
    result = services.member_code_verify(actor=request.actor, token=payload.token)
    return {
        "valid": result.valid,
        "reason": result.reason,
        "member_ref": result.member_ref,
        "reason_text": services.member_code_reason_text(result.reason),
    }


# --- administrators ---------------------------------------------------------------------------------------------


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor_user_id: int | None
    actor_name: str
    role: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    client_ip: str
    result: str
    changes: dict
    detail: str


@router.get("/audit", response=list[AuditOut])
@paginate
def audit_search(
    request,
    action: str = "",
    actor: str = "",
    role: str = "",
    result: str = "",
    object_type: str = "",
    object_id: str = "",
    client_ip: str = "",
    since: date | None = None,
    until: date | None = None,
):
    """Search the audit log (audit administrator only)."""
    from gonghui.core.audit import record

    qs = selectors.audit_search(
        request.actor,
        action=action,
        actor_text=actor,
        role=role,
        result=result,
        object_type=object_type,
        object_id=object_id,
        client_ip=client_ip,
        since=since,
        until=until,
    )
    record(request.actor, "audit.search", detail=request.GET.urlencode()[:500])
    return qs


class UserOut(Schema):
    id: int
    name: str
    phone: str
    is_active: bool
    locked_until: datetime | None
    roles: list[RoleOut]


def _user_out(user) -> dict:
    return {
        "id": user.pk,
        "name": mask_name(user.name),
        "phone": mask_phone(user.phone),
        "is_active": user.is_active,
        "locked_until": user.locked_until,
        "roles": _roles(user),
    }


@router.get("/users", response=list[UserOut])
@paginate
def list_users(request, q: str = ""):
    """Accounts (security administrator only)."""
    return [_user_out(u) for u in selectors.user_search(request.actor, text=q)[:500]]


class UserIn(Schema):
    phone: str
    name: str
    password: str | None = None


@router.post("/users", response={201: UserOut})
def create_user(request, payload: UserIn):
    user = services.user_create(
        actor=request.actor, phone=payload.phone, name=payload.name, password=payload.password
    )
    return Status(201, _user_out(user))


class AssignIn(Schema):
    role: Role
    organisation_code: str | None = None
    credit_code: str | None = None


def _secadmin_user(request, user_id: int) -> User:
    from gonghui.core.permissions import require_role

    require_role(request.actor, Role.SECADMIN, action="account.user_view")
    return get_object_or_404(User, pk=user_id)


@router.post("/users/{user_id}/roles", response={201: RoleOut})
def assign_role(request, user_id: int, payload: AssignIn):
    user = _secadmin_user(request, user_id)
    org = (
        Organisation.objects.filter(code=payload.organisation_code).first()
        if payload.organisation_code
        else None
    )
    ent = (
        Enterprise.objects.filter(credit_code=(payload.credit_code or "").upper()).first()
        if payload.credit_code
        else None
    )
    a = services.role_assign(
        actor=request.actor, user=user, role=payload.role, organisation=org, enterprise=ent
    )
    out = {
        "id": a.pk,
        "role": a.role,
        "organisation": str(org) if org else None,
        "enterprise": str(ent) if ent else None,
    }
    return Status(201, out)


@router.delete("/users/{user_id}/roles/{assignment_id}", response=OkOut)
def revoke_role(request, user_id: int, assignment_id: int):
    user = _secadmin_user(request, user_id)
    services.role_revoke(
        actor=request.actor, assignment=get_object_or_404(RoleAssignment, pk=assignment_id, user=user)
    )
    return {"ok": True}


@router.post("/users/{user_id}/unlock", response=OkOut)
def unlock_user(request, user_id: int):
    services.user_unlock(actor=request.actor, user=_secadmin_user(request, user_id))
    return {"ok": True}


class UnmaskOut(Schema):
    field: str
    value: str


@router.post("/users/{user_id}/unmask", response=UnmaskOut)
def unmask_user_phone(request, user_id: int):
    """The full mobile number of an account holder (security administrator; audited)."""
    return {
        "field": "phone",
        "value": services.pii_unmask(actor=request.actor, model=User, pk=user_id, field="phone"),
    }
