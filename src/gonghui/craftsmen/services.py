"""Every write of 劳模工匠助企行: keyword-only ``<thing>_<verb>`` functions, one audited transaction each.

Workflow (each change goes to the problem's status log):
submitted → reviewed | returned → dispatched (offer to one craftsman, engine-ranked, staff confirm) | listed (揭榜)
→ accepted (within a deadline in working days; declined/expired offers go to the engine's next candidate)
→ in_service (visits) → awaiting_confirmation (outcome recorded) → confirmed → closed (rated) → archived (solution).
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gonghui import matching
from gonghui.accounts.models import Role, RoleAssignment
from gonghui.accounts.sms import send_sms
from gonghui.core.actor import Actor
from gonghui.core.audit import audited, record_refusal
from gonghui.core.errors import ConflictError, ServiceError
from gonghui.core.scoping import get_scoped_or_404, scoped
from gonghui.core.validators import validate_mobile
from gonghui.craftsmen import engine
from gonghui.craftsmen.models import (
    DEFAULT_HONOUR_LEVEL,
    Attachment,
    AttachmentKind,
    Craftsman,
    CraftsmanHonour,
    Honour,
    HonourLevel,
    IntentAgreement,
    NeedCategory,
    Notification,
    Offer,
    OfferKind,
    OfferStatus,
    Outcome,
    Problem,
    ProblemStatus,
    ServiceTeam,
    Solution,
    SolutionStatus,
    SpecialSession,
    StatusLog,
    Visit,
    WorkdayOverride,
)
from gonghui.craftsmen.workdays import deadline_after
from gonghui.orgs.models import Enterprise, SkillGrade
from gonghui.regions.models import Region, RegionLevel

REVIEW_WORKDAYS = 2  # staff review a new problem within two working days
OFFER_WORKDAYS = 2  # a craftsman answers an offer within two working days
CLAIM_WORKDAYS = 10  # a listed problem stays open for claiming ten working days
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_FILES = 9
PHOTO_TYPES = {"jpg", "jpeg", "png", "webp"}
DOCUMENT_TYPES = {"pdf", "docx", "xlsx"}

# What a craftsman may change on their own profile: `available` applies at once (a craftsman going on leave must
# not wait for staff); the rest waits for staff approval.
SELF_EDITABLE = (
    "tags",
    "specialties",
    "industries",
    "categories",
    "service_radius_km",
    "cross_region",
    "monthly_capacity",
    "innovation_studio",
    "occupation",
)
IMMEDIATE_SELF_EDITS = ("available",)


# ------------------------------------------------------------------------------------------- helpers
def _now():
    return timezone.now()


def _require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(_("您当前的角色不能执行此操作。"))


def _log(
    problem: Problem, new_status: str, actor: Actor, comment: str = "", *, at=None, initial=False
) -> None:
    """A log entry without a state check: the first entry, or a note about the current state (decline, expiry)."""
    StatusLog.objects.create(
        problem=problem,
        old_status="" if initial else problem.status,
        new_status=new_status,
        actor_id=actor.user_id,
        actor_name=actor.name or actor.role,
        comment=comment,
        created_at=at or _now(),
    )


def _move(problem: Problem, new_status: str, actor: Actor, comment: str = "", *, allowed: tuple) -> None:
    if problem.status not in allowed:
        raise ServiceError(
            _("当前状态为“%(status)s”，不能执行此操作。") % {"status": problem.get_status_display()}
        )
    StatusLog.objects.create(
        problem=problem,
        old_status=problem.status,
        new_status=new_status,
        actor_id=actor.user_id,
        actor_name=actor.name or actor.role,
        comment=comment,
        created_at=_now(),
    )
    problem.status = new_status


def notify(user_id: int | None, message: str, link: str = "", *, sms: bool = True) -> None:
    """In-app notice now; SMS after commit (a rolled-back action sends nothing)."""
    if not user_id:
        return
    note = Notification.objects.create(user_id=user_id, message=message[:300], link=link)
    if sms:
        from gonghui.accounts.models import User

        phone = User.objects.get(pk=user_id).phone
        if phone:
            transaction.on_commit(lambda: send_sms(phone, note.message))


def responsible_staff(region_code: str) -> list[int]:
    """Staff users of the most local union organisation that covers the region (county, else city, else province)."""
    candidates = [region_code[:6], region_code[:4] + "00", region_code[:2] + "0000"]
    for code in candidates:
        users = list(
            RoleAssignment.objects.filter(role=Role.STAFF, active=True, organisation__region_id=code)
            .values_list("user_id", flat=True)
            .distinct()
        )
        if users:
            return users
    return []


def _enterprise_contacts(enterprise_id: int) -> list[int]:
    return list(
        RoleAssignment.objects.filter(role=Role.ENTERPRISE, active=True, enterprise_id=enterprise_id)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _problem_link(problem_id) -> str:
    return f"/craftsmen/problems/{problem_id}/"


def _locked_problem(actor: Actor, problem_id: int) -> Problem:
    """The problem, locked for this transaction, if the actor may see it (else 404, audited)."""
    problem = get_scoped_or_404(Problem, actor, action="craftsmen.problem.view", pk=problem_id)
    return Problem.objects.select_for_update(of=("self",)).get(pk=problem.pk)


def _own_craftsman(actor: Actor) -> Craftsman:
    _require_role(actor, Role.CRAFTSMAN)
    craftsman = Craftsman.objects.filter(user_id=actor.user_id).first()
    if craftsman is None:
        raise ServiceError(_("您还没有劳模工匠档案，请联系工会工作人员。"))
    return craftsman


# ------------------------------------------------------------------------------------------- files
def check_upload(upload) -> str:
    """The attachment kind of an uploaded file, after checking its type (name and content) and size."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    size = upload.size
    if extension in PHOTO_TYPES:
        if size > MAX_PHOTO_BYTES:
            raise ServiceError(_("照片“%(name)s”超过 5 MB。") % {"name": name})
        from PIL import Image

        try:
            upload.seek(0)
            Image.open(upload).verify()
        except Exception:
            raise ServiceError(_("“%(name)s”不是有效的图片文件。") % {"name": name}) from None
        finally:
            upload.seek(0)
        return AttachmentKind.PHOTO
    if extension in DOCUMENT_TYPES:
        if size > MAX_DOCUMENT_BYTES:
            raise ServiceError(_("文档“%(name)s”超过 10 MB。") % {"name": name})
        upload.seek(0)
        head = upload.read(4)
        upload.seek(0)
        expected = b"%PDF" if extension == "pdf" else b"PK\x03\x04"
        if head != expected:
            raise ServiceError(_("“%(name)s”的内容与文件类型不符。") % {"name": name})
        return AttachmentKind.DOCUMENT
    raise ServiceError(
        _("不支持“%(name)s”的文件类型，请上传 JPG/PNG/WEBP 照片或 PDF/DOCX/XLSX 文档。") % {"name": name}
    )


