"""Pages of 职工疗休养: thin views that parse, call a service or selector, and render."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.scoping import get_scoped_or_404
from gonghui.orgs.models import Member
from gonghui.recuperation import figures, selectors, services
from gonghui.recuperation.models import (
    Application,
    AppState,
    Departure,
    Draw,
    PartnerRegion,
    Programme,
    ProgrammeState,
    Quota,
    TargetGroup,
)
from gonghui.regions.models import Region, RegionLevel


def _run(request, action, success: str) -> bool:
    """Call a service; show its refusal as a message in the user's language."""
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        text = (
            "; ".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or _("无权执行此操作"))
        )
        messages.error(request, text)
        return False
    messages.success(request, success)
    return True


def _visible_programme(request, programme_id) -> Programme:
    programme = selectors.programmes_for(request.actor).filter(pk=programme_id).first()
    if programme is None:
        raise Http404
    return programme


def _member(request):
    if request.actor.role != "member":
        return None
    return Member.objects.filter(user_id=request.actor.user_id).first()


@require_GET
def index(request):
    member = _member(request)
    return render(
        request,
        "recuperation/index.html",
        {
            "programmes": selectors.programmes_for(request.actor),
            "member": member,
            "open_for_me": list(selectors.open_programmes_for_member(member)) if member else [],
        },
    )


@require_GET
def programme_detail(request, programme_id: int):
    programme = _visible_programme(request, programme_id)
    routes = list(programme.routes.select_related("destination", "base"))
    departures = selectors.departures_with_seats([r.pk for r in routes])
    for route in routes:
        route.upcoming = [d for d in departures if d.route_id == route.pk]
    member = _member(request)
    mine = None
    if member:
        mine = programme.applications.filter(member=member).exclude(state=AppState.CANCELLED).first()
    draw = Draw.objects.filter(programme=programme).first()
    quotas = selectors.quota_rows(request.actor, programme)
    union_members = []
    if request.actor.is_staff and programme.state == ProgrammeState.OPEN and request.actor.organisation_id:
        applied = programme.applications.exclude(state=AppState.CANCELLED).values("member_id")
        union_members = list(
            Member.objects.filter(union_id=request.actor.organisation_id)
            .exclude(pk__in=applied)
            .order_by("id")[:200]
        )
    return render(
        request,
        "recuperation/programme.html",
        {
            "programme": programme,
            "routes": routes,
            "member": member,
            "mine": mine,
            "draw": draw,
            "budget": selectors.programme_budget(programme),
            "quotas": quotas,
            "target_labels": [TargetGroup(g).label for g in programme.target_groups],
            "can_manage": request.actor.is_staff,
            "union_members": union_members,
        },
    )


@require_POST
def programme_apply(request, programme_id: int):
    programme = _visible_programme(request, programme_id)
    route_ids = [int(v) for v in request.POST.getlist("routes") if v.isdigit()]
    _run(
        request,
        lambda: services.application_submit(actor=request.actor, programme=programme, route_ids=route_ids),
        _("已提交申请，请等待基层工会审核"),
    )
    return redirect("recuperation:programme", programme_id=programme.pk)


@require_POST
def programme_group_apply(request, programme_id: int):
    """A grassroots union applies for a group of its members."""
    programme = _visible_programme(request, programme_id)
    member_ids = [int(v) for v in request.POST.getlist("members") if v.isdigit()]
    route_ids = [int(v) for v in request.POST.getlist("routes") if v.isdigit()]
    _run(
        request,
        lambda: services.group_apply(
            actor=request.actor, programme=programme, member_ids=member_ids, route_ids=route_ids
        ),
        _("已为所选会员提交申请"),
    )
    return redirect("recuperation:programme", programme_id=programme.pk)


@require_GET
def my_applications(request):
    applications = selectors.applications_for(request.actor) if request.actor.role == "member" else []
    rows = []
    for application in applications:
        application.departure_options = (
            selectors.departures_with_seats(application.route_preferences)
            if application.state == AppState.SELECTED
            else []
        )
        rows.append(application)
    return render(request, "recuperation/my_applications.html", {"applications": rows})


