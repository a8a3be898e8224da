"""职工疗休养 API: everything the pages do, for mobile and mini-program clients.

Lists are paginated with ``id`` and ``region_code`` on every item; ``<list>/{x_id}`` is the detail (404 outside
the actor's scope). Bases, routes, programmes, draws and figures are public reference data.
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.scoping import get_scoped_or_404
from gonghui.recuperation import figures, selectors, services
from gonghui.recuperation.models import (
    Application,
    Base,
    Departure,
    Draw,
    Programme,
    Quota,
    Route,
    TargetGroup,
    TripReport,
)

router = Router(tags=["recuperation"])
# Public reference data (the catalogue, programmes, quota shares, draws, province figures): not region-scoped.
PUBLIC = {"x-gonghui-scope": "public"}


# --- bases and routes --------------------------------------------------------------------------------------------


class BaseOut(Schema):
    id: int
    region_code: str | None
    name: str
    partner_region: str
    capacity: int
    certified_on: date
    review_due: date

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id


class BaseIn(Schema):
    name: str
    region_code: str | None = None
    partner_region: str = ""
    capacity: int
    certified_on: date
    review_due: date


@router.get("/bases", response=list[BaseOut], auth=None, openapi_extra=PUBLIC)
@paginate
def list_bases(request):
    return Base.objects.filter(active=True).order_by("id")


@router.get("/bases/{base_id}", response=BaseOut, auth=None, openapi_extra=PUBLIC)
def get_base(request, base_id: int):
    return get_object_or_404(Base, pk=base_id)


@router.post("/bases", response={201: BaseOut})
def create_base(request, payload: BaseIn):
    return Status(201, services.base_create(actor=request.actor, **payload.dict()))


class DepartureOut(Schema):
    id: int
    route_id: int
    starts_on: date
    capacity: int
    taken: int
    left: int


class RouteOut(Schema):
    id: int
    region_code: str | None
    name: str
    theme: str
    days: int
    price_per_person_day: Decimal
    partner_region: str
    base_id: int | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.destination_id


class RouteDetail(RouteOut):
    departures: list[DepartureOut]

    @staticmethod
    def resolve_departures(obj):
        return selectors.departures_with_seats([obj.pk])


class RouteIn(Schema):
    name: str
    days: int
    price_per_person_day: Decimal
    theme: str = ""
    base_id: int | None = None
    destination_code: str | None = None
    via_codes: list[str] = []
    partner_region: str = ""


class DepartureIn(Schema):
    starts_on: date
    capacity: int


@router.get("/routes", response=list[RouteOut], auth=None, openapi_extra=PUBLIC)
@paginate
def list_routes(request):
    return selectors.routes_catalogue()


@router.get("/routes/{route_id}", response=RouteDetail, auth=None, openapi_extra=PUBLIC)
def get_route(request, route_id: int):
    return get_object_or_404(Route, pk=route_id)


@router.post("/routes", response={201: RouteOut})
def create_route(request, payload: RouteIn):
    data = payload.dict()
    base_id = data.pop("base_id")
    base = get_object_or_404(Base, pk=base_id) if base_id else None
    return Status(201, services.route_create(actor=request.actor, base=base, **data))


@router.post("/routes/{route_id}/departures", response={201: DepartureOut})
def create_departure(request, route_id: int, payload: DepartureIn):
    route = get_object_or_404(Route, pk=route_id)
    departure = services.departure_create(actor=request.actor, route=route, **payload.dict())
    departure.taken, departure.left = 0, departure.capacity
    return Status(201, departure)


@router.post("/departures/{departure_id}/travelled")
def mark_travelled(request, departure_id: int):
    departure = get_object_or_404(Departure, pk=departure_id)
    return {"travelled": services.departure_mark_travelled(actor=request.actor, departure=departure)}


# --- programmes and quotas ---------------------------------------------------------------------------------------


class ProgrammeOut(Schema):
    id: int
    region_code: str
    name: str
    year: int
    places: int
    budget: Decimal
    subsidy_per_person: Decimal
    state: str
    applications_open_at: datetime
    applications_close_at: datetime
    confirm_hours: int
    target_groups: list[str]
    lookback_years: int
    daily_cap: Decimal
    yearly_cap: Decimal
    max_days: int
    max_days_partner: int
    seed_commitment: str
    route_ids: list[int]
    draw_id: int | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_route_ids(obj):
        return list(obj.routes.values_list("pk", flat=True))

    @staticmethod
    def resolve_draw_id(obj):
        return Draw.objects.filter(programme_id=obj.pk).values_list("pk", flat=True).first()


class BudgetOut(Schema):
    budget: Decimal
    committed: Decimal
    spent: Decimal
    available: Decimal
    holding: int
    seats: int
    waiting: int
    applications: int


class ProgrammeDetail(ProgrammeOut):
    budget_use: BudgetOut

    @staticmethod
    def resolve_budget_use(obj):
        return selectors.programme_budget(obj)


class ProgrammeIn(Schema):
    name: str
    year: int
    places: int
    budget: Decimal
    subsidy_per_person: Decimal
    route_ids: list[int]
    applications_open_at: datetime
    applications_close_at: datetime
    target_groups: list[str] = []
    lookback_years: int = 0
    confirm_hours: int = 48


def _programme(request, programme_id: int) -> Programme:
    programme = selectors.programmes_for(request.actor).filter(pk=programme_id).first()
    if programme is None:
        raise Http404
    return programme


@router.get("/programmes", response=list[ProgrammeOut], auth=None, openapi_extra=PUBLIC)
@paginate
def list_programmes(request):
    return selectors.programmes_for(request.actor)


@router.get("/programmes/{programme_id}", response=ProgrammeDetail, auth=None, openapi_extra=PUBLIC)
def get_programme(request, programme_id: int):
    return _programme(request, programme_id)


@router.post("/programmes", response={201: ProgrammeOut})
def create_programme(request, payload: ProgrammeIn):
    data = payload.dict()
    routes = list(Route.objects.filter(pk__in=data.pop("route_ids")))
    return Status(201, services.programme_create(actor=request.actor, routes=routes, **data))


@router.post("/programmes/{programme_id}/open", response=ProgrammeOut)
def open_programme(request, programme_id: int):
    return services.programme_open(actor=request.actor, programme=_programme(request, programme_id))


@router.post("/programmes/{programme_id}/close", response=ProgrammeOut)
def close_programme(request, programme_id: int):
    return services.programme_close(actor=request.actor, programme=_programme(request, programme_id))


class QuotaOut(Schema):
    id: int
    region_code: str
    region_name: str
    parent_id: int | None
    places: int
    budget: Decimal
    method: str
    member_count: int
    leaf: bool
    committed: Decimal
    spent: Decimal
    available: Decimal
    holding: int
    waiting: int


class ApportionIn(Schema):
    manual: dict[str, int] | None = None


@router.get("/programmes/{programme_id}/quotas", response=list[QuotaOut], auth=None, openapi_extra=PUBLIC)
@paginate
def list_quotas(request, programme_id: int):
    return selectors.quota_rows(request.actor, _programme(request, programme_id))


@router.post("/quotas/{quota_id}/apportion", response=list[QuotaOut])
def apportion_quota(request, quota_id: int, payload: ApportionIn):
    quota = get_scoped_or_404(Quota, request.actor, action="recuperation.quota.apportion", pk=quota_id)
    services.quota_apportion(actor=request.actor, quota=quota, manual=payload.manual)
    return [
        row for row in selectors.quota_rows(request.actor, quota.programme) if row["parent_id"] == quota.pk
    ]


# --- applications ------------------------------------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    region_code: str
    programme_id: int
    member_name: str
    quota_id: int | None
    route_preferences: list[int]
    target_group: str
    state: str
    refusal_reason: str
    submitted_at: datetime
    draw_rank: int | None
    hold_expires_at: datetime | None
    departure_id: int | None
    cost: Decimal
    subsidy: Decimal
    rating: int | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_member_name(obj):
        return str(obj.member)  # masked


class ApplyIn(Schema):
    route_ids: list[int]


class GroupApplyIn(Schema):
    member_ids: list[int]
    route_ids: list[int]


class CheckIn(Schema):
    reason: str = ""


class ConfirmIn(Schema):
    departure_id: int


class ReviewIn(Schema):
    rating: int
    comment: str = ""


@router.post("/programmes/{programme_id}/applications", response={201: ApplicationOut})
def apply(request, programme_id: int, payload: ApplyIn):
    application = services.application_submit(
        actor=request.actor, programme=_programme(request, programme_id), route_ids=payload.route_ids
    )
    return Status(201, application)


@router.post("/programmes/{programme_id}/group-applications", response={201: list[ApplicationOut]})
def group_apply(request, programme_id: int, payload: GroupApplyIn):
    created = services.group_apply(
        actor=request.actor,
        programme=_programme(request, programme_id),
        member_ids=payload.member_ids,
        route_ids=payload.route_ids,
    )
    return Status(201, created)


@router.get("/applications", response=list[ApplicationOut])
@paginate
def list_applications(request, programme_id: int | None = None, state: str = ""):
    return selectors.applications_for(request.actor, programme_id=programme_id, state=state or None)


def _application(request, application_id: int, action: str) -> Application:
    return get_scoped_or_404(
        Application, request.actor, action=f"recuperation.application.{action}", pk=application_id
    )


@router.get("/applications/{application_id}", response=ApplicationOut)
def get_application(request, application_id: int):
    return _application(request, application_id, "view")


@router.post("/applications/{application_id}/check", response=ApplicationOut)
def check_application(request, application_id: int, payload: CheckIn):
    return services.application_check(
        actor=request.actor,
        application=_application(request, application_id, "check"),
        refuse_reason=payload.reason,
    )


@router.post("/applications/{application_id}/confirm", response=ApplicationOut)
def confirm_application(request, application_id: int, payload: ConfirmIn):
    departure = get_object_or_404(Departure, pk=payload.departure_id)
    return services.application_confirm(
        actor=request.actor, application=_application(request, application_id, "confirm"), departure=departure
    )


@router.post("/applications/{application_id}/decline", response=ApplicationOut)
def decline_application(request, application_id: int):
    return services.application_decline(
        actor=request.actor, application=_application(request, application_id, "decline")
    )


@router.post("/applications/{application_id}/cancel", response=ApplicationOut)
def cancel_application(request, application_id: int):
    return services.application_cancel(
        actor=request.actor, application=_application(request, application_id, "cancel")
    )


@router.post("/applications/{application_id}/review", response=ApplicationOut)
def review_application(request, application_id: int, payload: ReviewIn):
    return services.application_review(
        actor=request.actor,
        application=_application(request, application_id, "review"),
        rating=payload.rating,
        comment=payload.comment,
    )


# --- draws -------------------------------------------------------------------------------------------------------


class DrawOut(Schema):
    id: int
    region_code: str
    programme_id: int
    performed_at: datetime
    seed_commitment: str
    seed: str
    algorithm: str
    results_digest: str
    application_count: int

    @staticmethod
    def resolve_region_code(obj):
        return obj.programme.region_id


class VerificationOut(Schema):
    draw_id: int
    matches: bool
    commitment_ok: bool
    units_checked: int
    applications_checked: int
    problems: list[str]


class DrawRecord(DrawOut):
    inputs: dict
    results: dict


@router.post("/programmes/{programme_id}/draw", response={201: DrawOut})
def run_draw(request, programme_id: int):
    return Status(201, services.draw_run(actor=request.actor, programme=_programme(request, programme_id)))


@router.get("/draws", response=list[DrawOut], auth=None, openapi_extra=PUBLIC)
@paginate
def list_draws(request):
    return Draw.objects.select_related("programme").order_by("-performed_at", "id")


@router.get("/draws/{draw_id}", response=DrawOut, auth=None, openapi_extra=PUBLIC)
def get_draw(request, draw_id: int):
    return get_object_or_404(Draw.objects.select_related("programme"), pk=draw_id)


@router.get("/draws/{draw_id}/record", response=DrawRecord, auth=None, openapi_extra=PUBLIC)
def get_draw_record(request, draw_id: int):
    """The whole record (inputs, seed, results) for anyone to recompute offline."""
    return get_object_or_404(Draw.objects.select_related("programme"), pk=draw_id)


@router.get("/draws/{draw_id}/verify", response=VerificationOut, auth=None, openapi_extra=PUBLIC)
def verify_draw(request, draw_id: int):
    draw = get_object_or_404(Draw.objects.select_related("programme"), pk=draw_id)
    result = selectors.draw_verification(draw)
    return {"draw_id": draw.pk, **result.__dict__}


# --- trip reports and figures ------------------------------------------------------------------------------------


class TripReportOut(Schema):
    id: int
    region_code: str
    organisation_id: int
    destination_code: str | None
    partner_region: str
    target_group: str
    started_on: date
    days: int
    participants: int
    spend: Decimal

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_destination_code(obj):
        return obj.destination_id


class TripReportIn(Schema):
    started_on: date
    days: int
    participants: int
    spend: Decimal
    destination_code: str | None = None
    partner_region: str = ""
    target_group: str = TargetGroup.GENERAL


@router.get("/trip-reports", response=list[TripReportOut])
@paginate
def list_trip_reports(request):
    return selectors.trip_reports_for(request.actor)


@router.get("/trip-reports/{report_id}", response=TripReportOut)
def get_trip_report(request, report_id: int):
    return get_scoped_or_404(TripReport, request.actor, action="recuperation.trip_report.view", pk=report_id)


@router.post("/trip-reports", response={201: TripReportOut})
def create_trip_report(request, payload: TripReportIn):
    return Status(201, services.trip_report_create(actor=request.actor, **payload.dict()))


class FigureRow(Schema):
    code: str | None = None
    name: str | None = None
    month: str | None = None
    participants: int
    person_days: int
    spend: Decimal


class FiguresOut(Schema):
    region_prefix: str
    year: int
    participants: int
    person_days: int
    spend: Decimal
    mountain_island_participants: int
    mountain_island_share: float
    mountain_island_spend_share: float
    by_county: list[FigureRow]
    by_destination: list[FigureRow]
    by_target_group: list[FigureRow]
    by_month: list[FigureRow]


@router.get("/figures", response=FiguresOut, auth=None, openapi_extra=PUBLIC)
def get_figures(request, year: int = 2025):
    """Participants, person-days, spend driven and the mountain/island share, for the actor's region (staff) or
    the province."""
    prefix = figures.prefix_of(request.actor)
    return {
        "region_prefix": prefix,
        "year": year,
        **figures.summary(region_prefix=prefix, year=year),
        "by_county": figures.by_county(region_prefix=prefix, year=year),
        "by_destination": figures.by_destination(region_prefix=prefix, year=year),
        "by_target_group": figures.by_target_group(region_prefix=prefix, year=year),
        "by_month": figures.by_month(region_prefix=prefix, year=year),
    }
