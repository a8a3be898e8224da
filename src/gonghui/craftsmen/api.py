"""JSON API of 劳模工匠助企行 under /api/v1/craftsmen/. Thin: parse, call a service or selector, serialise.

Lists are paginated ({"items", "count"}) and each item carries "id" and "region_code"; details 404 outside the
actor's scope. Attachments are uploaded through the pages (multipart); the API files problems without them.
"""

from datetime import date, datetime

from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.craftsmen import figures, selectors, services

router = Router(tags=["craftsmen"])


class CraftsmanOut(Schema):
    id: int
    region_code: str
    name: str
    occupation: str
    skill_grade: str
    tags: list[str]
    industries: list[str]
    service_radius_km: int
    cross_region: bool
    monthly_capacity: int
    available: bool
    innovation_studio: str
    honours: list[dict]
    has_pending_changes: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_honours(obj):
        return [{"honour": h.honour, "level": h.level, "year": h.year} for h in obj.honours.all()]

    @staticmethod
    def resolve_has_pending_changes(obj):
        return bool(obj.pending_changes)


class ProblemOut(Schema):
    id: int
    region_code: str
    enterprise: str
    category: str
    industry: str
    title: str
    description: str
    tags: list[str]
    urgency: int
    online: bool
    craftsmen_needed: int
    status: str
    overdue: bool
    submitted_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None
    craftsman_id: int | None
    rating: int | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_enterprise(obj):
        return obj.enterprise.name


class AgreementOut(Schema):
    team_id: int | None
    team: str | None
    signed_by: str
    scope_of_work: str
    expected_completion: date
    accepted_at: datetime


class OfferOut(Schema):
    id: int
    region_code: str
    problem_id: int
    problem_title: str
    craftsman_id: int
    kind: str
    slot: int
    status: str
    due_at: datetime | None
    explanation: str
    agreement: AgreementOut | None

    @staticmethod
    def resolve_agreement(obj):
        agreement = getattr(obj, "agreement", None) if obj.kind == "claimed" else None
        if agreement is None:
            return None
        return {
            "team_id": agreement.team_id,
            "team": agreement.team.name if agreement.team_id else None,
            "signed_by": agreement.signed_by.name,
            "scope_of_work": agreement.scope_of_work,
            "expected_completion": agreement.expected_completion,
            "accepted_at": agreement.accepted_at,
        }

    @staticmethod
    def resolve_region_code(obj):
        return obj.problem.region_id

    @staticmethod
    def resolve_problem_title(obj):
        return obj.problem.title


class SolutionOut(Schema):
    id: int
    region_code: str
    category: str
    title: str
    symptom: str
    root_cause: str
    fix: str
    results: str
    tags: list[str]
    industries: list[str]
    status: str
    published_at: datetime | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id


class SessionOut(Schema):
    id: int
    region_code: str
    title: str
    date: date
    team: str | None
    enterprises_served: int
    problems_taken: int
    workers_trained: int
    craftsmen: int

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_team(obj):
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_craftsmen(obj):
        return obj.craftsmen.count()


class CandidateOut(Schema):
    craftsman_id: int
    name: str
    region_code: str
    score: float
    distance_km: int | None
    cross_region: bool
    explanation: str


class CandidatesOut(Schema):
    candidates: list[CandidateOut]
    reason: str


class ProblemIn(Schema):
    category: str
    title: str
    description: str
    enterprise: str | None = None  # staff filing for an enterprise: its credit code
    industry: str = ""
    tags: list[str] = []
    urgency: int = 1
    online: bool = False
    wished_from: date | None = None
    wished_to: date | None = None
    craftsmen_needed: int = 1


class ReviewIn(Schema):
    accept: bool
    comment: str = ""
    tags: list[str] | None = None
    craftsmen_needed: int | None = None


class AgreementClaimIn(Schema):
    team_id: int | None = None
    scope_of_work: str
    expected_completion: date
    agree: bool


