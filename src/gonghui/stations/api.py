"""Stations API (/api/v1/stations/): everything the pages do, for mobile and mini-program clients.

Public endpoints (auth=None) serve workers without login. Lists for staff and managers are paginated
({"items", "count"}); every item carries "id" and "region_code"; details 404 outside the actor's scope.
"""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.core.permissions import require_role
from gonghui.core.scoping import get_scoped_or_404
from gonghui.stations import exchange, figures, selectors, services
from gonghui.stations.models import (
    Complaint,
    Relocation,
    ServiceDay,
    ServiceSession,
    SignUp,
    Station,
    StationStatus,
)
from gonghui.stations.params import parse_finder_query

router = Router(tags=["stations"])
OPERATORS = ("staff", "station_manager")
# Public data for workers without login (active stations, upcoming sessions): not region-scoped on purpose.
PUBLIC = {"x-gonghui-scope": "public"}


def _operator(request):
    require_role(request.actor, *OPERATORS, action="stations.api")
    return request.actor


# --- schemas ---------------------------------------------------------------------------------------------------


class NearbyOut(Schema):
    id: int
    code: str
    name: str
    address: str
    lng: float
    lat: float
    datum: str = "WGS-84"
    distance_m: int
    walk_min: int
    ride_min: int
    open_now: bool
    open_24h: bool
    star_level: int
    amenities: list[str]


class NearbyList(Schema):
    items: list[NearbyOut]
    count: int
    origin_lng: float
    origin_lat: float


class HoursIn(Schema):
    weekday: int
    opens: time
    closes: time


class HoursOut(HoursIn):
    overnight: bool


class NavOut(Schema):
    gcj02_lng: float
    gcj02_lat: float
    amap_app: str
    amap_web: str
    baidu_app: str
    baidu_web: str


class PublicStationOut(Schema):
    id: int
    code: str
    name: str
    station_type: str
    address: str
    region_code: str
    lng_wgs84: float
    lat_wgs84: float
    open_24h: bool
    open_now: bool
    amenities: list[str]
    extras: str
    star_level: int
    rating: float | None
    ratings: int
    hours: list[HoursOut]
    photos: list[str]
    navigation: NavOut


class StationIn(Schema):
    code: str
    name: str
    station_type: str = "fixed"
    region_code: str
    address: str
    lng: float
    lat: float
    open_24h: bool = False
    amenities: list[str] = []
    hours: list[HoursIn] = []
    extras: str = ""
    host_name: str = ""
    contact_phone: str = ""
    star_level: int = 3
    year_renovated: int | None = None
    subsidy_yuan: str = "0"
    manager_phone: str | None = None


class StationPatch(Schema):
    name: str | None = None
    station_type: str | None = None
    status: str | None = None
    region_code: str | None = None
    address: str | None = None
    lng: float | None = None
    lat: float | None = None
    open_24h: bool | None = None
    amenities: list[str] | None = None
    hours: list[HoursIn] | None = None
    extras: str | None = None
    host_name: str | None = None
    contact_phone: str | None = None
    star_level: int | None = None
    year_renovated: int | None = None
    subsidy_yuan: str | None = None
    manager_phone: str | None = None


class StationOut(Schema):
    id: int
    code: str
    name: str
    station_type: str
    status: str
    region_code: str
    address: str
    lng_wgs84: float
    lat_wgs84: float
    open_24h: bool
    amenities: list[str]
    star_level: int
    year_renovated: int | None
    subsidy_yuan: float
    manager_id: int | None
    host_name: str
    door_url: str


class VisitIn(Schema):
    door_token: str
    phone: str | None = None
    occupation: str | None = None
    member_code: str | None = None


class VisitOut(Schema):
    id: int
    station_code: str
    method: str
    visited_at: datetime


class RatingIn(Schema):
    score: int
    comment: str = ""


class OkOut(Schema):
    ok: bool = True
    id: int | None = None


class ComplaintPublicOut(Schema):
    follow_token: str
    station_name: str
    category: str
    status: str
    description: str
    deadline_at: datetime
    resolution: str
    notes: list[dict]


class ComplaintOut(Schema):
    id: int
    region_code: str
    station_id: int
    station_name: str
    category: str
    status: str
    description: str
    created_at: datetime
    deadline_at: datetime
    escalated_at: datetime | None
    resolved_at: datetime | None
    resolution: str
    photo_url: str | None


