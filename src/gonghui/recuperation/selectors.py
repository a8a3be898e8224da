"""Reads of the recuperation programme, always through ``scoped`` where rows belong to a region."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from gonghui.core.actor import Actor
from gonghui.core.scoping import scoped
from gonghui.recuperation import lottery
from gonghui.recuperation.models import (
    HOLDS_PLACE,
    HOLDS_SEAT,
    Application,
    AppState,
    Base,
    Departure,
    Draw,
    Programme,
    ProgrammeState,
    Quota,
    Route,
    TripReport,
)

ZERO = Decimal("0")


def public_programmes():
    """Programmes anyone may see: everything past the draft stage."""
    return Programme.objects.exclude(state=ProgrammeState.DRAFT).select_related("region", "organisation")


def programmes_for(actor: Actor):
    """Public programmes plus the drafts inside a staff member's region."""
    visible = public_programmes()
    if actor.is_staff:
        visible = visible | scoped(Programme, actor).select_related("region", "organisation")
    return visible.distinct().order_by("-year", "id")


def open_programmes_for_member(member):
    return (
        public_programmes()
        .filter(state=ProgrammeState.OPEN)
        .filter(
            region__code__in=[
                member.region_id[:2] + "0000",
                member.region_id[:4] + "00",
                member.region_id[:6],
            ]
        )
    )


def routes_catalogue():
    return Route.objects.filter(active=True).select_related("base", "destination").order_by("id")


def departures_with_seats(route_ids):
    """Departures of these routes with seats taken and left, counted from the rows that hold seats."""
    rows = (
        Departure.objects.filter(route_id__in=list(route_ids))
        .select_related("route")
        .annotate(taken=Count("applications", filter=Q(applications__state__in=HOLDS_SEAT)))
        .order_by("starts_on", "id")
    )
    for departure in rows:
        departure.left = max(departure.capacity - departure.taken, 0)
    return list(rows)


def applications_for(actor: Actor, *, programme_id=None, state=None):
    qs = scoped(Application, actor).select_related("member", "programme", "departure__route", "quota__region")
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("id")


def _budget_aggregates() -> dict:
    return dict(
        committed=Sum("subsidy", filter=Q(state=AppState.CONFIRMED)),
        spent=Sum("subsidy", filter=Q(state__in=(AppState.TRAVELLED, AppState.REVIEWED))),
        holding=Count("id", filter=Q(state__in=HOLDS_PLACE)),
        seats=Count("id", filter=Q(state__in=HOLDS_SEAT)),
        waiting=Count("id", filter=Q(state=AppState.WAITING)),
        applications=Count("id"),
    )


def _with_zeros(agg: dict) -> dict:
    agg["committed"] = agg.get("committed") or ZERO
    agg["spent"] = agg.get("spent") or ZERO
    for key in ("holding", "seats", "waiting", "applications"):
        agg[key] = agg.get(key) or 0
    return agg


def budget_of(rows) -> dict:
    return _with_zeros(rows.aggregate(**_budget_aggregates()))


def programme_budget(programme: Programme) -> dict:
    """Committed (confirmed, not yet travelled) and spent (travelled) subsidy of a programme, with what is left."""
    figures = budget_of(Application.objects.filter(programme=programme))
    figures["budget"] = programme.budget
    figures["available"] = programme.budget - figures["committed"] - figures["spent"]
    return figures