class TeamMemberOut(Schema):
    craftsman_id: int
    name: str
    region_code: str
    tags: list[str]
    score: float
    distance_km: int | None
    explanation: str


class TeamProposalOut(Schema):
    members: list[TeamMemberOut]
    covered_tags: list[str]
    reason: str


class TeamDispatchIn(Schema):
    member_ids: list[int] | None = None


class DispatchIn(Schema):
    craftsman_id: int | None = None


class ListIn(Schema):
    workdays: int = services.CLAIM_WORKDAYS


class DeclineIn(Schema):
    reason: str


class VisitIn(Schema):
    date: date
    hours: float
    online: bool = False
    note: str = ""
    followup: bool = False


class OutcomeIn(Schema):
    solved: bool
    workers_trained: int = 0
    skill_upgrades: int = 0
    efficiency_gain_pct: float | None = None
    yield_before_pct: float | None = None
    yield_after_pct: float | None = None
    benefit_yuan: int = 0
    note: str = ""


class ConfirmIn(Schema):
    accept: bool = True
    comment: str = ""


class RateIn(Schema):
    rating: int
    comment: str = ""


class SolutionIn(Schema):
    title: str
    symptom: str
    root_cause: str
    fix: str
    results: str = ""
    tags: list[str] | None = None


class SolutionReviewIn(Schema):
    publish: bool
    comment: str = ""


class SessionIn(Schema):
    region_code: str
    title: str
    date: date
    team_id: int | None = None
    enterprises_served: int = 0
    problems_taken: int = 0
    workers_trained: int = 0
    craftsman_ids: list[int] = []
    note: str = ""


class ProfileChangesIn(Schema):
    tags: list[str] | None = None
    specialties: str | None = None
    industries: list[str] | None = None
    categories: list[str] | None = None
    service_radius_km: int | None = None
    cross_region: bool | None = None
    monthly_capacity: int | None = None
    available: bool | None = None
    innovation_studio: str | None = None
    occupation: str | None = None


# ------------------------------------------------------------------------------------------- talent pool
@router.get("/craftsmen", response=list[CraftsmanOut])
@paginate
def list_craftsmen(request, q: str = ""):
    return selectors.craftsmen(request.actor, query=q)


@router.get("/craftsmen/{craftsman_id}", response=CraftsmanOut)
def get_craftsmen(request, craftsman_id: int):
    return selectors.craftsman(request.actor, craftsman_id)


@router.post("/profile/changes", response=CraftsmanOut)
def post_profile_changes(request, payload: ProfileChangesIn):
    """A craftsman's edit of their own profile (availability at once, the rest after staff approval)."""
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return services.craftsman_propose_changes(actor=request.actor, changes=changes)


class ChangesReviewIn(Schema):
    approve: bool
    comment: str = ""


class ImportOut(Schema):
    created: int
    errors: list[str]


@router.post("/craftsmen/{craftsman_id}/changes", response=CraftsmanOut)
def post_craftsmen_changes(request, craftsman_id: int, payload: ChangesReviewIn):
    """Staff approve or reject the changes a craftsman proposed to their profile."""
    return services.craftsman_review_changes(
        actor=request.actor, craftsman_id=craftsman_id, approve=payload.approve, comment=payload.comment
    )


@router.post("/pool-import", response={200: ImportOut, 400: ImportOut})
def post_pool_import(request, workbook: File[UploadedFile]):
    """Import profiles from an .xlsx sheet: every row checked, one bad row imports nothing (400 lists them)."""
    result = services.craftsmen_import(actor=request.actor, workbook_file=workbook)
    return Status(400 if result.errors else 200, {"created": result.created, "errors": result.errors})


