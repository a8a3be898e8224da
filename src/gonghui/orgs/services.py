"""Writes for organisations, enterprises, members and online joining. Staff act only inside their region."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import Role, RoleAssignment
from gonghui.core.actor import Actor
from gonghui.core.audit import audited
from gonghui.core.errors import ConflictError, ServiceError
from gonghui.core.masking import mask_name
from gonghui.core.scoping import get_scoped_or_404
from gonghui.core.validators import validate_id_number, validate_mobile
from gonghui.orgs.models import (
    NEW_EMPLOYMENT_FORM,
    Enterprise,
    JoinApplication,
    JoinStatus,
    Member,
    MemberStatus,
    Occupation,
    Organisation,
)

ENTERPRISE_FIELDS = [
    "credit_code",
    "name",
    "industry",
    "industry_division",
    "region",
    "address",
    "employees",
    "above_designated_size",
    "non_public",
    "unionised",
    "reform_pilot",
    "platform",
    "group_name",
]
ORGANISATION_FIELDS = ["code", "name", "level", "parent", "region", "is_holding_union"]
MEMBER_FIELDS = [
    "name",
    "id_number",
    "phone",
    "union",
    "enterprise",
    "occupation",
    "skill_grade",
    "join_date",
    "model_worker",
]


def _staff_only(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied(_("只有工会工作人员可以维护组织、企业和会员信息。"))


def _changes(obj, data: dict, fields: list[str]) -> dict:
    changed = {}
    for field in fields:
        if field not in data or data[field] is None:
            continue
        value = data[field]
        old = getattr(obj, field, None)
        if old != value:
            changed[field] = getattr(value, "pk", value)
            setattr(obj, field, value)
    return changed


def _apply_member_identity(member: Member, data: dict) -> None:
    """Birth date and gender follow from the ID number; the region from the employer, else the union."""
    if data.get("id_number"):
        id_no = data["id_number"]
        member.birth_date = date(int(id_no[6:10]), int(id_no[10:12]), int(id_no[12:14]))
        member.gender = "M" if int(id_no[16]) % 2 else "F"
    member.region_id = member.enterprise.region_id if member.enterprise_id else member.union.region_id


def organisation_save(*, actor: Actor, data: dict, organisation: Organisation | None = None) -> Organisation:
    action = "organisation.update" if organisation else "organisation.create"
    with audited(actor, action, target=organisation) as draft:
        _staff_only(actor)
        if organisation is not None:
            organisation = get_scoped_or_404(
                Organisation.objects.select_for_update(), actor, action=action, pk=organisation.pk
            )
        obj = organisation or Organisation()
        draft.changes = _changes(obj, data, ORGANISATION_FIELDS)
        if not actor.covers(obj.region_id):
            raise PermissionDenied
        obj.save()
        draft.target = obj
    return obj


def enterprise_save(*, actor: Actor, data: dict, enterprise: Enterprise | None = None) -> Enterprise:
    action = "enterprise.update" if enterprise else "enterprise.create"
    with audited(actor, action, target=enterprise) as draft:
        _staff_only(actor)
        if enterprise is not None:
            enterprise = get_scoped_or_404(
                Enterprise.objects.select_for_update(), actor, action=action, pk=enterprise.pk
            )
        obj = enterprise or Enterprise()
        draft.changes = _changes(obj, data, ENTERPRISE_FIELDS)
        if not actor.covers(obj.region_id):
            raise PermissionDenied
        try:
            obj.save()
        except IntegrityError:
            raise ServiceError({"credit_code": [_("该统一社会信用代码已登记。")]}) from None
        draft.target = obj
    return obj


def member_save(*, actor: Actor, data: dict, member: Member | None = None) -> Member:
    action = "member.update" if member else "member.create"
    with audited(actor, action, target=member) as draft:
        _staff_only(actor)
        if member is not None:
            member = get_scoped_or_404(Member.objects.select_for_update(), actor, action=action, pk=member.pk)
        obj = member or Member()
        changes = _changes(
            obj, {k: v for k, v in data.items() if k not in ("id_number", "phone")}, MEMBER_FIELDS
        )
        for field in ("id_number", "phone"):
            if data.get(field) is not None and data[field] != getattr(obj, field):
                setattr(obj, field, data[field])
                changes[field] = "changed"
        _apply_member_identity(obj, data)
        if not actor.covers(obj.region_id):
            raise PermissionDenied
        try:
            obj.save()
        except IntegrityError:
            raise ServiceError({"id_number": [_("该身份证号码已登记为会员。")]}) from None
        draft.target = obj
        draft.changes = changes
    return obj


SAVERS = {"organisations": organisation_save, "enterprises": enterprise_save, "members": member_save}


# --- bulk import: unsaved rows built by the same rules as the savers above --------------------------------------


def organisation_new(data: dict) -> Organisation:
    obj = Organisation()
    _changes(obj, data, ORGANISATION_FIELDS)
    return obj


def enterprise_new(data: dict) -> Enterprise:
    obj = Enterprise()
    _changes(obj, data, ENTERPRISE_FIELDS)
    return obj


def member_new(data: dict) -> Member:
    obj = Member()
    _changes(obj, {k: v for k, v in data.items() if k not in ("id_number", "phone")}, MEMBER_FIELDS)
    # Through the PII properties: the cipher and lookup-hash columns are filled here, before bulk_create.
    for field in ("id_number", "phone"):
        if data.get(field) is not None:
            setattr(obj, field, data[field])
    _apply_member_identity(obj, data)
    return obj


# kind → (build an unsaved row from cleaned form data, the field and message of a unique-key clash)
BUILDERS = {
    "organisations": (organisation_new, "code", lambda: _("该组织代码已存在。")),
    "enterprises": (enterprise_new, "credit_code", lambda: _("该统一社会信用代码已登记。")),
    "members": (member_new, "id_number", lambda: _("该身份证号码已登记为会员。")),
}


# --- online joining (新就业形态劳动者兜底入会) ----------------------------------------------------------------


def join_apply(
    *,
    actor: Actor,
    union: Organisation,
    name: str,
    id_number: str,
    phone: str,
    occupation: str,
    employer_name: str = "",
) -> JoinApplication:
    """A signed-in worker without a unionised employer asks to join through a county holding union."""
    with audited(actor, "join.apply", target=union) as draft:
        if not actor.user_id:
            raise PermissionDenied(_("请先登录。"))
        errors = {}
        if not union.is_holding_union:
            errors["union"] = [_("请选择县（市、区）的新就业形态工会。")]
        if not (name or "").strip():
            errors["name"] = [_("请填写姓名。")]
        try:
            id_number = validate_id_number(id_number)
        except Exception as exc:
            errors["id_number"] = list(exc.messages)
        try:
            phone = validate_mobile(phone)
        except Exception as exc:
            errors["phone"] = list(exc.messages)
        if occupation not in Occupation.values:
            errors["occupation"] = [_("请选择职业。")]
        if errors:
            raise ServiceError(errors)
        if (
            Member.objects.filter(user_id=actor.user_id, status=MemberStatus.ACTIVE).exists()
            or Member.objects.filter(id_number_hash=Member.id_number.hash_of(id_number)).exists()
        ):
            raise ConflictError({"id_number": [_("您已经是工会会员，无需重复入会。")]})
        if JoinApplication.objects.filter(applicant_id=actor.user_id, status=JoinStatus.PENDING).exists():
            raise ConflictError(_("您已有一份待审核的入会申请。"))
        application = JoinApplication(
            applicant_id=actor.user_id,
            union=union,
            region_id=union.region_id,
            name=name.strip(),
            occupation=occupation,
            employer_name=(employer_name or "").strip(),
        )
        application.id_number = id_number
        application.phone = phone
        try:
            application.save()
        except IntegrityError:
            raise ConflictError(_("您已有一份待审核的入会申请。")) from None
        draft.target = application
        draft.changes = {
            "union_id": union.pk,
            "occupation": occupation,
            "name": mask_name(application.name),
            "new_employment_form": occupation in NEW_EMPLOYMENT_FORM,
        }
    return application


def join_decide(*, actor: Actor, application_id: int, approve: bool, reason: str = "") -> JoinApplication:
    """County staff approve (creating the member and the member role) or refuse with a reason."""
    action = "join.approve" if approve else "join.refuse"
    with audited(actor, action) as draft:
        if not actor.is_staff:
            raise PermissionDenied(_("只有工会工作人员可以审核入会申请。"))
        application = get_scoped_or_404(
            JoinApplication.objects.select_for_update(), actor, action=action, pk=application_id
        )
        draft.target = application
        if application.status != JoinStatus.PENDING:
            raise ConflictError(_("该申请已处理。"))
        reason = (reason or "").strip()
        if not approve and not reason:
            raise ServiceError({"reason": [_("不批准时请填写理由。")]})
        application.status = JoinStatus.APPROVED if approve else JoinStatus.REFUSED
        application.reason = reason
        application.decided_by_id = actor.user_id
        application.decided_at = timezone.now()
        if approve:
            if Member.objects.filter(id_number_hash=application.id_number_hash).exists():
                raise ConflictError(_("该身份证号码已登记为会员。"))
            member = Member(
                user_id=application.applicant_id,
                name=application.name,
                union=application.union,
                region_id=application.region_id,
                occupation=application.occupation,
                join_date=timezone.localdate(),
            )
            member.id_number = application.id_number
            member.phone = application.phone
            _apply_member_identity(member, {"id_number": application.id_number})
            member.save()
            application.member = member
            if not RoleAssignment.objects.filter(
                user_id=application.applicant_id, role=Role.MEMBER, active=True
            ).exists():
                RoleAssignment.objects.create(user_id=application.applicant_id, role=Role.MEMBER)
            applicant = application.applicant
            if not applicant.name:
                applicant.name = application.name
                applicant.save(update_fields=["name"])
        application.save()
        draft.changes = {"status": application.status, "reason": reason}
    return application