@require_POST
def application_action(request, application_id: int, action: str):
    application = get_scoped_or_404(
        Application, request.actor, action=f"recuperation.application.{action}", pk=application_id
    )
    actor = request.actor
    if action == "confirm":
        departure = get_object_or_404(Departure, pk=request.POST.get("departure") or 0)
        _run(
            request,
            lambda: services.application_confirm(actor=actor, application=application, departure=departure),
            _("已确认参加"),
        )
    elif action == "decline":
        _run(
            request,
            lambda: services.application_decline(actor=actor, application=application),
            _("已放弃，名额将顺延给候补人员"),
        )
    elif action == "cancel":
        _run(
            request,
            lambda: services.application_cancel(actor=actor, application=application),
            _("申请已取消"),
        )
    elif action == "review":
        _run(
            request,
            lambda: services.application_review(
                actor=actor,
                application=application,
                rating=int(request.POST.get("rating") or 0),
                comment=request.POST.get("comment", ""),
            ),
            _("感谢您的评价"),
        )
    elif action == "check":
        _run(
            request,
            lambda: services.application_check(
                actor=actor, application=application, refuse_reason=request.POST.get("reason", "")
            ),
            _("已审核"),
        )
        return redirect("recuperation:manage", programme_id=application.programme_id)
    else:
        raise Http404
    return redirect("recuperation:my_applications")


@require_GET
def manage(request, programme_id: int):
    # Any staff member may work on the part of a visible programme inside their region (the rows are scoped);
    # programme-wide actions are checked by the services.
    if not request.actor.is_staff:
        raise Http404
    programme = _visible_programme(request, programme_id)
    state = request.GET.get("state") or ""
    applications = selectors.applications_for(request.actor, programme_id=programme.pk, state=state or None)
    departures = selectors.departures_with_seats(programme.routes.values_list("pk", flat=True))
    return render(
        request,
        "recuperation/manage.html",
        {
            "programme": programme,
            "applications": applications[:200],
            "count": applications.count(),
            "states": AppState.choices,
            "state": state,
            "quotas": selectors.quota_rows(request.actor, programme),
            "budget": selectors.programme_budget(programme),
            "departures": departures,
            "draw": Draw.objects.filter(programme=programme).first(),
            "runs_programme": request.actor.covers(programme.region_id),
        },
    )


@require_POST
def manage_action(request, programme_id: int, action: str):
    if not request.actor.is_staff:
        raise Http404
    programme = _visible_programme(request, programme_id)
    actor = request.actor
    if action == "open":
        _run(
            request,
            lambda: services.programme_open(actor=actor, programme=programme),
            _("报名已开放，抽签种子承诺已公布"),
        )
    elif action == "close":
        _run(request, lambda: services.programme_close(actor=actor, programme=programme), _("报名已截止"))
    elif action == "draw":
        _run(request, lambda: services.draw_run(actor=actor, programme=programme), _("抽签完成"))
    elif action == "apportion":
        quota = get_scoped_or_404(Quota, actor, pk=request.POST.get("quota") or 0)
        _run(request, lambda: services.quota_apportion(actor=actor, quota=quota), _("名额已按会员数分配"))
    elif action == "travelled":
        departure = get_object_or_404(Departure, pk=request.POST.get("departure") or 0)
        _run(
            request,
            lambda: services.departure_mark_travelled(actor=actor, departure=departure),
            _("已登记出行"),
        )
    else:
        raise Http404
    return redirect("recuperation:manage", programme_id=programme.pk)