# Rows some roles reach beyond a region by design (the scoping walk in tests/core exempts exactly these roles):
# listed problems (揭榜挂帅) are published province-wide for any craftsman to claim, and published solutions are the
# province's shared library ("from solving one problem to solving a class of problems").
LISTED_FOR_CRAFTSMEN = {"x-gonghui-scope": {"public_for": ["craftsman"]}}
SHARED_LIBRARY = {"x-gonghui-scope": {"public_for": ["craftsman", "enterprise", "member"]}}


# ------------------------------------------------------------------------------------------- problems
@router.get("/problems", response=list[ProblemOut], openapi_extra=LISTED_FOR_CRAFTSMEN)
@paginate
def list_problems(request, status: str = "", q: str = "", overdue: bool = False):
    return selectors.problems(request.actor, status=status or None, query=q, overdue=overdue)


@router.get("/problems/{problem_id}", response=ProblemOut, openapi_extra=LISTED_FOR_CRAFTSMEN)
def get_problems(request, problem_id: int):
    return selectors.problem(request.actor, problem_id)


@router.post("/problems", response={201: ProblemOut})
def post_problems(request, payload: ProblemIn):
    problem = services.problem_file(actor=request.actor, **payload.dict())
    return Status(201, problem)


@router.get("/problems/{problem_id}/candidates", response=CandidatesOut)
def get_problem_candidates(request, problem_id: int, limit: int = 10):
    """The engine's ranked craftsmen with explanations (staff only; empty for others)."""
    problem = selectors.problem(request.actor, problem_id)
    rows, reason = selectors.candidates(request.actor, problem, limit=min(max(limit, 1), 50))
    return {
        "candidates": [
            {
                "craftsman_id": r["craftsman"].pk,
                "name": r["craftsman"].name,
                "region_code": r["craftsman"].region_id,
                "score": r["score"],
                "distance_km": r["distance_km"],
                "cross_region": r["cross_region"],
                "explanation": r["explanation"],
            }
            for r in rows
        ],
        "reason": reason,
    }


def _then(request, problem_id):
    return selectors.problem(request.actor, problem_id)


@router.post("/problems/{problem_id}/review", response=ProblemOut)
def post_problems_review(request, problem_id: int, payload: ReviewIn):
    services.problem_review(actor=request.actor, problem_id=problem_id, **payload.dict())
    return _then(request, problem_id)


@router.post("/problems/{problem_id}/dispatch", response=OfferOut)
def post_problems_dispatch(request, problem_id: int, payload: DispatchIn):
    return services.problem_dispatch(actor=request.actor, problem_id=problem_id, **payload.dict())


@router.post("/problems/{problem_id}/list", response=ProblemOut)
def post_problems_list(request, problem_id: int, payload: ListIn):
    services.problem_list_for_claim(actor=request.actor, problem_id=problem_id, workdays=payload.workdays)
    return _then(request, problem_id)


@router.post("/problems/{problem_id}/claim", response=OfferOut, openapi_extra=LISTED_FOR_CRAFTSMEN)
def post_problems_claim(request, problem_id: int):
    return services.problem_claim(actor=request.actor, problem_id=problem_id)


@router.post(
    "/problems/{problem_id}/claim-with-agreement", response=OfferOut, openapi_extra=LISTED_FOR_CRAFTSMEN
)
def post_problems_claim_with_agreement(request, problem_id: int, payload: AgreementClaimIn):
    """揭榜 alone or for one's service/volunteer team, signing the intent agreement (意向书)."""
    return services.problem_claim(actor=request.actor, problem_id=problem_id, **payload.dict())


@router.get("/problems/{problem_id}/team-proposal", response=TeamProposalOut)
def get_problem_team_proposal(request, problem_id: int):
    """The engine's team for a problem needing several craftsmen, with reasons (staff only)."""
    proposal = services.team_proposal(actor=request.actor, problem_id=problem_id)
    return {
        "members": [
            {
                "craftsman_id": m["craftsman"].pk,
                "name": m["craftsman"].name,
                "region_code": m["craftsman"].region_id,
                "tags": m["craftsman"].tags,
                "score": m["score"],
                "distance_km": m["distance_km"],
                "explanation": m["explanation"],
            }
            for m in proposal.members
        ],
        "covered_tags": proposal.covered_tags,
        "reason": proposal.reason,
    }


