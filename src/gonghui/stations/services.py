"""Every write about stations: keyword-only ``<thing>_<verb>(*, actor, ...)``, one audited transaction each."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import Role, RoleAssignment
from gonghui.core.actor import SYSTEM, Actor
from gonghui.core.audit import audited
from gonghui.core.errors import ConflictError, ServiceError
from gonghui.core.validators import validate_mobile
from gonghui.orgs.models import Occupation, Organisation, OrgLevel
from gonghui.regions.models import Region, RegionLevel
from gonghui.stations import geo, hours
from gonghui.stations.member_codes import member_code_resolver
from gonghui.stations.models import (
    AMENITY_BIT,
    BASIC_KIT,
    COMPLAINT_DEADLINE_HOURS,
    VISIT_INTERVAL_MINUTES,
    CheckIn,
    CheckInResult,
    Complaint,
    ComplaintCategory,
    ComplaintNote,
    ComplaintStatus,
    Consumable,
    HoursOverride,
    Inspection,
    InspectionKind,
    OpeningHours,
    Rating,
    Relocation,
    ServiceDay,
    ServiceSession,
    SessionKind,
    SessionSlot,
    SignUp,
    SignUpStatus,
    StarReview,
    Station,
    StationPhoto,
    StationStatus,
    StationType,
    Visit,
    VisitMethod,
    Visitor,
    amenity_mask,
    new_token,
)
from gonghui.stations.uploads import validate_photo

# --- who may do what -------------------------------------------------------------------------------------------


def can_administer(actor: Actor, station: Station) -> bool:
    """Registry changes (type, star level, manager, subsidy, status): union staff whose region holds the station."""
    return actor.role == SYSTEM or actor.covers(station.region_id)


def can_operate(actor: Actor, station: Station) -> bool:
    """Day-to-day running (hours, photos, complaints, consumables, sessions): staff over it or its own manager."""
    if can_administer(actor, station):
        return True
    return (
        actor.role == Role.STATION_MANAGER
        and actor.user_id is not None
        and station.manager_id == actor.user_id
    )


def _require(allowed: bool):
    if not allowed:
        raise PermissionDenied(_("无权操作该站点。"))


def _now(now=None) -> datetime:
    return now or timezone.now()


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


# --- registry --------------------------------------------------------------------------------------------------

REGISTRY_FIELDS = (
    "code",
    "name",
    "station_type",
    "status",
    "host_name",
    "address",
    "open_24h",
    "extras",
    "contact_phone",
    "star_level",
    "year_renovated",
    "subsidy_yuan",
)


def clean_station_data(data: dict, *, partial: bool = False) -> dict:
    """Validate registry input; raises one ValidationError naming every bad field."""
    errors: dict[str, list] = {}
    out: dict = {}

    def bad(field, message):
        errors.setdefault(field, []).append(message)

    required = ("code", "name", "region_code", "address", "lng", "lat")
    for field in required:
        if not partial and data.get(field) in (None, ""):
            bad(field, _("必填。"))
    for field in ("code", "name", "host_name", "address", "extras", "contact_phone"):
        if field in data and data[field] is not None:
            out[field] = str(data[field]).strip()
    if "station_type" in data:
        if data["station_type"] not in StationType.values:
            bad("station_type", _("未知的站点类型。"))
        else:
            out["station_type"] = data["station_type"]
    if "status" in data and data["status"] is not None:
        if data["status"] not in StationStatus.values:
            bad("status", _("未知的状态。"))
        else:
            out["status"] = data["status"]
    if data.get("region_code"):
        region = Region.objects.filter(
            code=str(data["region_code"]), level__in=[RegionLevel.TOWN, RegionLevel.COUNTY]
        ).first()
        if region is None or not region.code.startswith("33"):
            bad("region_code", _("请选择浙江省内的乡镇（街道）。"))
        else:
            out["region"] = region
    if data.get("lng") not in (None, "") and data.get("lat") not in (None, ""):
        try:
            out["lng_wgs84"], out["lat_wgs84"] = geo.check_in_china(data["lng"], data["lat"])
        except geo.CoordinateError:
            bad("lng", _("坐标不在中国境内（请使用WGS-84经纬度）。"))
    if "open_24h" in data:
        out["open_24h"] = bool(data["open_24h"])
    if "amenities" in data:
        try:
            out["amenity_bits"] = amenity_mask(data["amenities"] or [])
        except ValueError as exc:
            bad("amenities", _("未知的设施：%(key)s") % {"key": exc.args[0]})
    if data.get("star_level") not in (None, ""):
        try:
            level = int(data["star_level"])
        except (TypeError, ValueError):
            level = 0
        if not 1 <= level <= 5:
            bad("star_level", _("星级为1到5。"))
        out["star_level"] = level
    if data.get("year_renovated") not in (None, ""):
        try:
            year = int(data["year_renovated"])
        except (TypeError, ValueError):
            year = 0
        if not 2000 <= year <= 2100:
            bad("year_renovated", _("年份无效。"))
        out["year_renovated"] = year
    elif "year_renovated" in data:
        out["year_renovated"] = None
    if data.get("subsidy_yuan") not in (None, ""):
        try:
            subsidy = Decimal(str(data["subsidy_yuan"]))
            if subsidy < 0 or not subsidy.is_finite():
                raise InvalidOperation
            out["subsidy_yuan"] = subsidy.quantize(Decimal("0.01"))
        except InvalidOperation:
            bad("subsidy_yuan", _("补助金额无效。"))
    if "hours" in data and data["hours"] is not None:
        try:
            out["hours"] = hours.parse_weekly(data["hours"])
        except (ValueError, KeyError, TypeError):
            bad("hours", _("开放时间无效：开门与关门时间不能相同，同一天的时段不能重叠。"))
    if "manager_phone" in data:
        out["manager_phone"] = data["manager_phone"]
    if errors:
        raise ValidationError(errors)
    return out


def _manager_from_phone(phone):
    """The station manager account with this phone (it must hold the station_manager role)."""
    from gonghui.accounts.models import User

    if not phone:
        return None
    try:
        user = User.objects.get_by_phone(validate_mobile(phone))
    except User.DoesNotExist:
        raise ValidationError({"manager_phone": [_("该手机号没有站点管理员账号。")]}) from None
    if not RoleAssignment.objects.filter(user=user, role=Role.STATION_MANAGER, active=True).exists():
        raise ValidationError({"manager_phone": [_("该用户不是站点管理员。")]})
    return user


def _apply(station: Station, cleaned: dict) -> dict:
    changes = {}
    for key, value in cleaned.items():
        if key in ("hours", "manager_phone"):
            continue
        old = getattr(station, key, None)
        if old != value:
            changes[key] = str(value) if key == "region" else value
            setattr(station, key, value)
    if "manager_phone" in cleaned:
        manager = _manager_from_phone(cleaned["manager_phone"])
        if station.manager_id != (manager.pk if manager else None):
            station.manager = manager
            changes["manager_id"] = manager.pk if manager else None
    if station.station_type == StationType.SMART24:
        station.open_24h = True  # a 24-hour smart station is open around the clock by definition
    return changes


def _replace_hours(station: Station, parsed) -> None:
    station.hours.all().delete()
    OpeningHours.objects.bulk_create(
        [OpeningHours(station=station, weekday=w, opens=o, closes=c) for w, o, c in parsed]
    )


def station_create(*, actor: Actor, data: dict) -> Station:
    with audited(actor, "station.create") as draft:
        cleaned = clean_station_data(data)
        if not (actor.role == SYSTEM or actor.covers(cleaned["region"].code)):
            raise PermissionDenied(_("只能在本级工会管辖范围内登记站点。"))
        if Station.objects.filter(code=cleaned["code"]).exists():
            raise ValidationError({"code": [_("站点编码已存在。")]})
        station = Station()
        changes = _apply(station, cleaned)
        station.save()
        if "hours" in cleaned:
            _replace_hours(station, cleaned["hours"])
        draft.target = station
        draft.changes = changes
    _index_changed()
    return station


def station_update(*, actor: Actor, station: Station, data: dict) -> Station:
    """Staff change anything; the station's own manager changes hours, amenities, contact and extras only."""
    manager_fields = {"hours", "amenities", "contact_phone", "extras", "open_24h"}
    with audited(actor, "station.update", target=station) as draft:
        station = Station.objects.select_for_update().get(pk=station.pk)
        if not can_administer(actor, station):
            _require(can_operate(actor, station) and set(data) <= manager_fields)
        cleaned = clean_station_data(data, partial=True)
        if "region" in cleaned and not (actor.role == SYSTEM or actor.covers(cleaned["region"].code)):
            raise PermissionDenied(_("只能在本级工会管辖范围内登记站点。"))
        if "code" in cleaned and Station.objects.filter(code=cleaned["code"]).exclude(pk=station.pk).exists():
            raise ValidationError({"code": [_("站点编码已存在。")]})
        draft.changes = _apply(station, cleaned)
        station.save()
        if "hours" in cleaned:
            _replace_hours(station, cleaned["hours"])
            draft.changes["hours"] = len(cleaned["hours"])
        draft.target = station
    _index_changed()
    return station