class TextIn(Schema):
    text: str


class ResolveIn(Schema):
    resolution: str


class OverrideIn(Schema):
    date: date
    closed: bool
    opens: time | None = None
    closes: time | None = None
    note: str = ""


class InspectionIn(Schema):
    kind: str
    inspected_on: date
    checklist: dict[str, bool]
    open_as_posted: bool = True
    notes: str = ""


class InspectionOut(Schema):
    id: int
    score: int
    missing: list[str]


class ConsumableIn(Schema):
    name: str
    quantity: int
    min_quantity: int = 1
    expires_on: date | None = None


class AlertOut(Schema):
    id: int
    region_code: str
    station_id: int
    station_name: str
    name: str
    quantity: int
    expires_on: date | None
    reasons: list[str]


class StarReviewOut(Schema):
    old_level: int
    new_level: int
    reason: str


class RelocationIn(Schema):
    project: str
    to_address: str
    to_region_code: str
    lng: float
    lat: float


class RelocationOut(Schema):
    id: int
    region_code: str
    station_id: int
    project: str
    from_address: str
    to_address: str
    move_started_at: datetime
    moved_at: datetime | None
    ready_at: datetime | None
    move_hours: float | None
    setup_hours: float | None


class SlotIn(Schema):
    starts: time
    ends: time
    capacity: int


class SessionIn(Schema):
    kind: str
    title: str
    date: date
    slots: list[SlotIn]


class SlotOut(Schema):
    id: int
    starts: time
    ends: time
    capacity: int
    taken: int
    left: int


class SessionOut(Schema):
    id: int
    region_code: str
    station_id: int
    station_code: str
    station_name: str
    kind: str
    title: str
    date: date
    slots: list[SlotOut]
    beneficiaries: int | None = None


class ServiceDayIn(Schema):
    kind: str
    title: str
    day_of_month: int
    slot_times: list[tuple[time, time]]
    capacity_per_slot: int


class ScheduleIn(Schema):
    months: int = 3


class SignUpIn(Schema):
    slot_id: int
    phone: str
    occupation: str | None = None


class SignUpOut(Schema):
    token: str
    status: str
    session_id: int
    slot_id: int


class CheckInIn(Schema):
    signup_token: str | None = None
    phone: str | None = None
    walk_in: bool = False


class CheckInOut(Schema):
    id: int
    result: str


class ScreenOut(Schema):
    total: int
    last7: int
    today: int
    mix: list[dict]


class ImportOut(Schema):
    created: int
    errors: list[tuple[int, str]]


# --- serialisers -----------------------------------------------------------------------------------------------


def _hours(station) -> list[dict]:
    return [
        {"weekday": h.weekday, "opens": h.opens, "closes": h.closes, "overnight": h.closes < h.opens}
        for h in station.hours.all()
    ]


def _station_out(request, s: Station) -> dict:
    return {
        "id": s.pk,
        "code": s.code,
        "name": s.name,
        "station_type": s.station_type,
        "status": s.status,
        "region_code": s.region_id,
        "address": s.address,
        "lng_wgs84": s.lng_wgs84,
        "lat_wgs84": s.lat_wgs84,
        "open_24h": s.open_24h,
        "amenities": s.amenities,
        "star_level": s.star_level,
        "year_renovated": s.year_renovated,
        "subsidy_yuan": float(s.subsidy_yuan),
        "manager_id": s.manager_id,
        "host_name": s.host_name,
        "door_url": request.build_absolute_uri(f"/stations/door/{s.door_token}/"),
    }


def _complaint_out(c: Complaint) -> dict:
    return {
        "id": c.pk,
        "region_code": c.station.region_id,
        "station_id": c.station_id,
        "station_name": c.station.name,
        "category": c.category,
        "status": c.status,
        "description": c.description,
        "created_at": c.created_at,
        "deadline_at": c.deadline_at,
        "escalated_at": c.escalated_at,
        "resolved_at": c.resolved_at,
        "resolution": c.resolution,
        "photo_url": c.photo.url if c.photo else None,
    }