@router.post("/problems/{problem_id}/dispatch-team", response=list[OfferOut])
def post_problems_dispatch_team(request, problem_id: int, payload: TeamDispatchIn):
    return services.problem_dispatch_team(
        actor=request.actor, problem_id=problem_id, member_ids=payload.member_ids
    )


@router.post("/problems/{problem_id}/visits", response=ProblemOut)
def post_problems_visits(request, problem_id: int, payload: VisitIn):
    data = payload.dict()
    services.visit_log(actor=request.actor, problem_id=problem_id, visit_date=data.pop("date"), **data)
    return _then(request, problem_id)


@router.post("/problems/{problem_id}/outcome", response=ProblemOut)
def post_problems_outcome(request, problem_id: int, payload: OutcomeIn):
    services.outcome_record(actor=request.actor, problem_id=problem_id, **payload.dict())
    return _then(request, problem_id)


@router.post("/problems/{problem_id}/confirm", response=ProblemOut)
def post_problems_confirm(request, problem_id: int, payload: ConfirmIn):
    services.problem_confirm(actor=request.actor, problem_id=problem_id, **payload.dict())
    return _then(request, problem_id)


@router.post("/problems/{problem_id}/rate", response=ProblemOut)
def post_problems_rate(request, problem_id: int, payload: RateIn):
    services.problem_rate(actor=request.actor, problem_id=problem_id, **payload.dict())
    return _then(request, problem_id)


@router.post("/problems/{problem_id}/solution", response=SolutionOut)
def post_problems_solution(request, problem_id: int, payload: SolutionIn):
    return services.solution_submit(actor=request.actor, problem_id=problem_id, **payload.dict())


class ProposalPairOut(Schema):
    problem_id: int
    craftsman_id: int | None
    score: float | None
    explanation: str
    alternates: list[dict]


class ProposalOut(Schema):
    proposals: list[ProposalPairOut]


class BatchIn(Schema):
    assignments: dict[int, int]


@router.get("/batch-proposal", response=ProposalOut)
def get_batch_proposal(request):
    """The engine's optimal assignment of the reviewed problems in the staff member's region (nothing written)."""
    from django.core.exceptions import PermissionDenied

    from gonghui.craftsmen import engine

    if not request.actor.is_staff:
        raise PermissionDenied
    problem_ids = list(
        selectors.problems(request.actor, status="reviewed").values_list("pk", flat=True)[:200]
    )
    if not problem_ids:
        return {"proposals": []}
    result = services.batch_proposal(actor=request.actor, problem_ids=problem_ids)
    lang = engine.language()
    unassigned = {u.problem: u.explain(lang) for u in result.unassigned}
    proposals = []
    for problem_id in problem_ids:
        pairs = result.pairs_for(problem_id)
        pair = pairs[0] if pairs else None
        proposals.append(
            {
                "problem_id": problem_id,
                "craftsman_id": pair.craftsman if pair else None,
                "score": round(pair.score, 4) if pair else None,
                "explanation": pair.explain(lang) if pair else unassigned.get(problem_id, ""),
                "alternates": [
                    {"craftsman_id": c.craftsman, "score": round(c.score, 4), "explanation": c.explain(lang)}
                    for c in result.alternates.get(problem_id, [])
                ],
            }
        )
    return {"proposals": proposals}


@router.post("/batch-dispatch", response=list[OfferOut])
def post_batch_dispatch(request, payload: BatchIn):
    """Staff confirm a batch ({problem id: craftsman id}); all or nothing."""
    return services.problems_dispatch_batch(actor=request.actor, assignments=payload.assignments)


# ------------------------------------------------------------------------------------------- offers
@router.get("/offers", response=list[OfferOut])
@paginate
def list_offers(request, pending: bool = False):
    return selectors.offers(request.actor, pending_only=pending)