def station_set_override(
    *, actor: Actor, station: Station, day: date, closed: bool, opens=None, closes=None, note: str = ""
) -> HoursOverride:
    with audited(actor, "station.hours_override", target=station) as draft:
        _require(can_operate(actor, station))
        if not closed:
            try:
                hours.span(opens, closes)
            except (ValueError, AttributeError, TypeError):
                raise ValidationError({"opens": [_("开放时间无效。")]}) from None
        override, _created = HoursOverride.objects.update_or_create(
            station=station,
            date=day,
            defaults={
                "closed": closed,
                "opens": None if closed else opens,
                "closes": None if closed else closes,
                "note": note[:100],
            },
        )
        Station.objects.filter(pk=station.pk).update(
            updated_at=timezone.now()
        )  # the finder notices the change
        draft.changes = {"date": day.isoformat(), "closed": closed}
    _index_changed()
    return override


def station_add_photo(*, actor: Actor, station: Station, upload, caption: str = "") -> StationPhoto:
    with audited(actor, "station.photo_add", target=station) as draft:
        _require(can_operate(actor, station))
        validate_photo(upload)
        photo = StationPhoto.objects.create(station=station, image=upload, caption=caption[:100])
        draft.changes = {"photo_id": photo.pk}
    return photo


def station_rotate_door_code(*, actor: Actor, station: Station) -> Station:
    """A new door QR; the printed old one stops working (e.g. after it was copied)."""
    with audited(actor, "station.door_rotate", target=station):
        _require(can_operate(actor, station))
        station.door_token = new_token()
        station.save(update_fields=["door_token", "updated_at"])
    return station