def _complaint_public(c: Complaint) -> dict:
    return {
        "follow_token": c.follow_token,
        "station_name": c.station.name,
        "category": c.category,
        "status": c.status,
        "description": c.description,
        "deadline_at": c.deadline_at,
        "resolution": c.resolution,
        "notes": [
            {"by_worker": n.by_worker, "text": n.text, "at": n.created_at.isoformat()} for n in c.notes.all()
        ],
    }


def _session_out(s: ServiceSession, *, with_beneficiaries: bool = False) -> dict:
    return {
        "id": s.pk,
        "region_code": s.region_id,
        "station_id": s.station_id,
        "station_code": s.station.code,
        "station_name": s.station.name,
        "kind": s.kind,
        "title": s.title,
        "date": s.date,
        "slots": selectors.slots_with_places(s),
        "beneficiaries": selectors.beneficiaries(s) if with_beneficiaries else None,
    }


def _relocation_out(r: Relocation) -> dict:
    return {
        "id": r.pk,
        "region_code": r.station.region_id,
        "station_id": r.station_id,
        "project": r.project,
        "from_address": r.from_address,
        "to_address": r.to_address,
        "move_started_at": r.move_started_at,
        "moved_at": r.moved_at,
        "ready_at": r.ready_at,
        "move_hours": r.move_hours,
        "setup_hours": r.setup_hours,
    }


def _public_station(code: str) -> Station:
    station = Station.objects.filter(code=code).exclude(status=StationStatus.CLOSED).first()
    if station is None:
        raise Http404
    return station


def _data(payload) -> dict:
    data = payload.dict(exclude_unset=True)
    if "hours" in data and data["hours"] is not None:
        data["hours"] = [dict(h) for h in data["hours"]]
    return data


# --- public: finder, station, visit, rating, complaint, sessions -----------------------------------------------