def programme_new(request):
    """Staff set up a programme of their own union: places, budget, subsidy, routes, window and rules."""
    if not request.actor.is_staff:
        raise PermissionDenied
    routes = list(selectors.routes_catalogue()[:300])
    if request.method == "POST":
        p = request.POST
        created = {}

        def create():
            try:
                opens = timezone.make_aware(datetime.fromisoformat(p.get("opens", "")))
                closes = timezone.make_aware(datetime.fromisoformat(p.get("closes", "")))
                numbers = (
                    int(p.get("year") or 0),
                    int(p.get("places") or 0),
                    int(p.get("lookback_years") or 0),
                )
            except ValueError:
                raise ServiceError(_("请填写有效的日期和数字")) from None
            year, places, lookback = numbers
            created["programme"] = services.programme_create(
                actor=request.actor,
                name=p.get("name", ""),
                year=year,
                places=places,
                budget=_decimal(p.get("budget")),
                subsidy_per_person=_decimal(p.get("subsidy")),
                routes=[r for r in routes if str(r.pk) in p.getlist("routes")],
                applications_open_at=opens,
                applications_close_at=closes,
                target_groups=p.getlist("target_groups"),
                lookback_years=lookback,
            )

        if _run(request, create, _("项目已创建，请分配名额后开放报名")):
            return redirect("recuperation:manage", programme_id=created["programme"].pk)
    return render(
        request, "recuperation/programme_new.html", {"routes": routes, "groups": TargetGroup.choices}
    )


@require_GET
def draw_verify(request, draw_id: int):
    """Public: recompute the draw and say whether it matches its record."""
    draw = get_object_or_404(Draw.objects.select_related("programme"), pk=draw_id)
    result = selectors.draw_verification(draw)
    units = [
        {
            "unit": unit,
            "region": v.get("region"),
            "places": v.get("places"),
            "applications": len(v.get("applications", [])),
            "selected": (draw.results or {}).get(unit, [])[: v.get("places", 0)],
        }
        for unit, v in sorted((draw.inputs or {}).items(), key=lambda kv: kv[1].get("region", ""))
    ]
    names = dict(Region.objects.filter(code__in=[u["region"] for u in units]).values_list("code", "name"))
    for unit in units:
        unit["region_name"] = names.get(unit["region"], unit["region"])
    return render(request, "recuperation/verify.html", {"draw": draw, "result": result, "units": units})


@require_GET
def catalogue(request):
    routes = list(selectors.routes_catalogue())
    departures = selectors.departures_with_seats([r.pk for r in routes])
    upcoming = {}
    for d in departures:
        if d.starts_on >= date.today():
            upcoming.setdefault(d.route_id, []).append(d)
    for route in routes:
        route.upcoming = upcoming.get(route.pk, [])[:3]
    return render(request, "recuperation/catalogue.html", {"routes": routes})


def _decimal(value) -> Decimal:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return Decimal("-1")


def trip_reports(request):
    if not request.actor.is_staff:
        raise PermissionDenied
    if request.method == "POST":
        p = request.POST
        ok = _run(
            request,
            lambda: services.trip_report_create(
                actor=request.actor,
                started_on=date.fromisoformat(p.get("started_on") or "1900-01-01"),
                days=int(p.get("days") or 0),
                participants=int(p.get("participants") or 0),
                spend=_decimal(p.get("spend")),
                destination_code=p.get("destination") or None,
                partner_region=p.get("partner_region", ""),
                target_group=p.get("target_group") or TargetGroup.GENERAL,
            ),
            _("活动报告已提交"),
        )
        if ok:
            return redirect("recuperation:reports")
    return render(
        request,
        "recuperation/reports.html",
        {
            "reports": selectors.trip_reports_for(request.actor)[:100],
            "counties": Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"),
            "partners": [c for c in PartnerRegion.choices if c[0]],
            "groups": TargetGroup.choices,
        },
    )


@require_GET
def figures_page(request):
    prefix = figures.prefix_of(request.actor)
    year = int(request.GET.get("year") or 2025) if (request.GET.get("year") or "2025").isdigit() else 2025
    destinations = figures.by_destination(region_prefix=prefix, year=year)
    return render(
        request,
        "recuperation/figures.html",
        {
            "year": year,
            "summary": figures.summary(region_prefix=prefix, year=year),
            "by_destination": destinations[:20],
            "map_rows": [
                {
                    "name": r["name"],
                    "code": r["code"],
                    "participants": r["participants"],
                    "partner_region": r["partner_region"],
                }
                for r in destinations
            ],
            "by_group": figures.by_target_group(region_prefix=prefix, year=year),
            "by_month": figures.by_month(region_prefix=prefix, year=year),
            "by_county": figures.by_county(region_prefix=prefix, year=year)[:20],
            "funding": figures.provincial_funding(year=year),
            "programme_states": ProgrammeState,
        },
    )