def quota_rows(actor: Actor, programme: Programme) -> list[dict]:
    """Every quota unit inside the actor's reach (staff) with places and budget used; the public sees all shares."""
    quotas = Quota.objects.filter(programme=programme).select_related("region").order_by("region_id")
    if actor.is_staff:
        quotas = scoped(quotas, actor)
    quotas = list(quotas)
    ids = [quota.pk for quota in quotas]
    # One grouped aggregate and one look-up of parents, whatever the number of units.
    per_quota = {
        row.pop("quota_id"): row
        for row in Application.objects.filter(quota_id__in=ids)
        .values("quota_id")
        .annotate(**_budget_aggregates())
    }
    parents = set(Quota.objects.filter(parent_id__in=ids).values_list("parent_id", flat=True))
    rows = []
    for quota in quotas:
        figures = _with_zeros(dict(per_quota.get(quota.pk, {})))
        rows.append(
            {
                "id": quota.pk,
                "region_code": quota.region_id,
                "region_name": quota.region.name,
                "parent_id": quota.parent_id,
                "places": quota.places,
                "budget": quota.budget,
                "method": quota.method,
                "member_count": quota.member_count,
                "leaf": quota.pk not in parents,
                **figures,
                "available": quota.budget - figures["committed"] - figures["spent"],
            }
        )
    return rows


def draw_database_rankings(draw: Draw) -> dict[str, list[int]]:
    """Each unit's applications ordered by the rank stored on them."""
    rankings: dict[str, list[int]] = {}
    for quota_id, app_id in (
        Application.objects.filter(programme_id=draw.programme_id, draw_rank__isnull=False)
        .order_by("quota_id", "draw_rank")
        .values_list("quota_id", "id")
    ):
        rankings.setdefault(str(quota_id), []).append(app_id)
    return rankings


def draw_verification(draw: Draw, *, check_database: bool = True) -> lottery.Verification:
    """Recompute a draw from its record and compare with the record and with the ranks on the applications."""
    inputs = draw.inputs or {}
    units = {unit: list(v.get("applications", [])) for unit, v in inputs.items()}
    places = {unit: int(v.get("places", 0)) for unit, v in inputs.items()}
    result = lottery.verify_draw(
        seed_hex=draw.seed,
        commitment=draw.programme.seed_commitment,
        units=units,
        places=places,
        recorded=draw.results or {},
        database_rankings=draw_database_rankings(draw) if check_database else None,
    )
    if draw.seed_commitment != draw.programme.seed_commitment:
        result.matches = False
        result.problems.append(
            "the commitment in the record differs from the one published with the programme"
        )
    if lottery.results_digest(draw.results or {}) != draw.results_digest:
        result.matches = False
        result.problems.append("the recorded results do not match their published fingerprint")
    return result


def trip_reports_for(actor: Actor):
    return (
        scoped(TripReport, actor).select_related("organisation", "destination").order_by("-started_on", "-id")
    )


# --- the staff catalogue: bases, routes and departures a staff member manages ------------------------------------
# Bases and routes are public reference data, but each is managed by the union of its county (partner-region ones by
# the province), the same rule the services apply; these are the rows a staff member may edit.


def _managed_q(actor: Actor, field: str) -> Q:
    if not actor.is_staff or actor.region_prefix is None:
        return Q(pk__in=[])
    managed = Q(**{f"{field}__code__startswith": actor.region_prefix})
    if actor.region_prefix == "33":
        managed |= Q(**{f"{field}__isnull": True})
    return managed


def managed_bases(actor: Actor):
    return (
        Base.objects.filter(_managed_q(actor, "region"))
        .select_related("region")
        .annotate(route_count=Count("routes"))
        .order_by("region_id", "id")
    )


def managed_routes(actor: Actor):
    return (
        Route.objects.filter(_managed_q(actor, "destination"))
        .select_related("base", "destination")
        .annotate(departure_count=Count("departures"))
        .order_by("destination_id", "id")
    )


def managed_departures(actor: Actor, route_id: int | None = None):
    """Departures with seats taken counted from the applications holding a seat (one query for all rows)."""
    rows = (
        Departure.objects.filter(_managed_q(actor, "route__destination"))
        .select_related("route__destination")
        .annotate(taken=Count("applications", filter=Q(applications__state__in=HOLDS_SEAT)))
        .order_by("starts_on", "id")
    )
    if route_id is not None:
        rows = rows.filter(route_id=route_id)
    return rows