@router.get("/nearest", response=NearbyList, auth=None, openapi_extra=PUBLIC)
def nearest(request):
    """Nearest active stations to a WGS-84 point (``lng``, ``lat``) or a town (``town``); filters ``open_now``,
    ``amenity`` (repeatable), ``type`` (repeatable), ``radius_km``, ``limit`` (≤ 50)."""
    query = parse_finder_query(request.GET)
    rows = selectors.nearest_stations(
        lng=query.lng,
        lat=query.lat,
        k=query.limit,
        amenities=query.amenity_bits,
        types=query.types,
        open_now=query.open_now,
        radius_m=query.radius_m,
    )
    # The hottest public endpoint: the rows are already plain values of the documented shape (NearbyList), so they
    # are written out directly instead of being validated again field by field.
    body = {
        "items": [dict(r.__dict__, datum="WGS-84") for r in rows],
        "count": len(rows),
        "origin_lng": query.lng,
        "origin_lat": query.lat,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@router.get("/public/{code}", response=PublicStationOut, auth=None, openapi_extra=PUBLIC)
def public_station(request, code: str):
    s = _public_station(code)
    summary = selectors.station_summary(s)
    nav = selectors.navigation_links(s)
    return {
        "id": s.pk,
        "code": s.code,
        "name": s.name,
        "station_type": s.station_type,
        "address": s.address,
        "region_code": s.region_id,
        "lng_wgs84": s.lng_wgs84,
        "lat_wgs84": s.lat_wgs84,
        "open_24h": s.open_24h,
        "open_now": summary["open_now"],
        "amenities": s.amenities,
        "extras": s.extras,
        "star_level": s.star_level,
        "rating": summary["rating"],
        "ratings": summary["ratings"],
        "hours": _hours(s),
        "photos": [p.image.url for p in s.photos.all()],
        "navigation": {
            "gcj02_lng": nav["gcj02"][0],
            "gcj02_lat": nav["gcj02"][1],
            **{k: nav[k] for k in ("amap_app", "amap_web", "baidu_app", "baidu_web")},
        },
    }


@router.get("/public/{code}/screen", response=ScreenOut, auth=None, openapi_extra=PUBLIC)
def public_screen(request, code: str):
    return selectors.screen_figures(_public_station(code))


@router.post("/visits", response=VisitOut, auth=None, openapi_extra=PUBLIC)
def record_visit(request, payload: VisitIn):
    """Scan of the door QR: phone (+ occupation the first time) or member code; one per person/station/hour."""
    visit = services.visit_record(
        actor=request.actor,
        door_token=payload.door_token,
        phone=payload.phone,
        occupation=payload.occupation,
        member_code=payload.member_code,
    )
    return {
        "id": visit.pk,
        "station_code": visit.station.code,
        "method": visit.method,
        "visited_at": visit.visited_at,
    }


class CounterVisitIn(Schema):
    member_code: str | None = None
    phone: str | None = None
    occupation: str | None = None


@router.post("/stations/{station_id}/visits", response=VisitOut)
def record_counter_visit(request, station_id: int, payload: CounterVisitIn):
    """站长登记: a manager records a worker at the counter by member code (checked by accounts) or phone."""
    station = get_scoped_or_404(Station, _operator(request), action="station.view", pk=station_id)
    visit = services.visit_record_by_manager(actor=request.actor, station=station, **payload.dict())
    return {
        "id": visit.pk,
        "station_code": station.code,
        "method": visit.method,
        "visited_at": visit.visited_at,
    }


@router.post("/public/{code}/ratings", response=OkOut, auth=None, openapi_extra=PUBLIC)
def rate(request, code: str, payload: RatingIn):
    rating = services.rating_submit(
        actor=request.actor, station=_public_station(code), score=payload.score, comment=payload.comment
    )
    return {"id": rating.pk}


@router.post("/public/{code}/complaints", response=ComplaintPublicOut, auth=None, openapi_extra=PUBLIC)
def file_complaint(
    request,
    code: str,
    category: Form[str],
    description: Form[str],
    phone: Form[str] = "",
    photo: File[UploadedFile] = None,
):
    """Report a problem (multipart form; ``photo`` must be a JPEG, PNG or WebP image). Keep ``follow_token``."""
    complaint = services.complaint_file(
        actor=request.actor,
        station=_public_station(code),
        category=category,
        description=description,
        photo=photo,
        phone=phone or None,
    )
    return _complaint_public(complaint)


@router.get("/complaints/follow/{token}", response=ComplaintPublicOut, auth=None, openapi_extra=PUBLIC)
def follow_complaint(request, token: str):
    return _complaint_public(
        get_object_or_404(Complaint.objects.select_related("station"), follow_token=token)
    )


@router.post("/complaints/follow/{token}/notes", response=ComplaintPublicOut, auth=None, openapi_extra=PUBLIC)
def follow_note(request, token: str, payload: TextIn):
    complaint = get_object_or_404(Complaint.objects.select_related("station"), follow_token=token)
    services.complaint_add_note(actor=request.actor, complaint=complaint, text=payload.text, by_worker=True)
    return _complaint_public(complaint)


@router.post(
    "/complaints/follow/{token}/reopen", response=ComplaintPublicOut, auth=None, openapi_extra=PUBLIC
)
def follow_reopen(request, token: str, payload: TextIn):
    complaint = get_object_or_404(Complaint.objects.select_related("station"), follow_token=token)
    complaint = services.complaint_reopen(actor=request.actor, complaint=complaint, reason=payload.text)
    return _complaint_public(complaint)


@router.get("/upcoming", response=list[SessionOut], auth=None, openapi_extra=PUBLIC)
def upcoming(request, station_code: str | None = None):
    """Upcoming service sessions (haircut days, clinics, classes), optionally at one station."""
    station = _public_station(station_code) if station_code else None
    return [_session_out(s) for s in selectors.upcoming_sessions(station=station, limit=100)]


@router.post("/signups", response=SignUpOut, auth=None, openapi_extra=PUBLIC)
def sign_up(request, payload: SignUpIn):
    signup = services.signup_create(
        actor=request.actor, slot_id=payload.slot_id, phone=payload.phone, occupation=payload.occupation
    )
    return {
        "token": signup.token,
        "status": signup.status,
        "session_id": signup.slot.session_id,
        "slot_id": signup.slot_id,
    }


@router.get("/signups/{token}", response=SignUpOut, auth=None, openapi_extra=PUBLIC)
def signup_status(request, token: str):
    signup = get_object_or_404(SignUp.objects.select_related("slot"), token=token)
    return {
        "token": signup.token,
        "status": signup.status,
        "session_id": signup.slot.session_id,
        "slot_id": signup.slot_id,
    }


@router.post("/signups/{token}/cancel", response=SignUpOut, auth=None, openapi_extra=PUBLIC)
def signup_cancel(request, token: str):
    signup = services.signup_cancel(actor=request.actor, token=token)
    return {
        "token": signup.token,
        "status": signup.status,
        "session_id": signup.slot.session_id,
        "slot_id": signup.slot_id,
    }


# --- registry (staff; managers read their own) -----------------------------------------------------------------


@router.get("/stations", response=list[StationOut])
@paginate
def list_stations(request, q: str = "", status: str = ""):
    return [_station_out(request, s) for s in selectors.stations_for(request.actor, q=q, status=status)]


@router.get("/stations/{station_id}", response=StationOut)
def get_station(request, station_id: int):
    return _station_out(
        request, get_scoped_or_404(Station, request.actor, action="station.view", pk=station_id)
    )


@router.post("/stations", response={201: StationOut})
def create_station(request, payload: StationIn):
    require_role(request.actor, "staff", action="station.create")
    return Status(
        201, _station_out(request, services.station_create(actor=request.actor, data=_data(payload)))
    )


@router.patch("/stations/{station_id}", response=StationOut)
def update_station(request, station_id: int, payload: StationPatch):
    station = get_scoped_or_404(Station, request.actor, action="station.update", pk=station_id)
    return _station_out(
        request, services.station_update(actor=request.actor, station=station, data=_data(payload))
    )


@router.post("/stations/{station_id}/overrides", response=OkOut)
def add_override(request, station_id: int, payload: OverrideIn):
    station = get_scoped_or_404(Station, _operator(request), action="station.update", pk=station_id)
    override = services.station_set_override(
        actor=request.actor,
        station=station,
        day=payload.date,
        closed=payload.closed,
        opens=payload.opens,
        closes=payload.closes,
        note=payload.note,
    )
    return {"id": override.pk}


class HolidayHoursIn(Schema):
    year: int
    closed: bool = True
    opens: time | None = None
    closes: time | None = None
    note: str = ""


@router.post("/stations/{station_id}/holiday-hours", response=OkOut)
def holiday_hours(request, station_id: int, payload: HolidayHoursIn):
    """Close (or open special hours) on every statutory public holiday of a year; ``id`` is the number of dates."""
    station = get_scoped_or_404(Station, _operator(request), action="station.update", pk=station_id)
    added = services.station_holiday_hours(actor=request.actor, station=station, **payload.dict())
    return {"id": added}


@router.post("/stations/{station_id}/photos", response=OkOut)
def add_photo(request, station_id: int, photo: File[UploadedFile], caption: Form[str] = ""):
    station = get_scoped_or_404(Station, _operator(request), action="station.update", pk=station_id)
    return {
        "id": services.station_add_photo(
            actor=request.actor, station=station, upload=photo, caption=caption
        ).pk
    }


@router.post("/stations/{station_id}/door-code", response=StationOut)
def rotate_door_code(request, station_id: int):
    station = get_scoped_or_404(Station, _operator(request), action="station.update", pk=station_id)
    return _station_out(request, services.station_rotate_door_code(actor=request.actor, station=station))


@router.get("/stations/{station_id}/door-qr.svg")
def door_qr_svg(request, station_id: int):
    """The door QR as SVG (managers print it; scanning opens the visit page)."""
    import segno

    station = get_scoped_or_404(Station, _operator(request), action="station.view", pk=station_id)

    url = request.build_absolute_uri(f"/stations/door/{station.door_token}/")
    return HttpResponse(segno.make(url, error="m").svg_inline(scale=8), content_type="image/svg+xml")


# --- complaints --------------------------------------------------------------------------------------------------


@router.get("/complaints", response=list[ComplaintOut])
@paginate
def list_complaints(request, status: str = "", open_only: bool = False):
    return [
        _complaint_out(c) for c in selectors.complaints_for(request.actor, status=status, open_only=open_only)
    ]


@router.get("/complaints/{complaint_id}", response=ComplaintOut)
def get_complaint(request, complaint_id: int):
    qs = Complaint.objects.select_related("station")
    return _complaint_out(get_scoped_or_404(qs, request.actor, action="complaint.view", pk=complaint_id))


@router.post("/complaints/{complaint_id}/start", response=ComplaintOut)
def start_complaint(request, complaint_id: int):
    c = get_scoped_or_404(Complaint.objects.select_related("station"), request.actor, pk=complaint_id)
    return _complaint_out(services.complaint_start(actor=request.actor, complaint=c))


@router.post("/complaints/{complaint_id}/resolve", response=ComplaintOut)
def resolve_complaint(request, complaint_id: int, payload: ResolveIn):
    c = get_scoped_or_404(Complaint.objects.select_related("station"), request.actor, pk=complaint_id)
    return _complaint_out(
        services.complaint_resolve(actor=request.actor, complaint=c, resolution=payload.resolution)
    )


@router.post("/complaints/{complaint_id}/notes", response=ComplaintOut)
def note_complaint(request, complaint_id: int, payload: TextIn):
    c = get_scoped_or_404(Complaint.objects.select_related("station"), request.actor, pk=complaint_id)
    services.complaint_add_note(actor=request.actor, complaint=c, text=payload.text, by_worker=False)
    return _complaint_out(c)


# --- operations ----------------------------------------------------------------------------------------------------


@router.post("/stations/{station_id}/inspections", response=InspectionOut)
def inspect(request, station_id: int, payload: InspectionIn):
    station = get_scoped_or_404(Station, _operator(request), action="station.view", pk=station_id)
    i = services.inspection_record(
        actor=request.actor,
        station=station,
        kind=payload.kind,
        inspected_on=payload.inspected_on,
        checklist=payload.checklist,
        open_as_posted=payload.open_as_posted,
        notes=payload.notes,
    )
    return {"id": i.pk, "score": i.score, "missing": i.missing}


@router.post("/stations/{station_id}/consumables", response=OkOut)
def save_consumable(request, station_id: int, payload: ConsumableIn):
    station = get_scoped_or_404(Station, _operator(request), action="station.view", pk=station_id)
    item = services.consumable_save(actor=request.actor, station=station, **payload.dict())
    return {"id": item.pk}


@router.get("/alerts", response=list[AlertOut])
@paginate
def restock_alerts(request):
    return [
        {
            "id": r["item"].pk,
            "region_code": r["item"].station.region_id,
            "station_id": r["item"].station_id,
            "station_name": r["item"].station.name,
            "name": r["item"].name,
            "quantity": r["item"].quantity,
            "expires_on": r["item"].expires_on,
            "reasons": r["reasons"],
        }
        for r in selectors.restock_alerts(request.actor)
    ]


@router.post("/stations/{station_id}/star-review", response=StarReviewOut)
def review_stars(request, station_id: int):
    station = get_scoped_or_404(Station, _operator(request), action="station.view", pk=station_id)
    review = services.star_review(actor=request.actor, station=station)
    return {"old_level": review.old_level, "new_level": review.new_level, "reason": review.reason}


@router.get("/relocations", response=list[RelocationOut])
@paginate
def list_relocations(request):
    from gonghui.core.scoping import scoped

    return [_relocation_out(r) for r in scoped(Relocation, request.actor).select_related("station")]


@router.get("/relocations/{relocation_id}", response=RelocationOut)
def get_relocation(request, relocation_id: int):
    qs = Relocation.objects.select_related("station")
    return _relocation_out(get_scoped_or_404(qs, request.actor, action="relocation.view", pk=relocation_id))


@router.post("/stations/{station_id}/relocations", response=RelocationOut)
def start_relocation(request, station_id: int, payload: RelocationIn):
    station = get_scoped_or_404(Station, _operator(request), action="station.view", pk=station_id)
    return _relocation_out(
        services.relocation_start(
            actor=request.actor,
            station=station,
            project=payload.project,
            to_address=payload.to_address,
            to_region_code=payload.to_region_code,
            lng=payload.lng,
            lat=payload.lat,
        )
    )


@router.post("/relocations/{relocation_id}/arrive", response=RelocationOut)
def relocation_arrive(request, relocation_id: int):
    r = get_scoped_or_404(Relocation.objects.select_related("station"), request.actor, pk=relocation_id)
    return _relocation_out(services.relocation_arrive(actor=request.actor, relocation=r))


@router.post("/relocations/{relocation_id}/ready", response=RelocationOut)
def relocation_ready(request, relocation_id: int):
    r = get_scoped_or_404(Relocation.objects.select_related("station"), request.actor, pk=relocation_id)
    return _relocation_out(services.relocation_ready(actor=request.actor, relocation=r))


# --- sessions ------------------------------------------------------------------------------------------------------


@router.get("/sessions", response=list[SessionOut])
@paginate
def list_sessions(request, upcoming_only: bool = False):
    qs = selectors.sessions_for(request.actor)
    if upcoming_only:
        qs = qs.filter(date__gte=timezone.localdate())
    return [_session_out(s) for s in qs.order_by("-date", "id")[:500]]


@router.get("/sessions/{session_id}", response=SessionOut)
def get_session(request, session_id: int):
    s = get_scoped_or_404(ServiceSession.objects.select_related("station"), request.actor, pk=session_id)
    return _session_out(s, with_beneficiaries=True)


@router.post("/stations/{station_id}/sessions", response=SessionOut)
def create_session(request, station_id: int, payload: SessionIn):
    station = get_scoped_or_404(Station, _operator(request), action="station.view", pk=station_id)
    s = services.session_create(
        actor=request.actor,
        station=station,
        kind=payload.kind,
        title=payload.title,
        day=payload.date,
        slots=[(x.starts, x.ends, x.capacity) for x in payload.slots],
    )
    return _session_out(s)


@router.post("/stations/{station_id}/service-days", response=OkOut)
def create_service_day(request, station_id: int, payload: ServiceDayIn):
    station = get_scoped_or_404(Station, _operator(request), action="station.view", pk=station_id)
    day = services.service_day_create(
        actor=request.actor,
        station=station,
        kind=payload.kind,
        title=payload.title,
        day_of_month=payload.day_of_month,
        slot_times=payload.slot_times,
        capacity_per_slot=payload.capacity_per_slot,
    )
    return {"id": day.pk}


@router.post("/service-days/{service_day_id}/schedule", response=OkOut)
def schedule_service_day(request, service_day_id: int, payload: ScheduleIn):
    day = get_scoped_or_404(
        ServiceDay.objects.select_related("station"), _operator(request), pk=service_day_id
    )
    created = services.service_day_schedule(
        actor=request.actor, service_day=day, months=min(12, payload.months)
    )
    return {"id": created}


@router.post("/sessions/{session_id}/checkins", response=CheckInOut)
def check_in(request, session_id: int, payload: CheckInIn):
    s = get_scoped_or_404(ServiceSession.objects.select_related("station"), _operator(request), pk=session_id)
    c = services.checkin_record(
        actor=request.actor,
        session=s,
        signup_token=payload.signup_token,
        phone=payload.phone,
        walk_in=payload.walk_in,
    )
    return {"id": c.pk, "result": c.result}


# --- figures, import, export ---------------------------------------------------------------------------------------


@router.get("/figures", response=dict)
def station_figures(request, year: int = 2025, level: str = "county"):
    """Figures for the actor's region: totals and one row per county or city."""
    require_role(request.actor, "staff", action="stations.figures")
    if level not in ("county", "city"):
        raise ValidationError({"level": ["county | city"]})
    return {
        "totals": figures.station_figures(actor=request.actor, year=year),
        "rows": figures.station_figures_by_region(actor=request.actor, year=year, level=level),
    }


@router.get("/export/{fmt}")
def export(request, fmt: str, datum: str = "wgs84"):
    """The registry in the actor's region: ``xlsx``, ``csv`` or ``geojson`` (``datum=gcj02`` for Chinese maps)."""
    require_role(request.actor, "staff", action="stations.export")
    stations = selectors.stations_for(request.actor).prefetch_related("hours")
    if fmt == "xlsx":
        return HttpResponse(
            exchange.stations_to_xlsx(stations),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if fmt == "csv":
        return HttpResponse(
            exchange.stations_to_csv(stations, datum=datum), content_type="text/csv; charset=utf-8"
        )
    if fmt == "geojson":
        return HttpResponse(
            exchange.stations_to_geojson(stations, datum=datum), content_type="application/geo+json"
        )
    raise Http404


@router.post("/import", response=ImportOut)
def import_stations(request, file: File[UploadedFile]):
    """Excel import, all rows or none; every bad row is reported."""
    require_role(request.actor, "staff", action="stations.import")
    report = exchange.stations_import(actor=request.actor, upload=file)
    return {"created": report.created, "errors": report.errors}
