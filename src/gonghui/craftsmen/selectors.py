"""Reads of 劳模工匠助企行, always through the actor's scope."""

import threading

from django.db.models import Count, Max, Q

from gonghui import matching
from gonghui.core.actor import Actor
from gonghui.core.scoping import get_scoped_or_404, scoped
from gonghui.craftsmen import engine
from gonghui.craftsmen.models import (
    Craftsman,
    IntentAgreement,
    Notification,
    Offer,
    OfferStatus,
    Problem,
    ProblemStatus,
    ServiceTeam,
    Solution,
    SolutionStatus,
    SpecialSession,
)
from gonghui.matching.relevance import RelevanceIndex


def problems(actor: Actor, *, status: str | None = None, query: str = "", overdue: bool = False):
    qs = scoped(Problem, actor).select_related("enterprise", "region", "craftsman")
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue=True)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(description__icontains=query))
    return qs


def problem(actor: Actor, problem_id: int) -> Problem:
    return get_scoped_or_404(
        Problem.objects.select_related("enterprise", "region", "craftsman"),
        actor,
        action="craftsmen.problem.view",
        pk=problem_id,
    )


def status_counts(actor: Actor) -> dict[str, int]:
    return dict(
        scoped(Problem, actor).values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )


def offers(actor: Actor, *, pending_only: bool = False):
    qs = scoped(Offer, actor).select_related("problem", "problem__enterprise", "craftsman")
    if pending_only:
        qs = qs.filter(status=OfferStatus.PENDING)
    return qs


def pending_offer_for(actor: Actor, problem: Problem) -> Offer | None:
    if actor.role != "craftsman":
        return None
    return problem.offers.filter(status=OfferStatus.PENDING, craftsman__user_id=actor.user_id).first()


def listed_problems(actor: Actor):
    return scoped(Problem, actor).filter(status=ProblemStatus.LISTED).select_related("enterprise", "region")


def craftsmen(actor: Actor, *, query: str = "", pending_only: bool = False):
    qs = scoped(Craftsman, actor).select_related("region").prefetch_related("honours")
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(occupation__icontains=query) | Q(specialties__icontains=query)
        )
    if pending_only:
        qs = qs.exclude(pending_changes={})
    return qs


def craftsman(actor: Actor, craftsman_id: int) -> Craftsman:
    return get_scoped_or_404(
        Craftsman.objects.select_related("region"), actor, action="craftsmen.craftsman.view", pk=craftsman_id
    )


def own_craftsman(actor: Actor) -> Craftsman | None:
    if actor.role != "craftsman":
        return None
    return Craftsman.objects.filter(user_id=actor.user_id).prefetch_related("honours", "teams").first()


def candidates(actor: Actor, problem: Problem, *, limit: int = 10) -> tuple[list[dict], str]:
    """The engine's ranked craftsmen for one problem, with its explanation for each, for staff to choose from."""
    if not actor.is_staff:
        return [], ""
    excluded = tuple((problem.pk, c) for c in problem.offers.values_list("craftsman_id", flat=True))
    pool = engine.build_pool()
    ranked, reason, _issues = matching.rank_candidates(
        pool, engine.engine_problem(problem), limit=limit, forbidden=excluded
    )
    people = Craftsman.objects.in_bulk([c.craftsman for c in ranked])
    lang = engine.language()
    rows = [
        {
            "craftsman": people[c.craftsman],
            "score": round(c.score, 3),
            "distance_km": None if c.distance_km is None else round(c.distance_km),
            "cross_region": c.cross_region,
            "explanation": c.explain(lang),
        }
        for c in ranked
        if c.craftsman in people
    ]
    return rows, (reason.text(lang) if reason else "")


def solutions(actor: Actor, *, query: str = "", category: str = "", status: str | None = None):
    qs = scoped(Solution, actor).select_related("region", "craftsman")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if query:
        qs = qs.filter(
            Q(title__icontains=query)
            | Q(symptom__icontains=query)
            | Q(fix__icontains=query)
            | Q(tags__icontains=query)
        )
    return qs


def solution(actor: Actor, solution_id: int) -> Solution:
    return get_scoped_or_404(
        Solution.objects.select_related("region", "craftsman", "problem"),
        actor,
        action="craftsmen.solution.view",
        pk=solution_id,
    )


class _SolutionIndex:
    """BM25 over published solutions, rebuilt when the library changes (count or last publication)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._version = None
        self._ids: list[int] = []
        self._index = None

    def get(self):
        stats = Solution.objects.filter(status=SolutionStatus.PUBLISHED).aggregate(
            n=Count("id"), last=Max("published_at")
        )
        version = (stats["n"], stats["last"])
        with self._lock:
            if version != self._version:
                rows = list(
                    Solution.objects.filter(status=SolutionStatus.PUBLISHED).values_list(
                        "pk", "title", "symptom", "root_cause", "tags"
                    )
                )
                self._ids = [r[0] for r in rows]
                texts = [f"{t} {s} {c} {' '.join(tags or [])}" for _pk, t, s, c, tags in rows]
                self._index = RelevanceIndex(texts, mode="bigram") if texts else None
                self._version = version
            return self._ids, self._index


_solution_index = _SolutionIndex()


def similar_solutions(actor: Actor, text: str, *, limit: int = 5, min_score: float = 0.05) -> list[Solution]:
    """Published solutions closest to what an enterprise is typing (shown while it types)."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    ids, index = _solution_index.get()
    if index is None:
        return []
    scores = index.scores([text])[0]
    order = scores.argsort()[::-1][: limit * 3]
    best = [ids[i] for i in order if scores[i] >= min_score]
    visible = scoped(Solution, actor).filter(pk__in=best).in_bulk()
    return [visible[pk] for pk in best if pk in visible][:limit]


def sessions(actor: Actor):
    return (
        scoped(SpecialSession, actor)
        .select_related("region", "team")
        .annotate(n_craftsmen=Count("craftsmen", distinct=True))
        .order_by("-date", "-id")
    )


def session(actor: Actor, session_id: int) -> SpecialSession:
    return get_scoped_or_404(
        SpecialSession.objects.select_related("region", "team"),
        actor,
        action="craftsmen.session.view",
        pk=session_id,
    )


def notifications(actor: Actor):
    return scoped(Notification, actor)


def unread_count(actor: Actor) -> int:
    return scoped(Notification, actor).filter(read_at__isnull=True).count()


def team_offers(problem: Problem) -> list[Offer]:
    """The member slots of a team problem (pending and accepted offers); empty for a one-craftsman problem."""
    if problem.craftsmen_needed <= 1:
        return []
    return list(
        problem.offers.filter(status__in=(OfferStatus.PENDING, OfferStatus.ACCEPTED))
        .select_related("craftsman")
        .order_by("slot")
    )


def agreement(problem: Problem):
    """The signed intent agreement of the winning claim, if any (visible to whoever sees the problem)."""
    return IntentAgreement.objects.filter(problem=problem).select_related("team", "signed_by").first()


def my_teams(actor: Actor) -> list:
    """The service/volunteer teams a craftsman belongs to (may claim for)."""
    if actor.role != "craftsman" or not actor.user_id:
        return []
    return list(ServiceTeam.objects.filter(members__user_id=actor.user_id).order_by("name"))