def _index_changed() -> None:
    from gonghui.stations.finder import bump_index_version

    transaction.on_commit(bump_index_version)


# --- visitors and visits ---------------------------------------------------------------------------------------


def _visitor_for_phone(phone: str, occupation: str | None) -> Visitor:
    phone = validate_mobile(phone)
    if occupation and occupation not in Occupation.values:
        raise ValidationError({"occupation": [_("请选择职业。")]})
    visitor = Visitor.objects.filter(phone_hash=Visitor.phone.hash_of(phone)).first()
    if visitor is None:
        if not occupation:
            raise ValidationError({"occupation": [_("首次到站请选择职业类别。")]})
        try:
            with transaction.atomic():
                visitor = Visitor(occupation=occupation)
                visitor.phone = phone
                visitor.save()
        except IntegrityError:  # the same person registering twice at once
            visitor = Visitor.objects.get(phone_hash=Visitor.phone.hash_of(phone))
    elif occupation and occupation != visitor.occupation:
        visitor.occupation = occupation
        visitor.save(update_fields=["occupation"])
    return visitor


def _visitor_for_member_code(code: str, checker: Actor | None = None) -> Visitor:
    """The visitor behind a member code. At the door (no staff) a registered resolver decides; when a manager or
    staff member checks the code, the accounts package verifies it for them."""
    code = str(code or "").strip()
    if checker is not None and checker.role in (Role.STAFF, Role.STATION_MANAGER):
        from gonghui.stations.member_codes import verify_at_station

        member = verify_at_station(code, checker)
    else:
        resolve = member_code_resolver()
        if resolve is None:
            raise ServiceError(_("会员码核验暂未开通，请使用手机号登记。"))
        member = resolve(code)
    if member is None:
        raise ValidationError({"member_code": [_("会员码无效或已过期。")]})
    visitor = Visitor.objects.filter(member=member).first()
    if visitor is None and member.phone_hash:
        visitor = Visitor.objects.filter(phone_hash=member.phone_hash).first()
    if visitor is None:
        if not member.phone:
            raise ValidationError({"member_code": [_("会员信息缺少手机号，请使用手机号登记。")]})
        visitor = Visitor(occupation=member.occupation, member=member)
        visitor.phone = member.phone
        visitor.save()
    elif visitor.member_id != member.pk:
        visitor.member = member
        visitor.save(update_fields=["member"])
    return visitor


def identify_visitor(
    *, phone=None, occupation=None, member_code=None, visitor_id=None
) -> tuple[Visitor, str]:
    """Who is at the door: member code first, then phone (+ occupation the first time), then a remembered device."""
    if member_code:
        return _visitor_for_member_code(member_code), VisitMethod.MEMBER_CODE
    if phone:
        return _visitor_for_phone(phone, occupation), VisitMethod.PHONE
    if visitor_id:
        visitor = Visitor.objects.filter(pk=visitor_id).first()
        if visitor is not None:
            return visitor, VisitMethod.DEVICE
    raise ValidationError({"phone": [_("请输入手机号或出示会员码。")]})


def visit_record_by_manager(
    *, actor: Actor, station: Station, member_code=None, phone=None, occupation=None, now=None
) -> Visit:
    """站长登记: the manager records a worker at the counter, by the worker's member code or phone."""
    _require(can_operate(actor, station))
    if member_code:
        visitor = _visitor_for_member_code(member_code, checker=actor)
        return visit_record(
            actor=actor,
            door_token=station.door_token,
            visitor_id=visitor.pk,
            now=now,
            method_override=VisitMethod.MEMBER_CODE,
        )
    return visit_record(
        actor=actor,
        door_token=station.door_token,
        phone=phone,
        occupation=occupation,
        now=now,
        method_override=VisitMethod.STAFF,
    )


def visit_record(
    *,
    actor: Actor,
    door_token: str,
    phone=None,
    occupation=None,
    member_code=None,
    visitor_id=None,
    now=None,
    method_override: str | None = None,
) -> Visit:
    """Scanning the door QR. At most one visit per person per station per hour (sliding hour)."""
    now = _now(now)
    with audited(actor, "station.visit") as draft:
        station = Station.objects.filter(door_token=door_token).first()
        if station is None:
            raise ServiceError(_("二维码无效，请扫描站点门口张贴的最新二维码。"))
        draft.target = station
        if station.status != StationStatus.ACTIVE:
            raise ServiceError(_("该站点已暂停或关闭，不能登记到站。"))
        visitor, method = identify_visitor(
            phone=phone, occupation=occupation, member_code=member_code, visitor_id=visitor_id
        )
        # Lock the person, then check: two scans at once cannot both pass the hour rule.
        visitor = Visitor.objects.select_for_update().get(pk=visitor.pk)
        since = now - timedelta(minutes=VISIT_INTERVAL_MINUTES)
        if Visit.objects.filter(visitor=visitor, station=station, visited_at__gt=since).exists():
            raise ConflictError(_("一小时内已在本站登记过，无需重复登记。"))
        visit = Visit.objects.create(
            station=station,
            visitor=visitor,
            occupation=visitor.occupation,
            method=method_override or method,
            visited_at=now,
        )
        draft.changes = {"visit_id": visit.pk, "method": method}
    return visit


