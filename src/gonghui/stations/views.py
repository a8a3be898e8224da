"""Pages: the public finder, station page, door QR visit, rating and complaints for workers (no login), service
sessions with sign-up; the wall screen; and the manager/staff work pages. Thin: parse, call a service, render."""

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.permissions import role_required
from gonghui.core.scoping import get_scoped_or_404
from gonghui.orgs.models import Occupation
from gonghui.regions.models import Region, RegionLevel
from gonghui.stations import selectors, services
from gonghui.stations.member_codes import member_codes_available
from gonghui.stations.models import (
    AMENITIES,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    InspectionKind,
    ServiceSession,
    SignUp,
    Station,
    StationStatus,
    StationType,
)
from gonghui.stations.params import FinderQuery, parse_finder_query

VISITOR_COOKIE = "gh_station_visitor"
VISITOR_SALT = "stations.visitor"
OPERATORS = ("staff", "station_manager")


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


def visitor_id_from(request) -> int | None:
    try:
        return int(request.get_signed_cookie(VISITOR_COOKIE, salt=VISITOR_SALT))
    except (KeyError, ValueError, TypeError, Exception):
        return None


def remember_visitor(response, visitor_id: int) -> None:
    response.set_signed_cookie(
        VISITOR_COOKIE,
        str(visitor_id),
        salt=VISITOR_SALT,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
    )


# --- public ----------------------------------------------------------------------------------------------------


@require_GET
def finder(request):
    counties = Region.objects.filter(level=RegionLevel.COUNTY).order_by("code").values("code", "name")
    return render(
        request,
        "stations/finder.html",
        {
            "amenities": [(k, label) for k, label, _basic in AMENITIES],
            "types": StationType.choices,
            "counties": list(counties),
        },
    )


@require_GET
def finder_results(request):
    try:
        query: FinderQuery = parse_finder_query(request.GET)
    except ValidationError as exc:
        return render(request, "stations/_results.html", {"errors": _errors(exc)})
    results = selectors.nearest_stations(
        lng=query.lng,
        lat=query.lat,
        k=query.limit,
        amenities=query.amenity_bits,
        types=query.types,
        open_now=query.open_now,
        radius_m=query.radius_m,
    )
    return render(
        request,
        "stations/_results.html",
        {"results": results, "query": query, "origin": {"lng": query.lng, "lat": query.lat}},
    )


def _public_station(code: str) -> Station:
    station = (
        Station.objects.select_related("region")
        .filter(code=code)
        .exclude(status=StationStatus.CLOSED)
        .first()
    )
    if station is None:
        raise Http404
    return station