@router.get("/offers/{offer_id}", response=OfferOut)
def get_offers(request, offer_id: int):
    from gonghui.core.scoping import get_scoped_or_404
    from gonghui.craftsmen.models import Offer

    return get_scoped_or_404(Offer.objects.select_related("problem"), request.actor, pk=offer_id)


@router.post("/offers/{offer_id}/accept", response=OfferOut)
def post_offers_accept(request, offer_id: int):
    return services.offer_accept(actor=request.actor, offer_id=offer_id)


@router.post("/offers/{offer_id}/decline", response=OfferOut)
def post_offers_decline(request, offer_id: int, payload: DeclineIn):
    return services.offer_decline(actor=request.actor, offer_id=offer_id, reason=payload.reason)


# ------------------------------------------------------------------------------------------- solutions
@router.get("/solutions", response=list[SolutionOut], openapi_extra=SHARED_LIBRARY)
@paginate
def list_solutions(request, q: str = "", category: str = "", status: str = ""):
    rows = selectors.solutions(request.actor, query=q, category=category, status=status or None)
    return rows


@router.get("/solutions/{solution_id}", response=SolutionOut, openapi_extra=SHARED_LIBRARY)
def get_solutions(request, solution_id: int):
    return selectors.solution(request.actor, solution_id)


@router.post("/solutions/{solution_id}/review", response=SolutionOut)
def post_solutions_review(request, solution_id: int, payload: SolutionReviewIn):
    return services.solution_review(actor=request.actor, solution_id=solution_id, **payload.dict())


@router.get("/similar-solutions", response=list[SolutionOut], openapi_extra=SHARED_LIBRARY)
@paginate
def list_similar_solutions(request, text: str = ""):
    """Published solutions closest to a problem text (what the filing form shows while typing)."""
    return selectors.similar_solutions(request.actor, text)


# ------------------------------------------------------------------------------------------- sessions, figures
@router.get("/sessions", response=list[SessionOut])
@paginate
def list_sessions(request):
    return selectors.sessions(request.actor)


@router.get("/sessions/{session_id}", response=SessionOut)
def get_sessions(request, session_id: int):
    return selectors.session(request.actor, session_id)


@router.post("/sessions", response={201: SessionOut})
def post_sessions(request, payload: SessionIn):
    data = payload.dict()
    session = services.session_create(actor=request.actor, session_date=data.pop("date"), **data)
    return Status(201, session)


class WorkdayIn(Schema):
    date: date
    is_workday: bool
    note: str = ""


class WorkdayOut(Schema):
    date: date
    is_workday: bool
    note: str


@router.post("/workdays", response=WorkdayOut)
def post_workdays(request, payload: WorkdayIn):
    """Province staff set a date's working-day status (holiday arrangements beyond the calendar's data)."""
    return services.workday_set(
        actor=request.actor, day=payload.date, is_workday=payload.is_workday, note=payload.note
    )


@router.get("/figures")
def get_figures(request, year: int | None = None, by: str = "total"):
    """Figures for the actor's region (staff) or the province: by=total|county|city|month."""
    year = year or timezone.localdate().year
    prefix = figures.prefix_for(request.actor)
    functions = {"county": figures.by_county, "city": figures.by_city, "month": figures.by_month}
    if by in functions:
        return {"year": year, "region_prefix": prefix, "rows": functions[by](region_prefix=prefix, year=year)}
    return {"year": year, "region_prefix": prefix, **figures.summary(region_prefix=prefix, year=year)}


@router.get("/coverage")
def get_coverage(request, year: int | None = None):
    """Which mountain and island counties were served in the year."""
    year = year or timezone.localdate().year
    rows = figures.coverage(region_prefix=figures.prefix_for(request.actor), year=year)
    return {"year": year, "served": sum(r["served"] for r in rows), "counties": rows}