# --- ratings and complaints ------------------------------------------------------------------------------------


def rating_submit(*, actor: Actor, station: Station, score, comment: str = "", visitor_id=None) -> Rating:
    with audited(actor, "station.rate", target=station) as draft:
        try:
            score = int(score)
        except (TypeError, ValueError):
            score = 0
        if not 1 <= score <= 5:
            raise ValidationError({"score": [_("评分为1到5星。")]})
        if station.status == StationStatus.CLOSED:
            raise ServiceError(_("该站点已关闭。"))
        visitor = Visitor.objects.filter(pk=visitor_id).first() if visitor_id else None
        rating = Rating.objects.create(
            station=station, visitor=visitor, score=score, comment=(comment or "")[:300]
        )
        draft.changes = {"score": score}
    return rating


def complaint_file(
    *,
    actor: Actor,
    station: Station,
    category: str,
    description: str,
    photo=None,
    phone=None,
    visitor_id=None,
    now=None,
) -> Complaint:
    now = _now(now)
    with audited(actor, "station.complaint_file", target=station) as draft:
        errors = {}
        if category not in ComplaintCategory.values:
            errors["category"] = [_("请选择问题类型。")]
        description = (description or "").strip()
        if not description:
            errors["description"] = [_("请描述遇到的问题。")]
        if errors:
            raise ValidationError(errors)
        if photo is not None:
            validate_photo(photo)
        visitor = None
        if phone:
            visitor = _visitor_for_phone(phone, Occupation.OTHER)
        elif visitor_id:
            visitor = Visitor.objects.filter(pk=visitor_id).first()
        complaint = Complaint.objects.create(
            station=station,
            visitor=visitor,
            category=category,
            description=description[:1000],
            photo=photo or "",
            created_at=now,
            deadline_at=now + timedelta(hours=COMPLAINT_DEADLINE_HOURS),
        )
        draft.target = complaint
        draft.changes = {"category": category, "station_id": station.pk, "photo": bool(photo)}
        from gonghui.stations.tasks import notify_on_commit

        notify_on_commit(complaint.pk)  # queued only if this transaction commits
    return complaint


def complaint_add_note(*, actor: Actor, complaint: Complaint, text: str, by_worker: bool) -> ComplaintNote:
    with audited(actor, "station.complaint_note", target=complaint) as draft:
        if not by_worker:
            _require(can_operate(actor, complaint.station) or actor.covers(complaint.station.region_id))
        text = (text or "").strip()
        if not text:
            raise ValidationError({"text": [_("请输入内容。")]})
        note = ComplaintNote.objects.create(
            complaint=complaint,
            by_worker=by_worker,
            author_id=None if by_worker else actor.user_id,
            text=text[:1000],
        )
        draft.changes = {"by_worker": by_worker}
    return note


def complaint_start(*, actor: Actor, complaint: Complaint) -> Complaint:
    with audited(actor, "station.complaint_start", target=complaint):
        complaint = Complaint.objects.select_for_update().select_related("station").get(pk=complaint.pk)
        _require(can_operate(actor, complaint.station))
        if complaint.status != ComplaintStatus.OPEN:
            raise ServiceError(_("只有待处理的投诉可以开始处理。"))
        complaint.status = ComplaintStatus.IN_PROGRESS
        complaint.save(update_fields=["status"])
    return complaint


def complaint_resolve(*, actor: Actor, complaint: Complaint, resolution: str, now=None) -> Complaint:
    now = _now(now)
    with audited(actor, "station.complaint_resolve", target=complaint) as draft:
        complaint = Complaint.objects.select_for_update().select_related("station").get(pk=complaint.pk)
        _require(can_operate(actor, complaint.station))
        if complaint.status == ComplaintStatus.RESOLVED:
            raise ServiceError(_("该投诉已解决。"))
        resolution = (resolution or "").strip()
        if not resolution:
            raise ValidationError({"resolution": [_("请填写处理结果。")]})
        complaint.status = ComplaintStatus.RESOLVED
        complaint.resolution = resolution[:2000]
        complaint.resolved_at = now
        complaint.save(update_fields=["status", "resolution", "resolved_at"])
        draft.changes = {"late": now > complaint.deadline_at}
    return complaint


def complaint_reopen(*, actor: Actor, complaint: Complaint, reason: str, now=None) -> Complaint:
    """The worker says it is not fixed: open again with a fresh deadline."""
    now = _now(now)
    with audited(actor, "station.complaint_reopen", target=complaint):
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.status != ComplaintStatus.RESOLVED:
            raise ServiceError(_("只有已解决的投诉可以重新打开。"))
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("请说明仍未解决的情况。")]})
        complaint.status = ComplaintStatus.OPEN
        complaint.resolved_at = None
        complaint.deadline_at = now + timedelta(hours=COMPLAINT_DEADLINE_HOURS)
        complaint.save(update_fields=["status", "resolved_at", "deadline_at"])
        ComplaintNote.objects.create(complaint=complaint, by_worker=True, text=reason.strip()[:1000])
    return complaint