@require_GET
def station_page(request, code):
    station = _public_station(code)
    return render(
        request,
        "stations/station.html",
        {
            "station": station,
            "summary": selectors.station_summary(station),
            "nav": selectors.navigation_links(station),
            "hours": station.hours.all(),
            "overrides": station.overrides.filter(date__gte=timezone.localdate())[:5],
            "photos": station.photos.all()[:6],
            "sessions": selectors.upcoming_sessions(station=station, limit=5),
            "categories": ComplaintCategory.choices,
            "weekdays": [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")],
        },
    )


@require_POST
def rate(request, code):
    station = _public_station(code)
    try:
        services.rating_submit(
            actor=request.actor,
            station=station,
            score=request.POST.get("score"),
            comment=request.POST.get("comment", ""),
            visitor_id=visitor_id_from(request),
        )
        messages.success(request, _("感谢您的评价！"))
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
    return redirect("stations:station", code=code)


@require_http_methods(["GET", "POST"])
def complain(request, code):
    station = _public_station(code)
    errors = []
    if request.method == "POST":
        try:
            complaint = services.complaint_file(
                actor=request.actor,
                station=station,
                category=request.POST.get("category", ""),
                description=request.POST.get("description", ""),
                photo=request.FILES.get("photo"),
                phone=request.POST.get("phone") or None,
                visitor_id=visitor_id_from(request),
            )
            messages.success(request, _("投诉已提交，站长会在期限内处理。请保存本页链接以便跟进。"))
            return redirect("stations:complaint_follow", token=complaint.follow_token)
        except ValidationError as exc:
            errors = _errors(exc)
    return render(
        request,
        "stations/complain.html",
        {"station": station, "categories": ComplaintCategory.choices, "errors": errors, "form": request.POST},
    )


@require_http_methods(["GET", "POST"])
def complaint_follow(request, token):
    complaint = get_object_or_404(Complaint.objects.select_related("station"), follow_token=token)
    errors = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reopen":
                services.complaint_reopen(
                    actor=request.actor, complaint=complaint, reason=request.POST.get("text", "")
                )
            else:
                services.complaint_add_note(
                    actor=request.actor,
                    complaint=complaint,
                    text=request.POST.get("text", ""),
                    by_worker=True,
                )
            return redirect("stations:complaint_follow", token=token)
        except ValidationError as exc:
            errors = _errors(exc)
    return render(
        request,
        "stations/complaint_follow.html",
        {"complaint": complaint, "notes": complaint.notes.all(), "errors": errors},
    )


@require_http_methods(["GET", "POST"])
def door(request, token):
    """The page the door QR opens: record a visit with phone (+ occupation the first time) or member code."""
    station = Station.objects.filter(door_token=token).first()
    known = visitor_id_from(request)
    context = {
        "station": station,
        "token": token,
        "occupations": Occupation.choices,
        "known": known,
        "member_codes": member_codes_available(),
        "errors": [],
    }
    if station is None or station.status != StationStatus.ACTIVE:
        context["errors"] = [_("二维码无效或站点已暂停，请联系站长。")]
        return render(request, "stations/door.html", context, status=404 if station is None else 200)
    if request.method == "POST":
        try:
            visit = services.visit_record(
                actor=request.actor,
                door_token=token,
                phone=request.POST.get("phone") or None,
                occupation=request.POST.get("occupation") or None,
                member_code=request.POST.get("member_code") or None,
                visitor_id=known if request.POST.get("use_device") else None,
            )
            response = render(request, "stations/door_done.html", {"station": station, "visit": visit})
            remember_visitor(response, visit.visitor_id)
            return response
        except ValidationError as exc:
            context["errors"] = _errors(exc)
    return render(request, "stations/door.html", context)


@require_GET
def sessions_list(request):
    sessions = selectors.upcoming_sessions(limit=100)
    return render(request, "stations/sessions.html", {"sessions": sessions})


@require_http_methods(["GET", "POST"])
def session_page(request, pk):
    session = get_object_or_404(ServiceSession.objects.select_related("station"), pk=pk, cancelled=False)
    errors = []
    if request.method == "POST":
        try:
            signup = services.signup_create(
                actor=request.actor,
                slot_id=int(request.POST.get("slot") or 0),
                phone=request.POST.get("phone", ""),
                occupation=request.POST.get("occupation") or None,
            )
            return redirect("stations:signup", token=signup.token)
        except ValidationError as exc:
            errors = _errors(exc)
    return render(
        request,
        "stations/session.html",
        {
            "session": session,
            "slots": selectors.slots_with_places(session),
            "occupations": Occupation.choices,
            "errors": errors,
        },
    )


@require_http_methods(["GET", "POST"])
def signup_page(request, token):
    signup = get_object_or_404(SignUp.objects.select_related("slot__session__station"), token=token)
    if request.method == "POST":
        try:
            services.signup_cancel(actor=request.actor, token=token)
            messages.success(request, _("已取消报名。"))
        except ValidationError as exc:
            messages.error(request, "；".join(_errors(exc)))
        return redirect("stations:signup", token=token)
    return render(request, "stations/signup.html", {"signup": signup})


@require_GET
def screen(request, code):
    station = _public_station(code)
    figures = selectors.screen_figures(station)
    template = (
        "stations/_screen_figures.html" if request.headers.get("HX-Request") else "stations/screen.html"
    )
    return render(request, template, {"station": station, "figures": figures})


# --- managers and staff ----------------------------------------------------------------------------------------


@role_required(*OPERATORS)
def manage(request):
    actor = request.actor
    stations = selectors.stations_for(actor, q=request.GET.get("q", ""), status=request.GET.get("status", ""))
    page = Paginator(stations, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "stations/manage.html",
        {
            "page": page,
            "complaints": selectors.complaints_for(actor, open_only=True)[:30],
            "alerts": selectors.restock_alerts(actor)[:30],
            "q": request.GET.get("q", ""),
        },
    )


@role_required(*OPERATORS)
@require_http_methods(["GET", "POST"])
def manage_station(request, pk):
    actor = request.actor
    station = get_scoped_or_404(Station, actor, action="station.view", pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "photo":
                services.station_add_photo(
                    actor=actor,
                    station=station,
                    upload=request.FILES.get("photo"),
                    caption=request.POST.get("caption", ""),
                )
            elif action == "consumable":
                services.consumable_save(
                    actor=actor,
                    station=station,
                    name=request.POST.get("name", ""),
                    quantity=int(request.POST.get("quantity") or 0),
                    min_quantity=int(request.POST.get("min_quantity") or 1),
                    expires_on=_date(request.POST.get("expires_on")),
                )
            elif action == "inspect":
                checklist = {k: k in request.POST.getlist("kit") for k, _l, basic in AMENITIES if basic}
                services.inspection_record(
                    actor=actor,
                    station=station,
                    kind=request.POST.get("kind", ""),
                    inspected_on=_date(request.POST.get("inspected_on")) or timezone.localdate(),
                    checklist=checklist,
                    open_as_posted=bool(request.POST.get("open_as_posted")),
                    notes=request.POST.get("notes", ""),
                )
            elif action == "star_review":
                review = services.star_review(actor=actor, station=station)
                messages.info(
                    request,
                    _("星级评定：%(old)s → %(new)s") % {"old": review.old_level, "new": review.new_level},
                )
            elif action == "session":
                services.session_create(
                    actor=actor,
                    station=station,
                    kind=request.POST.get("kind", ""),
                    title=request.POST.get("title", ""),
                    day=_date(request.POST.get("date")) or timezone.localdate(),
                    slots=[
                        (request.POST.get("starts"), request.POST.get("ends"), request.POST.get("capacity"))
                    ],
                )
            elif action == "visit":
                services.visit_record_by_manager(
                    actor=actor,
                    station=station,
                    member_code=request.POST.get("member_code") or None,
                    phone=request.POST.get("phone") or None,
                    occupation=request.POST.get("occupation") or None,
                )
            elif action == "rotate_qr":
                services.station_rotate_door_code(actor=actor, station=station)
            else:
                raise ValidationError(_("未知操作。"))
            messages.success(request, _("已保存。"))
        except ValidationError as exc:
            messages.error(request, "；".join(_errors(exc)))
        except (TypeError, ValueError):
            messages.error(request, _("输入无效。"))
        return redirect("stations:manage_station", pk=station.pk)
    return render(
        request,
        "stations/manage_station.html",
        {
            "station": station,
            "summary": selectors.station_summary(station),
            "complaints": station.complaints.order_by("-created_at")[:20],
            "consumables": station.consumables.all(),
            "inspections": station.inspections.all()[:5],
            "sessions": station.sessions.filter(date__gte=timezone.localdate() - timezone.timedelta(days=1))[
                :10
            ],
            "relocations": station.relocations.all()[:10],
            "reviews": station.star_reviews.all()[:5],
            "kit": [(k, label) for k, label, basic in AMENITIES if basic],
            "occupations": Occupation.choices,
            "inspection_kinds": InspectionKind.choices,
            "session_kinds": ServiceSession._meta.get_field("kind").choices,
            "can_administer": services.can_administer(actor, station),
            "door_url": request.build_absolute_uri(reverse("stations:door", args=[station.door_token])),
        },
    )


def _date(value):
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD。")) from None


@role_required(*OPERATORS)
def door_qr(request, pk):
    """The printable door QR: an A5 poster with the station name and the scan URL."""
    station = get_scoped_or_404(Station, request.actor, action="station.view", pk=pk)
    if not services.can_operate(request.actor, station):
        raise PermissionDenied
    url = request.build_absolute_uri(reverse("stations:door", args=[station.door_token]))
    qr_svg = segno.make(url, error="m").svg_inline(scale=8, dark="#1f2328")
    return render(request, "stations/door_qr.html", {"station": station, "url": url, "qr_svg": qr_svg})


@role_required(*OPERATORS)
@require_http_methods(["GET", "POST"])
def manage_complaint(request, pk):
    actor = request.actor
    complaint = get_scoped_or_404(
        Complaint.objects.select_related("station"), actor, action="complaint.view", pk=pk
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                services.complaint_start(actor=actor, complaint=complaint)
            elif action == "resolve":
                services.complaint_resolve(
                    actor=actor, complaint=complaint, resolution=request.POST.get("resolution", "")
                )
            elif action == "note":
                services.complaint_add_note(
                    actor=actor, complaint=complaint, text=request.POST.get("text", ""), by_worker=False
                )
            messages.success(request, _("已保存。"))
        except ValidationError as exc:
            messages.error(request, "；".join(_errors(exc)))
        return redirect("stations:manage_complaint", pk=complaint.pk)
    return render(
        request,
        "stations/manage_complaint.html",
        {
            "complaint": complaint,
            "notes": complaint.notes.all(),
            "resolved": complaint.status == ComplaintStatus.RESOLVED,
            "late": complaint.deadline_at < timezone.now() and complaint.status != ComplaintStatus.RESOLVED,
        },
    )


@role_required(*OPERATORS)
@require_http_methods(["GET", "POST"])
def manage_session(request, pk):
    actor = request.actor
    session = get_scoped_or_404(
        ServiceSession.objects.select_related("station"), actor, action="session.view", pk=pk
    )
    result = None
    if request.method == "POST":
        try:
            result = services.checkin_record(
                actor=actor,
                session=session,
                signup_token=request.POST.get("token") or None,
                phone=request.POST.get("phone") or None,
                walk_in=bool(request.POST.get("walk_in")),
            )
        except ValidationError as exc:
            messages.error(request, "；".join(_errors(exc)))
    return render(
        request,
        "stations/manage_session.html",
        {
            "session": session,
            "slots": selectors.slots_with_places(session),
            "beneficiaries": selectors.beneficiaries(session),
            "result": result,
            "checkins": session.checkins.select_related("visitor").order_by("-checked_in_at")[:30],
        },
    )


@role_required("staff")
def export(request, fmt):
    from gonghui.stations import exchange

    stations = selectors.stations_for(request.actor).prefetch_related("hours")
    if fmt == "xlsx":
        body, ctype = (
            exchange.stations_to_xlsx(stations),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "csv":
        body, ctype = (
            exchange.stations_to_csv(stations, datum=request.GET.get("datum", "wgs84")),
            "text/csv; charset=utf-8",
        )
    elif fmt == "geojson":
        body, ctype = (
            exchange.stations_to_geojson(stations, datum=request.GET.get("datum", "wgs84")),
            "application/geo+json",
        )
    else:
        raise Http404
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="stations.{fmt}"'
    return response


@role_required("staff")
@require_http_methods(["GET", "POST"])
def import_stations(request):
    from gonghui.stations import exchange

    report = None
    if request.method == "POST" and request.FILES.get("file"):
        report = exchange.stations_import(actor=request.actor, upload=request.FILES["file"])
        if report.ok:
            messages.success(request, _("已导入 %(n)s 个站点。") % {"n": report.created})
    return render(request, "stations/import.html", {"report": report})