def _save_attachments(problem: Problem, files, purpose: str) -> None:
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ServiceError(_("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES})
    kinds = [check_upload(f) for f in files]  # check all before saving any
    for upload, kind in zip(files, kinds, strict=True):
        Attachment.objects.create(
            problem=problem, purpose=purpose, kind=kind, file=upload, name=upload.name[:200], size=upload.size
        )


# ------------------------------------------------------------------------------------------- talent pool
PROFILE_FIELDS = (
    "name",
    "occupation",
    "skill_grade",
    "tags",
    "specialties",
    "industries",
    "categories",
    "employer_name",
    "service_radius_km",
    "cross_region",
    "monthly_capacity",
    "available",
    "innovation_studio",
)


def _clean_profile(data: dict, *, partial: bool) -> dict:
    """Checked, normalised profile fields; raises ServiceError naming every bad field."""
    errors = {}
    clean = {}
    for key, value in data.items():
        if key in ("tags", "industries", "categories"):
            if isinstance(value, str):
                value = [
                    v.strip() for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()
                ]
            value = list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
            if key == "categories":
                bad = [v for v in value if v not in NeedCategory.values]
                if bad:
                    errors[key] = _("未知的需求类别：%(v)s") % {"v": "、".join(bad)}
        elif key in ("service_radius_km", "monthly_capacity"):
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[key] = _("请填写整数。")
                continue
            limit = 1000 if key == "service_radius_km" else 50
            if not 0 <= value <= limit:
                errors[key] = _("应在 0 到 %(limit)d 之间。") % {"limit": limit}
        elif key in ("cross_region", "available"):
            value = value in (True, "true", "True", "1", "on", 1, "是", "Y", "y")
        elif key == "skill_grade":
            if value not in SkillGrade.values:
                errors[key] = _("未知的技能等级。")
        elif key in ("name", "occupation"):
            value = (value or "").strip()
            if not value:
                errors[key] = _("必填。")
        elif key in ("specialties", "employer_name", "innovation_studio"):
            value = (value or "").strip()
        elif key not in ("region_id", "phone", "honours", "employer_id", "team_ids"):
            continue
        clean[key] = value
    if not partial:
        for key in ("name", "occupation"):
            if not clean.get(key):
                errors.setdefault(key, _("必填。"))
    if errors:
        raise ServiceError(errors)
    return clean


def _set_honours(craftsman: Craftsman, honours) -> None:
    craftsman.honours.all().delete()
    CraftsmanHonour.objects.bulk_create(
        [CraftsmanHonour(craftsman=craftsman, honour=h, level=lvl, year=y) for h, lvl, y in honours]
    )


def _check_honours(honours) -> list[tuple[str, str, int]]:
    checked = []
    this_year = timezone.localdate().year
    for item in honours or []:
        honour, level, year = item.get("honour"), item.get("level"), item.get("year")
        if honour not in Honour.values:
            raise ServiceError(_("未知的荣誉：%(h)s") % {"h": honour})
        level = level or DEFAULT_HONOUR_LEVEL.get(honour, HonourLevel.PROVINCIAL)
        if level not in HonourLevel.values:
            raise ServiceError(_("未知的荣誉级别：%(l)s") % {"l": level})
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise ServiceError(_("荣誉年份无效。")) from None
        if not 1950 <= year <= this_year:
            raise ServiceError(_("荣誉年份无效。"))
        checked.append((honour, level, year))
    return checked


def _county(code: str) -> Region:
    region = Region.objects.filter(code=code, level=RegionLevel.COUNTY).first()
    if region is None:
        raise ServiceError(_("未知的县（市、区）代码：%(code)s") % {"code": code})
    return region


def craftsman_create(
    *, actor: Actor, region_code: str, phone: str = "", honours=(), user=None, **fields
) -> Craftsman:
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.craftsman.create") as audit:
        region = _county(region_code)
        if not actor.covers(region.code):
            raise PermissionDenied(_("该县区不在您的管辖范围内。"))
        clean = _clean_profile(fields, partial=False)
        craftsman = Craftsman(region=region, user=user, **clean)
        if phone:
            craftsman.phone = validate_mobile(phone)
            if Craftsman.objects.filter(phone_hash=craftsman.phone_hash).exists():
                raise ServiceError(_("该手机号已在人才库中。"))
        craftsman.save()
        _set_honours(craftsman, _check_honours(honours))
        audit.target = craftsman
        audit.changes = {"name": craftsman.name, "region": region.code}
    return craftsman


def craftsman_propose_changes(*, actor: Actor, changes: dict) -> Craftsman:
    """A craftsman edits their own profile: availability at once, the rest after staff approval."""
    with audited(actor, "craftsmen.craftsman.propose") as audit:
        craftsman = _own_craftsman(actor)
        audit.target = craftsman
        allowed = {
            k: v for k, v in changes.items() if k in SELF_EDITABLE + IMMEDIATE_SELF_EDITS + ("honours",)
        }
        unknown = set(changes) - set(allowed)
        if unknown:
            raise ServiceError(_("这些信息只能由工作人员修改：%(f)s") % {"f": "、".join(sorted(unknown))})
        honours = allowed.pop("honours", None)
        clean = _clean_profile(allowed, partial=True)
        for key in IMMEDIATE_SELF_EDITS:
            if key in clean:
                setattr(craftsman, key, clean.pop(key))
        pending = {k: v for k, v in clean.items() if getattr(craftsman, k) != v}
        if honours is not None:
            pending["honours"] = [
                {"honour": h, "level": lvl, "year": y} for h, lvl, y in _check_honours(honours)
            ]
        if pending:
            craftsman.pending_changes = pending
            craftsman.pending_since = _now()
            for user_id in responsible_staff(craftsman.region_id):
                notify(
                    user_id,
                    _("劳模工匠 %(name)s 修改了档案，请审核。") % {"name": craftsman.name},
                    f"/craftsmen/pool/{craftsman.pk}/",
                    sms=False,
                )
        craftsman.save()
        audit.changes = {"pending": sorted(pending)}
    return craftsman


def craftsman_review_changes(
    *, actor: Actor, craftsman_id: int, approve: bool, comment: str = ""
) -> Craftsman:
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.craftsman.approve" if approve else "craftsmen.craftsman.reject") as audit:
        craftsman = get_scoped_or_404(
            Craftsman.objects.select_for_update(of=("self",)), actor, pk=craftsman_id
        )
        audit.target = craftsman
        if not craftsman.pending_changes:
            raise ServiceError(_("没有待审核的修改。"))
        pending = dict(craftsman.pending_changes)
        if approve:
            honours = pending.pop("honours", None)
            for key, value in pending.items():
                setattr(craftsman, key, value)
            if honours is not None:
                _set_honours(craftsman, _check_honours(honours))
        craftsman.pending_changes = {}
        craftsman.pending_since = None
        craftsman.save()
        audit.changes = {"fields": sorted(craftsman.pending_changes or pending), "approved": approve}
        message = (
            _("您的档案修改已通过审核。") if approve else _("您的档案修改未通过：%(c)s") % {"c": comment}
        )
        notify(craftsman.user_id, message, "/craftsmen/profile/", sms=False)
    return craftsman


def craftsman_update(*, actor: Actor, craftsman_id: int, changes: dict) -> Craftsman:
    """Staff edit a profile directly."""
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.craftsman.update") as audit:
        craftsman = get_scoped_or_404(
            Craftsman.objects.select_for_update(of=("self",)), actor, pk=craftsman_id
        )
        audit.target = craftsman
        honours = changes.pop("honours", None)
        team_ids = changes.pop("team_ids", None)
        clean = _clean_profile({k: v for k, v in changes.items() if k in PROFILE_FIELDS}, partial=True)
        for key, value in clean.items():
            setattr(craftsman, key, value)
        craftsman.save()
        if honours is not None:
            _set_honours(craftsman, _check_honours(honours))
        if team_ids is not None:
            craftsman.teams.set(ServiceTeam.objects.filter(pk__in=team_ids))
        audit.changes = {"fields": sorted(clean)}
    return craftsman


# ------------------------------------------------------------------------------------------- Excel import
IMPORT_COLUMNS = (
    ("name", "姓名"),
    ("phone", "手机号"),
    ("region_code", "所在县区代码"),
    ("occupation", "职业（工种）"),
    ("skill_grade", "技能等级"),
    ("honours", "荣誉（荣誉:年份；…）"),
    ("tags", "专长标签"),
    ("specialties", "专长描述"),
    ("industries", "服务行业代码"),
    ("categories", "需求类别"),
    ("employer_name", "工作单位"),
    ("service_radius_km", "服务半径（公里）"),
    ("cross_region", "跨区域服务"),
    ("monthly_capacity", "每月服务能力"),
    ("innovation_studio", "创新工作室"),
)


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)


def _labels(choices) -> list[tuple[str, set[str]]]:
    """Each choice with the labels a sheet may use: the code, the Chinese label and the active language's label."""
    with translation.override("zh-hans"):
        chinese = {code: str(label) for code, label in choices}
    return [(code, {code, chinese[code], str(label)}) for code, label in choices]


def _grade_from_label(value: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return SkillGrade.NONE
    for code, labels in _labels(SkillGrade.choices):
        if value in labels:
            return code
    return None


def _honour_from_label(value: str) -> str | None:
    value = value.strip()
    for code, labels in _labels(Honour.choices):
        if value in labels:
            return code
    return None


def _category_from_label(value: str) -> str | None:
    value = value.strip()
    for code, labels in _labels(NeedCategory.choices):
        if value in labels:
            return code
    return None


def _import_rows(workbook_file) -> list[dict]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(workbook_file, read_only=True, data_only=True)
    except Exception:
        raise ServiceError(_("无法读取该文件，请上传 .xlsx 格式的 Excel 文件。")) from None
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ServiceError(_("表格是空的。"))
    header = [str(c or "").strip() for c in rows[0]]
    labels = {label: key for key, label in IMPORT_COLUMNS}
    missing = [label for _key, label in IMPORT_COLUMNS[:4] if label not in header]
    if missing:
        raise ServiceError(_("缺少列：%(cols)s") % {"cols": "、".join(missing)})
    out = []
    for values in rows[1:]:
        if not any(v not in (None, "") for v in values):
            continue
        out.append(
            {
                labels[h]: ("" if v is None else str(v).strip())
                for h, v in zip(header, values, strict=False)
                if h in labels
            }
        )
    return out


def craftsmen_import(*, actor: Actor, workbook_file) -> ImportResult:
    """Import profiles from the first sheet: every row is checked; one bad row imports nothing."""
    _require_role(actor, Role.STAFF)
    result = ImportResult()
    rows = _import_rows(workbook_file)
    counties = {r.code: r for r in Region.objects.filter(level=RegionLevel.COUNTY)}
    seen_phones: set[str] = set()
    prepared = []
    for number, row in enumerate(rows, start=2):
        problems = []
        try:
            phone = validate_mobile(row.get("phone", ""))
        except Exception:
            phone = None
            problems.append(_("手机号无效"))
        if phone:
            probe = Craftsman(phone=phone)
            if phone in seen_phones or Craftsman.objects.filter(phone_hash=probe.phone_hash).exists():
                problems.append(_("手机号重复"))
            seen_phones.add(phone)
        region = counties.get(row.get("region_code", "").split(".")[0])
        if region is None:
            problems.append(_("县区代码无效"))
        elif not actor.covers(region.code):
            problems.append(_("县区不在您的管辖范围内"))
        grade = _grade_from_label(row.get("skill_grade", ""))
        if grade is None:
            problems.append(_("技能等级无效"))
        honours = []
        for part in filter(None, (p.strip() for p in row.get("honours", "").replace(";", "；").split("；"))):
            label, _sep, year = part.replace("：", ":").partition(":")
            honour = _honour_from_label(label)
            if (
                honour is None
                or not year.strip().isdigit()
                or not 1950 <= int(year) <= timezone.localdate().year
            ):
                problems.append(_("荣誉“%(p)s”无效（格式：浙江工匠:2023）") % {"p": part})
                continue
            honours.append((honour, DEFAULT_HONOUR_LEVEL.get(honour, HonourLevel.PROVINCIAL), int(year)))
        categories = []
        for part in filter(None, (p.strip() for p in re.split(r"[,，;；]", row.get("categories", "")))):
            code = _category_from_label(part)
            if code is None:
                problems.append(_("需求类别“%(p)s”无效") % {"p": part})
            else:
                categories.append(code)
        data = {
            k: row.get(k, "")
            for k in (
                "name",
                "occupation",
                "tags",
                "specialties",
                "industries",
                "employer_name",
                "innovation_studio",
                "cross_region",
            )
        }
        data["skill_grade"] = grade or SkillGrade.NONE
        data["categories"] = categories
        for key, default in (("service_radius_km", 80), ("monthly_capacity", 3)):
            data[key] = (row.get(key) or str(default)).split(".")[0]
        try:
            clean = _clean_profile(data, partial=False)
        except ServiceError as exc:
            labels = dict(IMPORT_COLUMNS)
            for key, messages in exc.message_dict.items():
                problems.extend(f"{labels.get(key, key)}{m}" for m in messages)
            clean = None
        if problems:
            result.errors.append(
                _("第 %(row)d 行：%(problems)s") % {"row": number, "problems": "；".join(problems)}
            )
        else:
            prepared.append((clean, phone, region, honours))
    if not rows:
        result.errors.append(_("表格中没有数据行。"))
    if result.errors:
        record_refusal(actor, "craftsmen.craftsman.import", reason="; ".join(result.errors)[:2000])
        return result
    with audited(actor, "craftsmen.craftsman.import") as audit:
        for clean, phone, region, honours in prepared:
            craftsman = Craftsman(region=region, **clean)
            craftsman.phone = phone
            craftsman.save()
            _set_honours(craftsman, honours)
        result.created = len(prepared)
        audit.changes = {"created": result.created}
        audit.detail = f"{result.created} rows"
    return result


# ------------------------------------------------------------------------------------------- problems
def _find_enterprise(actor: Actor, enterprise: str | int | None) -> Enterprise:
    if actor.role == Role.ENTERPRISE:
        return Enterprise.objects.get(pk=actor.enterprise_id)
    _require_role(actor, Role.STAFF)
    key = str(enterprise or "").strip()
    qs = scoped(Enterprise, actor)
    found = qs.filter(credit_code=key.upper()).first() or (
        qs.filter(pk=int(key)).first() if key.isdigit() else None
    )
    if found is None:
        raise ServiceError(
            _("未找到企业“%(key)s”：请填写您管辖范围内企业的统一社会信用代码。") % {"key": key}
        )
    return found


def problem_file(
    *,
    actor: Actor,
    category: str,
    title: str,
    description: str,
    enterprise: str | int | None = None,
    industry: str = "",
    tags=(),
    urgency: int = 1,
    online: bool = False,
    wished_from: date | None = None,
    wished_to: date | None = None,
    files=(),
    craftsmen_needed: int = 1,
) -> Problem:
    """An enterprise contact files a problem (企业点单), or staff file it for an enterprise (问需于企)."""
    with audited(actor, "craftsmen.problem.file") as audit:
        _require_role(actor, Role.ENTERPRISE, Role.STAFF)
        company = _find_enterprise(actor, enterprise)
        errors = {}
        if category not in NeedCategory.values:
            errors["category"] = _("请选择需求类别。")
        if not (title or "").strip():
            errors["title"] = _("请填写标题。")
        if len((description or "").strip()) < 10:
            errors["description"] = _("请至少用 10 个字描述问题。")
        if int(urgency or 1) not in (1, 2, 3):
            errors["urgency"] = _("紧急程度无效。")
        if wished_from and wished_to and wished_to < wished_from:
            errors["wished_to"] = _("期望完成日期不能早于开始日期。")
        needed = _craftsmen_needed(craftsmen_needed, errors)
        if errors:
            raise ServiceError(errors)
        now = _now()
        problem = Problem.objects.create(
            enterprise=company,
            region_id=company.region_id[:6],
            category=category,
            industry=(industry or "").strip().upper(),
            title=title.strip(),
            description=description.strip(),
            tags=_clean_profile({"tags": tags}, partial=True)["tags"],
            urgency=int(urgency or 1),
            online=bool(online),
            wished_from=wished_from,
            wished_to=wished_to,
            craftsmen_needed=needed,
            filed_by_id=actor.user_id,
            filed_on_behalf=actor.role == Role.STAFF,
            submitted_at=now,
            review_due=deadline_after(now, REVIEW_WORKDAYS),
        )
        _log(
            problem,
            ProblemStatus.SUBMITTED,
            actor,
            _("工作人员代为登记") if problem.filed_on_behalf else "",
            initial=True,
        )
        _save_attachments(problem, files, "problem")
        audit.target = problem
        audit.changes = {
            "enterprise": company.credit_code,
            "category": category,
            "files": len(list(files or [])),
        }
        for user_id in responsible_staff(problem.region_id):
            if user_id != actor.user_id:
                notify(
                    user_id,
                    _("新的企业需求：%(t)s") % {"t": problem.title},
                    _problem_link(problem.pk),
                    sms=False,
                )
    return problem


def problem_resubmit(*, actor: Actor, problem_id: int, description: str, files=()) -> Problem:
    """The enterprise adds the details asked for after a return."""
    with audited(actor, "craftsmen.problem.resubmit") as audit:
        _require_role(actor, Role.ENTERPRISE, Role.STAFF)
        problem = _locked_problem(actor, problem_id)
        audit.target = problem
        if len((description or "").strip()) < 10:
            raise ServiceError({"description": _("请至少用 10 个字描述问题。")})
        _move(problem, ProblemStatus.SUBMITTED, actor, _("已补充材料"), allowed=(ProblemStatus.RETURNED,))
        problem.description = description.strip()
        problem.review_due = deadline_after(_now(), REVIEW_WORKDAYS)
        problem.overdue = False
        problem.save()
        _save_attachments(problem, files, "problem")
    return problem


MAX_TEAM_SIZE = 8


def _craftsmen_needed(value, errors: dict) -> int:
    try:
        needed = int(value or 1)
    except (TypeError, ValueError):
        needed = 0
    if not 1 <= needed <= MAX_TEAM_SIZE:
        errors["craftsmen_needed"] = _("所需工匠人数应为 1 到 %(n)d 人。") % {"n": MAX_TEAM_SIZE}
    return needed


def problem_review(
    *, actor: Actor, problem_id: int, accept: bool, comment: str = "", tags=None, craftsmen_needed=None
) -> Problem:
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.problem.review" if accept else "craftsmen.problem.return") as audit:
        problem = _locked_problem(actor, problem_id)
        audit.target = problem
        if accept:
            _move(problem, ProblemStatus.REVIEWED, actor, comment, allowed=(ProblemStatus.SUBMITTED,))
            if tags is not None:
                problem.tags = _clean_profile({"tags": tags}, partial=True)["tags"]
            if craftsmen_needed is not None:
                errors = {}
                problem.craftsmen_needed = _craftsmen_needed(craftsmen_needed, errors)
                if errors:
                    raise ServiceError(errors)
        else:
            if not (comment or "").strip():
                raise ServiceError({"comment": _("退回时请说明需要补充什么。")})
            _move(problem, ProblemStatus.RETURNED, actor, comment, allowed=(ProblemStatus.SUBMITTED,))
            for user_id in _enterprise_contacts(problem.enterprise_id):
                notify(
                    user_id,
                    _("您的需求“%(t)s”需要补充：%(c)s") % {"t": problem.title, "c": comment},
                    _problem_link(problem.pk),
                )
        problem.overdue = False
        problem.save()
    return problem


def _make_offer(
    problem: Problem, craftsman_id, actor: Actor, *, score=None, explanation="", note="", slot=0
) -> Offer:
    now = _now()
    offer = Offer.objects.create(
        problem=problem,
        craftsman_id=craftsman_id,
        slot=slot,
        kind=OfferKind.DISPATCHED,
        score=score,
        explanation=explanation,
        offered_by_id=actor.user_id,
        offered_at=now,
        due_at=deadline_after(now, OFFER_WORKDAYS),
    )
    due = timezone.localtime(offer.due_at).strftime("%Y-%m-%d")
    notify(
        offer.craftsman.user_id,
        _("新派单：%(t)s，请在 %(d)s 前接单或拒单。") % {"t": problem.title, "d": due},
        _problem_link(problem.pk),
    )
    return offer


def problem_dispatch(*, actor: Actor, problem_id: int, craftsman_id: int | None = None) -> Offer:
    """Staff confirm the engine's best candidate, or choose another one from the pool."""
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.problem.dispatch") as audit:
        problem = _locked_problem(actor, problem_id)
        audit.target = problem
        if problem.status != ProblemStatus.REVIEWED:
            raise ServiceError(
                _("当前状态为“%(status)s”，不能派单。") % {"status": problem.get_status_display()}
            )
        if problem.craftsmen_needed > 1:
            raise ServiceError(_("该问题需要多名工匠，请按团队派单。"))
        excluded = tuple(problem.offers.values_list("craftsman_id", flat=True))
        pool = engine.build_pool()
        ranked, reason, _issues = matching.rank_candidates(
            pool, engine.engine_problem(problem), limit=20, forbidden=tuple((problem.pk, c) for c in excluded)
        )
        chosen = None
        if craftsman_id is None:
            if not ranked:
                raise ServiceError(
                    _("没有合适的工匠：%(r)s") % {"r": reason.text(engine.language()) if reason else ""}
                )
            chosen = ranked[0]
            craftsman_id = chosen.craftsman
        else:
            craftsman_id = int(craftsman_id)
            if not Craftsman.objects.filter(pk=craftsman_id, status="active").exists():
                raise ServiceError(_("未找到该劳模工匠。"))
            if craftsman_id in excluded:
                raise ServiceError(_("该工匠已拒绝或错过过此问题。"))
            chosen = next((c for c in ranked if c.craftsman == craftsman_id), None)
        explanation = chosen.explain(engine.language()) if chosen else _("工作人员指定")
        offer = _make_offer(
            problem, craftsman_id, actor, score=chosen.score if chosen else None, explanation=explanation
        )
        _move(
            problem,
            ProblemStatus.DISPATCHED,
            actor,
            _("派单给 %(n)s") % {"n": offer.craftsman.name},
            allowed=(ProblemStatus.REVIEWED,),
        )
        problem.save()
        audit.changes = {
            "craftsman": craftsman_id,
            "engine_choice": chosen is not None and chosen == ranked[0],
        }
    return offer


def batch_proposal(*, actor: Actor, problem_ids) -> matching.DispatchResult:
    """The engine's optimal assignment for a batch of reviewed problems in the actor's scope (nothing written)."""
    _require_role(actor, Role.STAFF)
    problems = list(
        scoped(Problem, actor)
        .filter(pk__in=problem_ids, status=ProblemStatus.REVIEWED, craftsmen_needed__lte=1)
        .select_related("region")
    )
    pool = engine.build_pool()
    forbidden = tuple(Offer.objects.filter(problem__in=problems).values_list("problem_id", "craftsman_id"))
    return matching.dispatch(
        pool,
        [engine.engine_problem(p) for p in problems],
        matching.Constraints(forbidden=forbidden),
        alternates=3,
    )


def problems_dispatch_batch(*, actor: Actor, assignments: dict[int, int]) -> list[Offer]:
    """Staff confirm (or change) a batch: {problem id: craftsman id}. One transaction for the whole batch."""
    _require_role(actor, Role.STAFF)
    offers = []
    with audited(actor, "craftsmen.problem.dispatch_batch") as audit:
        for problem_id, craftsman_id in sorted(assignments.items()):
            problem = _locked_problem(actor, problem_id)
            if problem.status != ProblemStatus.REVIEWED:
                raise ServiceError(_("问题“%(t)s”已不在待派单状态。") % {"t": problem.title})
            if problem.craftsmen_needed > 1:
                raise ServiceError(_("问题“%(t)s”需要多名工匠，请按团队派单。") % {"t": problem.title})
            if not Craftsman.objects.filter(pk=craftsman_id, status="active").exists():
                raise ServiceError(_("未找到该劳模工匠。"))
            pool_offer = _make_offer(problem, craftsman_id, actor, explanation=_("批量派单"))
            _move(
                problem,
                ProblemStatus.DISPATCHED,
                actor,
                _("批量派单给 %(n)s") % {"n": pool_offer.craftsman.name},
                allowed=(ProblemStatus.REVIEWED,),
            )
            problem.save()
            offers.append(pool_offer)
        audit.changes = {"assignments": {str(k): v for k, v in assignments.items()}}
    return offers


@dataclass
class TeamProposal:
    """The engine's team for a problem that needs several craftsmen (nothing written)."""

    members: list[dict] = field(default_factory=list)  # {"craftsman", "score", "distance_km", "explanation"}
    covered_tags: list[str] = field(default_factory=list)
    reason: str = ""


def _team_pool(problem: Problem):
    """The pool without craftsmen who already declined or missed this problem (they are not asked again)."""
    refused = list(problem.offers.values_list("craftsman_id", flat=True))
    if not refused:
        return engine.build_pool()
    return engine.build_pool(Craftsman.objects.filter(status="active").exclude(pk__in=refused))


def team_proposal(*, actor: Actor, problem_id: int) -> TeamProposal:
    """Staff see the team gonghui.matching.form_teams proposes (covering the required tags), with reasons."""
    _require_role(actor, Role.STAFF)
    problem = get_scoped_or_404(
        Problem.objects.select_related("region"), actor, action="craftsmen.problem.view", pk=problem_id
    )
    return _propose_team(problem)


def _propose_team(problem: Problem) -> TeamProposal:
    lang = engine.language()
    result = matching.form_teams(
        _team_pool(problem), [engine.engine_problem(problem)], time_limit_seconds=5.0
    )
    pairs = result.teams.get(problem.pk)
    if not pairs:
        reason = result.unassigned[0].explain(lang) if result.unassigned else ""
        return TeamProposal(reason=reason)
    people = Craftsman.objects.select_related("region").in_bulk([p.craftsman for p in pairs])
    members = [
        {
            "craftsman": people[p.craftsman],
            "score": round(p.score, 3),
            "distance_km": round(p.distance_km) if p.distance_km == p.distance_km else None,
            "explanation": p.explain(lang),
        }
        for p in sorted(pairs, key=lambda p: (-p.score, p.craftsman))
    ]
    return TeamProposal(members=members, covered_tags=list(result.covered_tags.get(problem.pk, [])))


def problem_dispatch_team(*, actor: Actor, problem_id: int, member_ids=None) -> list[Offer]:
    """Staff confirm the engine's team: one offer per member (slot 0, 1, ...). `member_ids`, when given, is the
    team the staff saw; if the engine now proposes another one (the pool changed), nothing is sent."""
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.problem.dispatch_team") as audit:
        problem = _locked_problem(actor, problem_id)
        audit.target = problem
        if problem.status != ProblemStatus.REVIEWED:
            raise ServiceError(
                _("当前状态为“%(status)s”，不能派单。") % {"status": problem.get_status_display()}
            )
        if problem.craftsmen_needed <= 1:
            raise ServiceError(_("该问题只需要一名工匠，请直接派单。"))
        proposal = _propose_team(problem)
        if not proposal.members:
            raise ServiceError(_("无法组成服务团队：%(r)s") % {"r": proposal.reason})
        proposed = [m["craftsman"].pk for m in proposal.members]
        if member_ids is not None and sorted(map(int, member_ids)) != sorted(proposed):
            raise ConflictError(_("系统推荐的团队已变化，请刷新后重新确认。"))
        offers = [
            _make_offer(
                problem,
                member["craftsman"].pk,
                actor,
                score=member["score"],
                explanation=member["explanation"],
                slot=slot,
            )
            for slot, member in enumerate(proposal.members)
        ]
        _move(
            problem,
            ProblemStatus.DISPATCHED,
            actor,
            _("团队派单给 %(n)s") % {"n": ", ".join(m["craftsman"].name for m in proposal.members)},
            allowed=(ProblemStatus.REVIEWED,),
        )
        problem.save()
        audit.changes = {"members": proposed, "covered_tags": proposal.covered_tags}
    return offers


def problem_list_for_claim(*, actor: Actor, problem_id: int, workdays: int = CLAIM_WORKDAYS) -> Problem:
    """揭榜挂帅: publish the problem for craftsmen and teams to claim."""
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.problem.list") as audit:
        problem = _locked_problem(actor, problem_id)
        audit.target = problem
        if not 1 <= int(workdays) <= 60:
            raise ServiceError(_("揭榜期限应为 1 到 60 个工作日。"))
        _move(
            problem,
            ProblemStatus.LISTED,
            actor,
            _("揭榜挂帅，%(n)d 个工作日") % {"n": int(workdays)},
            allowed=(ProblemStatus.REVIEWED,),
        )
        problem.claim_due = deadline_after(_now(), int(workdays))
        problem.save()
    return problem


def _take(problem: Problem, offer: Offer, actor: Actor, comment: str) -> None:
    """Accept the offer; the problem moves on once every member slot has an accepted offer (one slot, the
    usual case: at once)."""
    now = _now()
    offer.status = OfferStatus.ACCEPTED
    offer.responded_at = now
    offer.save()
    slots = set(problem.offers.values_list("slot", flat=True))
    accepted = dict(problem.offers.filter(status=OfferStatus.ACCEPTED).values_list("slot", "craftsman_id"))
    if slots - set(accepted):
        _log(
            problem,
            problem.status,
            actor,
            _("%(c)s（团队 %(a)d/%(n)d 人已接单）") % {"c": comment, "a": len(accepted), "n": len(slots)},
        )
        return
    _move(
        problem,
        ProblemStatus.ACCEPTED,
        actor,
        comment,
        allowed=(ProblemStatus.DISPATCHED, ProblemStatus.LISTED),
    )
    problem.craftsman_id = accepted[min(accepted)]  # a team's lead: the first slot
    problem.accepted_at = now
    problem.overdue = False
    problem.save()
    names = ", ".join(
        Craftsman.objects.filter(pk__in=accepted.values()).order_by("pk").values_list("name", flat=True)
    )
    for user_id in _enterprise_contacts(problem.enterprise_id):
        notify(
            user_id,
            _("劳模工匠 %(n)s 已接单：%(t)s") % {"n": names, "t": problem.title},
            _problem_link(problem.pk),
        )


def _clean_agreement(
    craftsman: Craftsman, *, team_id, scope_of_work: str, expected_completion, agree: bool
) -> dict:
    """The intent agreement's terms, checked: the claimer belongs to the team, the scope is stated, the date
    is not in the past, and the claimer ticked "I accept"."""
    errors = {}
    team = None
    if team_id not in (None, ""):
        team = ServiceTeam.objects.filter(pk=int(team_id), members=craftsman).first()
        if team is None:
            errors["team_id"] = _("您不是该服务队的成员，不能代表其揭榜。")
    scope = (scope_of_work or "").strip()
    if not scope:
        errors["scope_of_work"] = _("请填写服务内容。")
    if expected_completion is None:
        errors["expected_completion"] = _("请填写预计完成日期。")
    elif expected_completion < timezone.localdate():
        errors["expected_completion"] = _("预计完成日期不能早于今天。")
    if not agree:
        errors["agree"] = _("请阅读并同意揭榜意向书。")
    if errors:
        raise ServiceError(errors)
    return {"team": team, "scope_of_work": scope[:2000], "expected_completion": expected_completion}


def problem_claim(
    *,
    actor: Actor,
    problem_id: int,
    team_id: int | None = None,
    scope_of_work: str | None = None,
    expected_completion: date | None = None,
    agree: bool = False,
) -> Offer:
    """A craftsman claims a listed problem (揭榜), alone or for a service/volunteer team they belong to. With
    terms (always for a team) the claim records a signed intent agreement. Two at once: the row lock lets
    exactly one win; the loser's refusal leaves nothing behind but its audit entry."""
    with audited(actor, "craftsmen.problem.claim") as audit:
        craftsman = _own_craftsman(actor)
        # Not the scoped fetch: a problem taken a moment ago is no longer in a craftsman's scope, and the
        # loser of a race must hear "already taken", not "not found".
        problem = Problem.objects.select_for_update(of=("self",)).filter(pk=problem_id).first()
        if problem is None:
            raise Http404
        audit.target = problem
        if problem.status != ProblemStatus.LISTED:
            if problem.status in TAKEN_STATUSES:
                raise ConflictError(_("该问题已被其他劳模工匠揭榜。"))
            raise ServiceError(_("该问题不在揭榜中。"))
        if problem.claim_due and problem.claim_due < _now():
            raise ServiceError(_("揭榜已截止。"))
        with_terms = team_id not in (None, "") or scope_of_work is not None or expected_completion is not None
        terms = (
            _clean_agreement(
                craftsman,
                team_id=team_id,
                scope_of_work=scope_of_work,
                expected_completion=expected_completion,
                agree=agree,
            )
            if with_terms
            else None
        )
        offer = Offer(
            problem=problem,
            craftsman=craftsman,
            kind=OfferKind.CLAIMED,
            offered_at=_now(),
            explanation=_("%(t)s 揭榜") % {"t": terms["team"].name} if terms and terms["team"] else _("揭榜"),
        )
        offer.save()
        name = f"{craftsman.name}（{terms['team'].name}）" if terms and terms["team"] else craftsman.name
        try:
            with transaction.atomic():
                _take(problem, offer, actor, _("%(n)s 揭榜") % {"n": name})
                if terms:
                    IntentAgreement.objects.create(
                        offer=offer,
                        problem=problem,
                        signed_by=craftsman,
                        accepted_at=offer.offered_at,
                        **terms,
                    )
        except IntegrityError:
            raise ConflictError(_("该问题已被其他劳模工匠揭榜。")) from None
        audit.changes = {"craftsman": craftsman.pk}
        if terms:
            audit.changes.update(
                team=terms["team"].pk if terms["team"] else None,
                expected_completion=terms["expected_completion"].isoformat(),
            )
    return offer


def _own_offer(actor: Actor, offer_id: int) -> tuple[Offer, Problem]:
    craftsman = _own_craftsman(actor)
    offer = Offer.objects.filter(pk=offer_id).first()
    if offer is None:
        raise ServiceError(_("未找到该派单。"))
    if offer.craftsman_id != craftsman.pk:
        raise PermissionDenied(_("这不是派给您的单，不能操作。"))
    problem = Problem.objects.select_for_update(of=("self",)).get(pk=offer.problem_id)
    offer = Offer.objects.select_for_update(of=("self",)).get(pk=offer_id)
    return offer, problem


def offer_accept(*, actor: Actor, offer_id: int) -> Offer:
    with audited(actor, "craftsmen.offer.accept") as audit:
        offer, problem = _own_offer(actor, offer_id)
        audit.target = offer
        if offer.status == OfferStatus.EXPIRED or (
            offer.status == OfferStatus.PENDING and offer.due_at and offer.due_at < _now()
        ):
            raise ServiceError(_("该派单已超过接单期限，已转派其他工匠。"))
        if offer.status != OfferStatus.PENDING:
            raise ConflictError(_("该派单当前为“%(s)s”，不能接单。") % {"s": offer.get_status_display()})
        _take(problem, offer, actor, _("%(n)s 接单") % {"n": offer.craftsman.name})
    return offer


def offer_decline(*, actor: Actor, offer_id: int, reason: str) -> Offer:
    with audited(actor, "craftsmen.offer.decline") as audit:
        offer, problem = _own_offer(actor, offer_id)
        audit.target = offer
        if not (reason or "").strip():
            raise ServiceError({"reason": _("请说明拒单理由。")})
        if offer.status != OfferStatus.PENDING:
            raise ConflictError(_("该派单当前为“%(s)s”，不能拒单。") % {"s": offer.get_status_display()})
        offer.status = OfferStatus.DECLINED
        offer.responded_at = _now()
        offer.decline_reason = reason.strip()[:200]
        offer.save()
        _log(
            problem, problem.status, actor, _("%(n)s 拒单：%(r)s") % {"n": offer.craftsman.name, "r": reason}
        )
        audit.changes = {"reason": offer.decline_reason}
        offer_next_candidate(problem=problem, previous=offer, actor=actor)
    return offer


def offer_next_candidate(*, problem: Problem, previous: Offer, actor: Actor) -> Offer | None:
    """After a decline or an expiry: the engine re-dispatches (the declined pairs forbidden); nobody left →
    back to the staff queue. Runs inside the caller's transaction."""
    if problem.offers.exclude(slot=0).exists():
        return _refill_team_slot(problem=problem, previous=previous)
    pool = engine.build_pool()
    refused = tuple(
        problem.offers.filter(status__in=(OfferStatus.DECLINED, OfferStatus.EXPIRED)).values_list(
            "problem_id", "craftsman_id"
        )
    )
    result = matching.redispatch(
        pool, [engine.engine_problem(problem)], [(problem.pk, previous.craftsman_id)], declined=list(refused)
    )
    system = Actor.system()
    if result.pairs:
        pair = result.pairs[0]
        offer = _make_offer(
            problem, pair.craftsman, system, score=pair.score, explanation=pair.explain(engine.language())
        )
        _log(problem, ProblemStatus.DISPATCHED, system, _("自动改派给 %(n)s") % {"n": offer.craftsman.name})
        return offer
    reason = result.unassigned[0].explain(engine.language()) if result.unassigned else ""
    _move(
        problem,
        ProblemStatus.REVIEWED,
        system,
        _("没有其他合适人选，退回待派单：%(r)s") % {"r": reason},
        allowed=(ProblemStatus.DISPATCHED,),
    )
    problem.save()
    for user_id in responsible_staff(problem.region_id):
        notify(
            user_id,
            _("“%(t)s”无人接单，请重新派单或揭榜。") % {"t": problem.title},
            _problem_link(problem.pk),
            sms=False,
        )
    return None


def _refill_team_slot(*, problem: Problem, previous: Offer) -> Offer | None:
    """A team member declined or missed the offer: the engine re-dispatches the team with the accepted
    members fixed, the pending ones forced to stay and every refusal forbidden, so only the freed slot gets a
    new craftsman. Nobody left: the slot stays open and the staff are told (the others keep their places)."""
    system = Actor.system()
    offers = list(problem.offers.values_list("craftsman_id", "slot", "status"))
    slots = {slot for _c, slot, _s in offers}
    accepted = [(problem.pk, c) for c, _slot, st in offers if st == OfferStatus.ACCEPTED]
    pending = [(problem.pk, c) for c, _slot, st in offers if st == OfferStatus.PENDING]
    refused = [
        (problem.pk, c) for c, _slot, st in offers if st in (OfferStatus.DECLINED, OfferStatus.EXPIRED)
    ]
    members = {c for _p, c in accepted + pending}
    pool = engine.build_pool()
    result = matching.redispatch(
        pool,
        [engine.engine_problem(problem, demand=len(slots))],
        accepted + pending + [(problem.pk, previous.craftsman_id)],
        accepted=accepted,
        declined=refused,
        constraints=matching.Constraints(forced=tuple(pending)),
        alternates=5,
    )
    # The flow does not know about tag coverage: take the engine's pick, or its next-ranked alternate, whose
    # arrival keeps every required tag covered.
    tags = set(problem.tags or ())
    held = set().union(*(pool.tag_sets[pool.position[c]] for c in members if c in pool.position))
    picks = [p for p in result.pairs if p.craftsman not in members]
    picks += list(result.alternates.get(problem.pk, []))
    newcomer = next(
        (
            p
            for p in picks
            if p.craftsman not in members
            and (problem.pk, p.craftsman) not in refused
            and p.craftsman in pool.position
            and tags <= held | pool.tag_sets[pool.position[p.craftsman]]
        ),
        None,
    )
    if newcomer is not None:
        offer = _make_offer(
            problem,
            newcomer.craftsman,
            system,
            score=newcomer.score,
            explanation=newcomer.explain(engine.language()),
            slot=previous.slot,
        )
        _log(problem, problem.status, system, _("团队席位自动改派给 %(n)s") % {"n": offer.craftsman.name})
        return offer
    reason = result.unassigned[0].explain(engine.language()) if result.unassigned else ""
    _log(problem, problem.status, system, _("团队席位没有其他合适人选：%(r)s") % {"r": reason})
    for user_id in responsible_staff(problem.region_id):
        notify(
            user_id,
            _("“%(t)s”的服务团队缺一名工匠，请联系工匠或改为揭榜。") % {"t": problem.title},
            _problem_link(problem.pk),
            sms=False,
        )
    return None


def _expire_offer(offer_id: int, now, system: Actor) -> bool:
    with audited(system, "craftsmen.offer.expire") as audit:
        offer = Offer.objects.select_for_update(of=("self",)).get(pk=offer_id)
        problem = Problem.objects.select_for_update(of=("self",)).get(pk=offer.problem_id)
        if offer.status != OfferStatus.PENDING:  # answered while the sweep was running
            return False
        offer.status = OfferStatus.EXPIRED
        offer.responded_at = now
        offer.save()
        audit.target = offer
        _log(problem, problem.status, system, _("%(n)s 超时未接单") % {"n": offer.craftsman.name})
        offer_next_candidate(problem=problem, previous=offer, actor=system)
    return True


def deadlines_sweep(*, now=None) -> dict[str, int]:
    """The scheduled check: expire unanswered offers (and re-dispatch), close expired listings, flag overdue
    reviews and services to the responsible staff. Each item is its own audited transaction."""
    now = now or _now()
    system = Actor.system()
    counts = {"expired_offers": 0, "expired_listings": 0, "flagged": 0}
    # Repeat: an offer re-dispatched during the sweep may itself be past `now` (a sweep that ran late).
    for _round in range(50):
        due = list(
            Offer.objects.filter(status=OfferStatus.PENDING, due_at__lt=now).values_list("pk", flat=True)
        )
        if not due:
            break
        for offer_id in due:
            counts["expired_offers"] += _expire_offer(offer_id, now, system)
    for problem_id in Problem.objects.filter(status=ProblemStatus.LISTED, claim_due__lt=now).values_list(
        "pk", flat=True
    ):
        with audited(system, "craftsmen.problem.listing_expired") as audit:
            problem = Problem.objects.select_for_update(of=("self",)).get(pk=problem_id)
            audit.target = problem
            _move(
                problem,
                ProblemStatus.REVIEWED,
                system,
                _("揭榜期满无人揭榜"),
                allowed=(ProblemStatus.LISTED,),
            )
            problem.overdue = True
            problem.save()
            for user_id in responsible_staff(problem.region_id):
                notify(
                    user_id,
                    _("“%(t)s”揭榜期满无人揭榜。") % {"t": problem.title},
                    _problem_link(problem.pk),
                    sms=False,
                )
            counts["expired_listings"] += 1
    late = Problem.objects.filter(overdue=False).filter(
        Q(status=ProblemStatus.SUBMITTED, review_due__lt=now)
        | Q(
            status__in=(ProblemStatus.ACCEPTED, ProblemStatus.IN_SERVICE),
            wished_to__lt=timezone.localdate(now),
        )
    )
    for problem in late:
        with audited(system, "craftsmen.problem.flag_overdue", target=problem):
            Problem.objects.filter(pk=problem.pk).update(overdue=True)
            for user_id in responsible_staff(problem.region_id):
                notify(
                    user_id,
                    _("逾期提醒：“%(t)s”（%(s)s）") % {"t": problem.title, "s": problem.get_status_display()},
                    _problem_link(problem.pk),
                    sms=False,
                )
        counts["flagged"] += 1
    return counts


# ------------------------------------------------------------------------------------------- service
def _assigned_problem(actor: Actor, problem_id: int) -> Problem:
    craftsman = _own_craftsman(actor)
    problem = _locked_problem(actor, problem_id)
    if problem.craftsman_id != craftsman.pk:
        raise PermissionDenied(_("您不是这个问题的服务工匠。"))
    return problem


def visit_log(
    *,
    actor: Actor,
    problem_id: int,
    visit_date: date,
    hours,
    online: bool = False,
    note: str = "",
    followup: bool = False,
) -> Visit:
    with audited(actor, "craftsmen.visit.log") as audit:
        if followup and actor.role == Role.STAFF:
            problem = _locked_problem(actor, problem_id)
        else:
            problem = _assigned_problem(actor, problem_id)
        audit.target = problem
        try:
            hours = Decimal(str(hours))
        except (InvalidOperation, TypeError):
            raise ServiceError({"hours": _("请填写服务时长。")}) from None
        if not Decimal("0.5") <= hours <= Decimal("24"):
            raise ServiceError({"hours": _("服务时长应在 0.5 到 24 小时之间。")})
        if visit_date > timezone.localdate():
            raise ServiceError({"date": _("服务日期不能晚于今天。")})
        if followup:
            if problem.status not in DONE_STATUSES:
                raise ServiceError(_("回访在问题办结之后进行。"))
        elif problem.status == ProblemStatus.ACCEPTED:
            _move(problem, ProblemStatus.IN_SERVICE, actor, _("开始服务"), allowed=(ProblemStatus.ACCEPTED,))
            problem.save()
        elif problem.status != ProblemStatus.IN_SERVICE:
            raise ServiceError(
                _("当前状态为“%(status)s”，不能登记服务。") % {"status": problem.get_status_display()}
            )
        visit = Visit.objects.create(
            problem=problem,
            craftsman_id=problem.craftsman_id,
            date=visit_date,
            hours=hours,
            online=online,
            followup=followup,
            note=(note or "").strip(),
            created_by_id=actor.user_id,
        )
        audit.changes = {"date": str(visit_date), "hours": str(hours), "followup": followup}
    return visit


def _decimal_or_none(value, name, low, high):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ServiceError({name: _("请填写数字。")}) from None
    if not low <= number <= high:
        raise ServiceError({name: _("应在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": high}})
    return number


def outcome_record(
    *,
    actor: Actor,
    problem_id: int,
    solved: bool,
    workers_trained: int = 0,
    skill_upgrades: int = 0,
    efficiency_gain_pct=None,
    yield_before_pct=None,
    yield_after_pct=None,
    benefit_yuan: int = 0,
    note: str = "",
    files=(),
) -> Outcome:
    """The craftsman reports the service's results; the enterprise is asked to confirm."""
    with audited(actor, "craftsmen.outcome.record") as audit:
        problem = _assigned_problem(actor, problem_id)
        audit.target = problem
        if problem.status != ProblemStatus.IN_SERVICE:
            raise ServiceError(_("请先登记至少一次服务，再填写成效。"))
        numbers = {}
        for name, value in (
            ("workers_trained", workers_trained),
            ("skill_upgrades", skill_upgrades),
            ("benefit_yuan", benefit_yuan),
        ):
            try:
                numbers[name] = int(value or 0)
            except (TypeError, ValueError):
                raise ServiceError({name: _("请填写整数。")}) from None
            if numbers[name] < 0:
                raise ServiceError({name: _("不能为负数。")})
        outcome, _created = Outcome.objects.update_or_create(
            problem=problem,
            defaults=dict(
                solved=bool(solved),
                efficiency_gain_pct=_decimal_or_none(efficiency_gain_pct, "efficiency_gain_pct", -100, 1000),
                yield_before_pct=_decimal_or_none(yield_before_pct, "yield_before_pct", 0, 100),
                yield_after_pct=_decimal_or_none(yield_after_pct, "yield_after_pct", 0, 100),
                note=(note or "").strip(),
                recorded_at=_now(),
                **numbers,
            ),
        )
        _save_attachments(problem, files, "outcome")
        _move(
            problem,
            ProblemStatus.AWAITING_CONFIRMATION,
            actor,
            _("服务完成，请企业确认"),
            allowed=(ProblemStatus.IN_SERVICE,),
        )
        problem.save()
        audit.changes = {"solved": bool(solved), **numbers}
        for user_id in _enterprise_contacts(problem.enterprise_id):
            notify(
                user_id,
                _("“%(t)s”服务已完成，请确认并评价。") % {"t": problem.title},
                _problem_link(problem.pk),
            )
    return outcome


def problem_confirm(*, actor: Actor, problem_id: int, accept: bool = True, comment: str = "") -> Problem:
    with audited(actor, "craftsmen.problem.confirm" if accept else "craftsmen.problem.dispute") as audit:
        _require_role(actor, Role.ENTERPRISE)
        problem = _locked_problem(actor, problem_id)
        audit.target = problem
        if accept:
            _move(
                problem,
                ProblemStatus.CONFIRMED,
                actor,
                comment,
                allowed=(ProblemStatus.AWAITING_CONFIRMATION,),
            )
            problem.confirmed_at = _now()
        else:
            if not (comment or "").strip():
                raise ServiceError({"comment": _("请说明还有哪些问题没有解决。")})
            _move(
                problem,
                ProblemStatus.IN_SERVICE,
                actor,
                comment,
                allowed=(ProblemStatus.AWAITING_CONFIRMATION,),
            )
            if problem.craftsman_id:
                notify(
                    problem.craftsman.user_id,
                    _("企业认为“%(t)s”尚未完成：%(c)s") % {"t": problem.title, "c": comment},
                    _problem_link(problem.pk),
                )
        problem.save()
    return problem


def problem_rate(*, actor: Actor, problem_id: int, rating: int, comment: str = "") -> Problem:
    """The enterprise rates the confirmed service (1–5); rating closes the problem."""
    with audited(actor, "craftsmen.problem.rate") as audit:
        _require_role(actor, Role.ENTERPRISE)
        problem = _locked_problem(actor, problem_id)
        audit.target = problem
        if problem.status != ProblemStatus.CONFIRMED:
            raise ServiceError(_("请先确认服务已完成，再评价。"))
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            raise ServiceError({"rating": _("评分应为 1 到 5 分。")})
        _move(
            problem,
            ProblemStatus.CLOSED,
            actor,
            _("评价 %(r)d 分 %(c)s") % {"r": rating, "c": comment},
            allowed=(ProblemStatus.CONFIRMED,),
        )
        problem.rating = rating
        problem.rating_comment = (comment or "").strip()
        problem.closed_at = _now()
        problem.save()
        audit.changes = {"rating": rating}
        if problem.craftsman_id:
            notify(
                problem.craftsman.user_id,
                _("“%(t)s”已办结，请撰写解决方案。") % {"t": problem.title},
                _problem_link(problem.pk),
                sms=False,
            )
    return problem


# ------------------------------------------------------------------------------------------- solutions
def solution_submit(
    *,
    actor: Actor,
    problem_id: int,
    title: str,
    symptom: str,
    root_cause: str,
    fix: str,
    results: str = "",
    tags=None,
) -> Solution:
    with audited(actor, "craftsmen.solution.submit") as audit:
        problem = _assigned_problem(actor, problem_id)
        audit.target = problem
        if problem.status != ProblemStatus.CLOSED:
            raise ServiceError(_("问题办结后才能撰写解决方案。"))
        errors = {
            k: _("必填。")
            for k, v in (("title", title), ("symptom", symptom), ("root_cause", root_cause), ("fix", fix))
            if not (v or "").strip()
        }
        if errors:
            raise ServiceError(errors)
        existing = Solution.objects.filter(problem=problem).first()
        if existing and existing.status == SolutionStatus.PUBLISHED:
            raise ServiceError(_("该方案已发布。"))
        solution, _created = Solution.objects.update_or_create(
            problem=problem,
            defaults=dict(
                craftsman_id=problem.craftsman_id,
                region_id=problem.region_id,
                category=problem.category,
                title=title.strip(),
                symptom=symptom.strip(),
                root_cause=root_cause.strip(),
                fix=fix.strip(),
                results=(results or "").strip(),
                industries=[problem.industry] if problem.industry else [],
                tags=_clean_profile({"tags": tags if tags is not None else problem.tags}, partial=True)[
                    "tags"
                ],
                status=SolutionStatus.SUBMITTED,
            ),
        )
        audit.target = solution
        for user_id in responsible_staff(problem.region_id):
            notify(
                user_id,
                _("新的解决方案待审核：%(t)s") % {"t": solution.title},
                f"/craftsmen/solutions/{solution.pk}/",
                sms=False,
            )
    return solution


def solution_review(*, actor: Actor, solution_id: int, publish: bool, comment: str = "") -> Solution:
    """Staff check a written-up solution: publish it (the problem is archived) or return it."""
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.solution.publish" if publish else "craftsmen.solution.return") as audit:
        solution = get_scoped_or_404(Solution.objects.select_for_update(of=("self",)), actor, pk=solution_id)
        audit.target = solution
        if solution.status != SolutionStatus.SUBMITTED:
            raise ServiceError(_("该方案不在待审核状态。"))
        if publish:
            solution.status = SolutionStatus.PUBLISHED
            solution.published_at = _now()
            if solution.problem_id:
                problem = Problem.objects.select_for_update(of=("self",)).get(pk=solution.problem_id)
                _move(
                    problem,
                    ProblemStatus.ARCHIVED,
                    actor,
                    _("归档为解决方案"),
                    allowed=(ProblemStatus.CLOSED,),
                )
                problem.save()
        else:
            if not (comment or "").strip():
                raise ServiceError({"comment": _("退回时请说明修改意见。")})
            solution.status = SolutionStatus.RETURNED
        solution.review_comment = (comment or "").strip()
        solution.checked_by_id = actor.user_id
        solution.save()
        if solution.craftsman_id and solution.craftsman.user_id:
            message = (
                _("您的解决方案“%(t)s”已发布。") if publish else _("您的解决方案“%(t)s”需要修改。")
            ) % {"t": solution.title}
            notify(solution.craftsman.user_id, message, f"/craftsmen/solutions/{solution.pk}/", sms=False)
    return solution


# ------------------------------------------------------------------------------------------- special sessions
def session_create(
    *,
    actor: Actor,
    region_code: str,
    title: str,
    session_date: date,
    team_id: int | None = None,
    enterprises_served: int = 0,
    problems_taken: int = 0,
    workers_trained: int = 0,
    craftsman_ids=(),
    note: str = "",
) -> SpecialSession:
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.session.create") as audit:
        region = _county(region_code)
        if not actor.covers(region.code):
            raise PermissionDenied(_("该县区不在您的管辖范围内。"))
        if not (region.mountain or region.island):
            raise ServiceError(_("专场助企服务在山区县和海岛县举行，%(n)s 不是。") % {"n": region.name})
        if not (title or "").strip():
            raise ServiceError({"title": _("必填。")})
        numbers = {}
        for name, value in (
            ("enterprises_served", enterprises_served),
            ("problems_taken", problems_taken),
            ("workers_trained", workers_trained),
        ):
            try:
                numbers[name] = int(value or 0)
            except (TypeError, ValueError):
                raise ServiceError({name: _("请填写整数。")}) from None
            if numbers[name] < 0:
                raise ServiceError({name: _("不能为负数。")})
        session = SpecialSession.objects.create(
            region=region,
            title=title.strip(),
            date=session_date,
            team_id=team_id or None,
            note=note,
            created_by_id=actor.user_id,
            **numbers,
        )
        people = list(Craftsman.objects.filter(pk__in=list(craftsman_ids)))
        if len(people) != len(set(craftsman_ids)):
            raise ServiceError(_("参与工匠中有未知的人员。"))
        session.craftsmen.set(people)
        audit.target = session
        audit.changes = {"region": region.code, "craftsmen": len(people), **numbers}
    return session


def workday_set(*, actor: Actor, day: date, is_workday: bool, note: str = "") -> WorkdayOverride:
    """Province staff enter the holiday arrangement for dates beyond the calendar package's data."""
    _require_role(actor, Role.STAFF)
    with audited(actor, "craftsmen.workday.set") as audit:
        if actor.region_prefix != "33":
            raise PermissionDenied(_("工作日调整由省总工会工作人员维护。"))
        override, _created = WorkdayOverride.objects.update_or_create(
            date=day, defaults={"is_workday": bool(is_workday), "note": note[:100]}
        )
        audit.target = override
        audit.changes = {"date": str(day), "is_workday": bool(is_workday)}
    return override


def notifications_mark_read(*, actor: Actor) -> int:
    return Notification.objects.filter(user_id=actor.user_id, read_at__isnull=True).update(read_at=_now())


TAKEN_STATUSES = (
    ProblemStatus.ACCEPTED,
    ProblemStatus.IN_SERVICE,
    ProblemStatus.AWAITING_CONFIRMATION,
    ProblemStatus.CONFIRMED,
    ProblemStatus.CLOSED,
    ProblemStatus.ARCHIVED,
)
DONE_STATUSES = (ProblemStatus.CLOSED, ProblemStatus.ARCHIVED)