def county_union_of(station: Station) -> Organisation | None:
    return Organisation.objects.filter(level=OrgLevel.COUNTY, region_id=station.county_code).first()


def complaints_escalate_overdue(*, actor: Actor | None = None, now=None) -> int:
    """Past-deadline complaints go to the county union (run every few minutes by the scheduler)."""
    actor = actor or Actor.system()
    now = _now(now)
    overdue = list(
        Complaint.objects.filter(
            status__in=[ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS], deadline_at__lt=now
        ).values_list("pk", flat=True)
    )
    escalated = 0
    for pk in overdue:
        with audited(actor, "station.complaint_escalate") as draft:
            complaint = Complaint.objects.select_for_update().select_related("station").get(pk=pk)
            draft.target = complaint
            if complaint.status not in (ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS):
                continue  # handled meanwhile
            complaint.status = ComplaintStatus.ESCALATED
            complaint.escalated_at = now
            complaint.escalated_to = county_union_of(complaint.station)
            complaint.save(update_fields=["status", "escalated_at", "escalated_to"])
            draft.changes = {"escalated_to": complaint.escalated_to_id}
            escalated += 1
    return escalated


# --- inspections, consumables, star levels ---------------------------------------------------------------------


def inspection_score(checklist: dict, open_as_posted: bool) -> int:
    present = sum(1 for key in BASIC_KIT if checklist.get(key))
    score = round(100 * present / len(BASIC_KIT))
    return max(0, score - (30 if not open_as_posted else 0))


def inspection_record(
    *,
    actor: Actor,
    station: Station,
    kind: str,
    inspected_on: date,
    checklist: dict,
    open_as_posted: bool = True,
    notes: str = "",
) -> Inspection:
    with audited(actor, "station.inspect", target=station) as draft:
        if kind not in InspectionKind.values:
            raise ValidationError({"kind": [_("未知的检查方式。")]})
        # Managers may check their own station; mystery visits are for union staff only.
        _require(
            can_administer(actor, station) or (kind == InspectionKind.ROUTINE and can_operate(actor, station))
        )
        unknown = [k for k in checklist if k not in AMENITY_BIT]
        if unknown:
            raise ValidationError({"checklist": [_("未知的设施：%(key)s") % {"key": unknown[0]}]})
        if inspected_on > timezone.localdate():
            raise ValidationError({"inspected_on": [_("检查日期不能晚于今天。")]})
        clean = {k: bool(v) for k, v in checklist.items()}
        inspection = Inspection.objects.create(
            station=station,
            kind=kind,
            inspector_id=actor.user_id,
            inspected_on=inspected_on,
            open_as_posted=open_as_posted,
            checklist=clean,
            notes=notes[:2000],
            score=inspection_score(clean, open_as_posted),
        )
        draft.changes = {"score": inspection.score, "missing": inspection.missing}
    return inspection


def consumable_save(
    *,
    actor: Actor,
    station: Station,
    name: str,
    quantity: int,
    min_quantity: int = 1,
    expires_on: date | None = None,
    consumable_id: int | None = None,
) -> Consumable:
    with audited(actor, "station.consumable_save", target=station) as draft:
        _require(can_operate(actor, station))
        name = (name or "").strip()
        if not name:
            raise ValidationError({"name": [_("请填写物品名称。")]})
        if int(quantity) < 0 or int(min_quantity) < 0:
            raise ValidationError({"quantity": [_("数量不能为负。")]})
        if consumable_id:
            item = Consumable.objects.select_for_update().get(pk=consumable_id, station=station)
        else:
            item = Consumable(station=station)
        item.name, item.quantity, item.min_quantity, item.expires_on = (
            name[:60],
            int(quantity),
            int(min_quantity),
            expires_on,
        )
        item.save()
        draft.changes = {"name": item.name, "quantity": item.quantity, "expires_on": str(expires_on or "")}
    return item


def suggested_star_level(
    *,
    current: int,
    average_rating: float | None,
    ratings: int,
    inspection_score: int | None,
    overdue_complaints: int,
) -> tuple[int, str]:
    """Stars are not permanent: ratings set the base, a poor inspection caps it, unfixed complaints demote."""
    reasons = []
    level = current
    if average_rating is not None and ratings >= 5:
        level = max(1, min(5, round(average_rating)))
        reasons.append(f"rating {average_rating:.2f} ({ratings})")
    if inspection_score is not None:
        if inspection_score < 60:
            level = min(level, 2)
            reasons.append(f"inspection {inspection_score} < 60")
        elif inspection_score < 80:
            level = min(level, 3)
            reasons.append(f"inspection {inspection_score} < 80")
    if overdue_complaints:
        level -= overdue_complaints
        reasons.append(f"{overdue_complaints} overdue complaint(s)")
    return max(1, min(5, level)), "; ".join(reasons) or "no change"


class _AlreadyReviewed(Exception):
    """Raised inside the review's transaction to leave it without a write or an audit event."""

    def __init__(self, review: StarReview):
        self.review = review


def star_review(*, actor: Actor, station: Station, now=None, period: date | None = None) -> StarReview:
    """Review one station's stars now. With ``period`` (a month's first day) it is that month's scheduled review:
    done at most once per station and month (a repeat returns the existing review and changes nothing), and a
    changed level is sent to the station's manager by SMS."""
    now = _now(now)
    try:
        return _star_review(actor=actor, station=station, now=now, period=period)
    except _AlreadyReviewed as done:
        return done.review


