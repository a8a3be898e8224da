"""Reads for accounts pages and API: audit search (audit administrator), user search (security administrator)."""

from datetime import datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from gonghui.accounts.models import Role, User
from gonghui.core.models import AuditEvent
from gonghui.core.permissions import require_role
from gonghui.core.pii import lookup_hash
from gonghui.core.validators import normalise_mobile


def audit_search(
    actor,
    *,
    action="",
    actor_text="",
    role="",
    result="",
    object_type="",
    object_id="",
    client_ip="",
    since=None,
    until=None,
) -> QuerySet:
    require_role(actor, Role.AUDITADMIN, action="audit.search")
    qs = AuditEvent.objects.order_by("-id")
    if action:
        qs = qs.filter(action__icontains=action)
    if actor_text:
        qs = (
            qs.filter(actor_user_id=int(actor_text))
            if actor_text.isdigit()
            else qs.filter(actor_name__icontains=actor_text)
        )
    if role:
        qs = qs.filter(role=role)
    if result:
        qs = qs.filter(result=result)
    if object_type:
        qs = qs.filter(object_type__icontains=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if client_ip:
        qs = qs.filter(client_ip__startswith=client_ip)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(created_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return qs


def user_search(actor, *, text: str = "") -> QuerySet:
    require_role(actor, Role.SECADMIN, action="account.user_search")
    qs = User.objects.order_by("-id").prefetch_related(
        "role_assignments__organisation", "role_assignments__enterprise"
    )
    text = (text or "").strip()
    if text:
        phone = normalise_mobile(text)
        qs = qs.filter(Q(phone_hash=lookup_hash(phone)) | Q(name__icontains=text))
    return qs


def member_for_code(code: str):
    """The active member a valid, unexpired member code belongs to, or None (stations' door check-in resolver).

    Replay is not refused here: a door visit is idempotent per person and hour, which stations enforce.
    """
    from gonghui.accounts import membercode
    from gonghui.accounts.services import member_code_public_key
    from gonghui.orgs.models import Member, MemberStatus

    result = membercode.check_token(code, member_code_public_key())
    if not result.valid:
        return None
    return Member.objects.filter(code_ref=result.member_ref, status=MemberStatus.ACTIVE).first()