def _star_review(*, actor: Actor, station: Station, now: datetime, period: date | None) -> StarReview:
    with audited(actor, "station.star_review", target=station) as draft:
        station = Station.objects.select_for_update().get(pk=station.pk)
        _require(can_administer(actor, station))
        if period is not None:
            existing = station.star_reviews.filter(period=period).first()
            if existing is not None:
                raise _AlreadyReviewed(existing)
        year_ago = now - timedelta(days=365)
        stats = station.ratings.filter(created_at__gte=year_ago).aggregate(avg=Avg("score"))
        count = station.ratings.filter(created_at__gte=year_ago).count()
        latest = station.inspections.filter(inspected_on__gte=year_ago.date()).first()
        overdue = (
            station.complaints.filter(status=ComplaintStatus.ESCALATED).count()
            + station.complaints.filter(
                status__in=[ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS], deadline_at__lt=now
            ).count()
        )
        level, reason = suggested_star_level(
            current=station.star_level,
            average_rating=stats["avg"],
            ratings=count,
            inspection_score=latest.score if latest else None,
            overdue_complaints=overdue,
        )
        review = StarReview.objects.create(
            station=station,
            reviewed_at=now,
            old_level=station.star_level,
            new_level=level,
            average_rating=stats["avg"],
            inspection_score=latest.score if latest else None,
            overdue_complaints=overdue,
            reason=reason[:300],
            period=period,
        )
        station.star_level = level
        station.save(update_fields=["star_level", "updated_at"])
        draft.changes = {"old": review.old_level, "new": level}
        if period is not None:
            draft.changes["period"] = period.isoformat()
            if level != review.old_level and station.manager_id is not None:
                from gonghui.stations.tasks import notify_star_review_on_commit

                notify_star_review_on_commit(review.pk)  # queued only if this review commits
    return review


def review_month(now: datetime) -> date:
    """The month a scheduled review at ``now`` counts for: the first day of the local (Asia/Shanghai) month."""
    return _local(now).date().replace(day=1)


def star_reviews_monthly(*, now=None) -> dict[str, int]:
    """This month's star review for every active station not yet reviewed this month, as the system.

    A sweep: run it as often as you like; each station is reviewed once per month, so a missed run is caught up
    by the next one and a repeated run changes nothing. Each station is its own audited transaction.
    """
    now = _now(now)
    period = review_month(now)
    actor = Actor.system()
    counts = {"reviewed": 0, "demoted": 0, "promoted": 0, "unchanged": 0}
    due = (
        Station.objects.filter(status=StationStatus.ACTIVE)
        .exclude(star_reviews__period=period)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for station_id in list(due):
        station = Station.objects.get(pk=station_id)
        review = star_review(actor=actor, station=station, now=now, period=period)
        if review.reviewed_at != now:  # reviewed meanwhile by an overlapping run
            continue
        counts["reviewed"] += 1
        if review.new_level < review.old_level:
            counts["demoted"] += 1
        elif review.new_level > review.old_level:
            counts["promoted"] += 1
        else:
            counts["unchanged"] += 1
    return counts


# --- mobile container stations ---------------------------------------------------------------------------------


def relocation_start(
    *, actor: Actor, station: Station, project: str, to_address: str, to_region_code: str, lng, lat, now=None
) -> Relocation:
    now = _now(now)
    with audited(actor, "station.relocation_start", target=station) as draft:
        station = Station.objects.select_for_update().get(pk=station.pk)
        _require(can_administer(actor, station))
        if station.station_type != StationType.MOBILE:
            raise ServiceError(_("只有移动集装箱站点可以搬迁。"))
        if station.relocations.filter(ready_at__isnull=True).exists():
            raise ServiceError(_("上一次搬迁尚未完成。"))
        cleaned = clean_station_data({"region_code": to_region_code, "lng": lng, "lat": lat}, partial=True)
        if not actor.covers(cleaned["region"].code) and actor.role != SYSTEM:
            raise PermissionDenied(_("只能在本级工会管辖范围内搬迁站点。"))
        relocation = Relocation.objects.create(
            station=station,
            project=(project or "").strip()[:100],
            from_address=station.address,
            to_address=(to_address or "").strip()[:200],
            to_region=cleaned["region"],
            to_lng_wgs84=cleaned["lng_wgs84"],
            to_lat_wgs84=cleaned["lat_wgs84"],
            move_started_at=now,
        )
        station.status = StationStatus.SUSPENDED  # closed while it moves
        station.save(update_fields=["status", "updated_at"])
        draft.changes = {"to": relocation.to_address, "project": relocation.project}
    _index_changed()
    return relocation


def relocation_arrive(*, actor: Actor, relocation: Relocation, now=None) -> Relocation:
    now = _now(now)
    with audited(actor, "station.relocation_arrive", target=relocation.station):
        relocation = Relocation.objects.select_for_update().select_related("station").get(pk=relocation.pk)
        _require(can_operate(actor, relocation.station))
        if relocation.moved_at is not None:
            raise ServiceError(_("已登记运抵。"))
        if now < relocation.move_started_at:
            raise ValidationError({"moved_at": [_("时间早于开始搬迁。")]})
        relocation.moved_at = now
        relocation.save(update_fields=["moved_at"])
    return relocation


def relocation_ready(*, actor: Actor, relocation: Relocation, now=None) -> Relocation:
    """Set up at the new site: the station moves there and opens again."""
    now = _now(now)
    with audited(actor, "station.relocation_ready", target=relocation.station) as draft:
        relocation = Relocation.objects.select_for_update().select_related("station").get(pk=relocation.pk)
        station = relocation.station
        _require(can_operate(actor, station))
        if relocation.moved_at is None or relocation.ready_at is not None:
            raise ServiceError(_("请先登记运抵新址。"))
        if now < relocation.moved_at:
            raise ValidationError({"ready_at": [_("时间早于运抵。")]})
        relocation.ready_at = now
        relocation.save(update_fields=["ready_at"])
        station.address = relocation.to_address
        station.region = relocation.to_region
        station.lng_wgs84, station.lat_wgs84 = relocation.to_lng_wgs84, relocation.to_lat_wgs84
        station.status = StationStatus.ACTIVE
        station.save()
        draft.changes = {"move_hours": relocation.move_hours, "setup_hours": relocation.setup_hours}
    _index_changed()
    return relocation


# --- service sessions, sign-ups and check-ins ------------------------------------------------------------------


def _clean_slots(slots) -> list[tuple[time, time, int]]:
    out = []
    try:
        for starts, ends, capacity in slots:
            starts = starts if isinstance(starts, time) else time.fromisoformat(str(starts))
            ends = ends if isinstance(ends, time) else time.fromisoformat(str(ends))
            capacity = int(capacity)
            if ends <= starts or capacity < 1 or capacity > 10000:
                raise ValueError
            out.append((starts, ends, capacity))
    except (TypeError, ValueError):
        raise ValidationError({"slots": [_("时段无效：结束时间须晚于开始时间，名额至少为1。")]}) from None
    if not out:
        raise ValidationError({"slots": [_("至少需要一个时段。")]})
    return out


def session_create(
    *,
    actor: Actor,
    station: Station,
    kind: str,
    title: str,
    day: date,
    slots,
    service_day: ServiceDay | None = None,
) -> ServiceSession:
    with audited(actor, "station.session_create", target=station) as draft:
        _require(can_operate(actor, station))
        if kind not in SessionKind.values:
            raise ValidationError({"kind": [_("未知的服务类型。")]})
        if station.status == StationStatus.CLOSED:
            raise ServiceError(_("该站点已关闭。"))
        clean = _clean_slots(slots)
        session = ServiceSession.objects.create(
            station=station,
            region_id=station.region_id,
            kind=kind,
            title=(title or "").strip()[:100] or kind,
            date=day,
            service_day=service_day,
        )
        SessionSlot.objects.bulk_create(
            [SessionSlot(session=session, starts=s, ends=e, capacity=c) for s, e, c in clean]
        )
        draft.target = session
        draft.changes = {
            "date": day.isoformat(),
            "slots": len(clean),
            "capacity": sum(c for _s, _e, c in clean),
        }
    return session


def service_day_create(
    *,
    actor: Actor,
    station: Station,
    kind: str,
    title: str,
    day_of_month: int,
    slot_times,
    capacity_per_slot: int,
) -> ServiceDay:
    with audited(actor, "station.service_day_create", target=station) as draft:
        _require(can_operate(actor, station))
        if kind not in SessionKind.values:
            raise ValidationError({"kind": [_("未知的服务类型。")]})
        if not 1 <= int(day_of_month) <= 28:
            raise ValidationError({"day_of_month": [_("每月服务日为1到28号。")]})
        clean = _clean_slots([(s, e, capacity_per_slot) for s, e in slot_times])
        service_day = ServiceDay.objects.create(
            station=station,
            kind=kind,
            title=(title or "").strip()[:100],
            day_of_month=int(day_of_month),
            slot_times=[[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e, _c in clean],
            capacity_per_slot=int(capacity_per_slot),
        )
        draft.changes = {"day_of_month": service_day.day_of_month}
    return service_day


def service_day_schedule(
    *, actor: Actor, service_day: ServiceDay, months: int = 3, today: date | None = None
) -> int:
    """Create the sessions of the next ``months`` service days that do not exist yet; returns how many."""
    today = today or timezone.localdate()
    created = 0
    with audited(actor, "station.service_day_schedule", target=service_day.station) as draft:
        _require(can_operate(actor, service_day.station))
        year, month = today.year, today.month
        for _i in range(months + 1):
            day = date(year, month, service_day.day_of_month)
            if day >= today and not ServiceSession.objects.filter(service_day=service_day, date=day).exists():
                session = ServiceSession.objects.create(
                    station=service_day.station,
                    region_id=service_day.station.region_id,
                    kind=service_day.kind,
                    title=service_day.title,
                    date=day,
                    service_day=service_day,
                )
                SessionSlot.objects.bulk_create(
                    [
                        SessionSlot(
                            session=session,
                            starts=time.fromisoformat(s),
                            ends=time.fromisoformat(e),
                            capacity=service_day.capacity_per_slot,
                        )
                        for s, e in service_day.slot_times
                    ]
                )
                created += 1
            month += 1
            if month == 13:
                year, month = year + 1, 1
        draft.changes = {"created": created}
    return created


def signup_create(
    *, actor: Actor, slot_id: int, phone: str, occupation: str | None = None, now=None
) -> SignUp:
    """Take a place. Capacity is counted from the rows under a lock on the slot, so the last place has one winner."""
    now = _now(now)
    with audited(actor, "station.signup") as draft:
        visitor = _visitor_for_phone(phone, occupation)
        slot = SessionSlot.objects.select_for_update().select_related("session").filter(pk=slot_id).first()
        if slot is None:
            raise ValidationError({"slot": [_("时段不存在。")]})
        draft.target = slot.session
        if slot.session.cancelled:
            raise ServiceError(_("该活动已取消。"))
        if slot.session.date < _local(now).date():
            raise ServiceError(_("活动已结束，不能报名。"))
        if slot.signups.filter(visitor=visitor, status=SignUpStatus.ACTIVE).exists():
            raise ConflictError(_("您已报名该时段。"))
        taken = slot.signups.filter(status=SignUpStatus.ACTIVE).count()
        if taken >= slot.capacity:
            raise ConflictError(_("该时段名额已满。"))
        signup = SignUp.objects.create(slot=slot, visitor=visitor)
        draft.changes = {"slot_id": slot.pk, "place": taken + 1, "capacity": slot.capacity}
    return signup


def signup_cancel(*, actor: Actor, token: str) -> SignUp:
    with audited(actor, "station.signup_cancel") as draft:
        signup = (
            SignUp.objects.select_for_update().select_related("slot__session").filter(token=token).first()
        )
        if signup is None:
            raise ValidationError({"token": [_("报名凭证无效。")]})
        draft.target = signup.slot.session
        if signup.status != SignUpStatus.ACTIVE:
            raise ServiceError(_("该报名已取消。"))
        signup.status = SignUpStatus.CANCELLED
        signup.save(update_fields=["status"])
    return signup


def checkin_record(
    *,
    actor: Actor,
    session: ServiceSession,
    signup_token: str | None = None,
    phone: str | None = None,
    walk_in: bool = False,
    now=None,
) -> CheckIn:
    """Check a person in on the day. Failed attempts are kept too, with the reason; only OK rows count."""
    now = _now(now)
    with audited(actor, "station.checkin", target=session) as draft:
        _require(can_operate(actor, session.station))
        session = ServiceSession.objects.select_for_update().get(pk=session.pk)
        visitor, slot, result = None, None, CheckInResult.OK
        if signup_token:
            signup = (
                SignUp.objects.select_related("slot")
                .filter(token=signup_token, slot__session=session, status=SignUpStatus.ACTIVE)
                .first()
            )
            if signup is None:
                result = CheckInResult.NOT_SIGNED_UP
            else:
                visitor, slot = signup.visitor, signup.slot
        elif phone:
            visitor = _visitor_for_phone(phone, Occupation.OTHER)
            signup = SignUp.objects.filter(
                slot__session=session, visitor=visitor, status=SignUpStatus.ACTIVE
            ).first()
            slot = signup.slot if signup else None
            if signup is None and not walk_in:
                result = CheckInResult.NOT_SIGNED_UP
        elif not walk_in:
            raise ValidationError({"phone": [_("请输入报名凭证或手机号。")]})
        if result == CheckInResult.OK and _local(now).date() != session.date:
            result = CheckInResult.WRONG_DAY
        if (
            result == CheckInResult.OK
            and visitor is not None
            and session.checkins.filter(visitor=visitor, result=CheckInResult.OK).exists()
        ):
            result = CheckInResult.DUPLICATE
        checkin = CheckIn.objects.create(
            session=session, slot=slot, visitor=visitor, result=result, checked_in_at=now, by_id=actor.user_id
        )
        draft.changes = {"result": result}
    return checkin


def station_holiday_hours(
    *, actor: Actor, station: Station, year: int, closed: bool = True, opens=None, closes=None, note: str = ""
) -> int:
    """One rule for every statutory public holiday of ``year`` (from chinesecalendar): closed, or special hours.
    Dates that already have an override keep it. Returns how many dates were added."""
    import chinese_calendar

    with audited(actor, "station.holiday_hours", target=station) as draft:
        _require(can_operate(actor, station))
        if not closed:
            try:
                hours.span(opens, closes)
            except (ValueError, AttributeError, TypeError):
                raise ValidationError({"opens": [_("开放时间无效。")]}) from None
        try:
            days = [
                d
                for d in chinese_calendar.get_holidays(
                    date(year, 1, 1), date(year, 12, 31), include_weekends=False
                )
                if chinese_calendar.get_holiday_detail(d)[1]
            ]
        except NotImplementedError:
            raise ServiceError(_("该年份的法定节假日安排尚未公布。")) from None
        existing = set(station.overrides.filter(date__year=year).values_list("date", flat=True))
        new = [
            HoursOverride(
                station=station,
                date=d,
                closed=closed,
                opens=None if closed else opens,
                closes=None if closed else closes,
                note=(note or chinese_calendar.get_holiday_detail(d)[1] or "")[:100],
            )
            for d in days
            if d not in existing
        ]
        HoursOverride.objects.bulk_create(new)
        Station.objects.filter(pk=station.pk).update(updated_at=timezone.now())
        draft.changes = {"year": year, "dates": len(new), "closed": closed}
    _index_changed()
    return len(new)
