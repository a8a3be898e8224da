"""gonghui.matching — the dispatch engine of 劳模工匠助企行 (平台派单). Plain Python, no Django import.

Public API (stable; the Django workflow calls only these names)
================================================================

Inputs (``model.py``, plain dataclasses the workflow fills from its models)::

    Problem(id, title, description, category, industry, tags, county, urgency, online, demand, cross_region)
    Craftsman(id, name, specialties, tags, categories, occupation, grade, honours, industries, experience,
              solved_texts, county, radius_km, cross_region, min_load, max_load, current_load, available, rating)
    Geography(counties)              # [{"code","name","lat","lng","mountain","island"}, ...] or County objects
    Constraints(forbidden=((problem_id, craftsman_id), ...), forced=..., accepted=..., pending=...)
    MatchingConfig(...)              # every weight and knob; DEFAULT_CONFIG

Build the pool once per period (index + tables; rebuild when craftsmen change)::

    pool = CraftsmanPool(craftsmen, Geography(counties), config=DEFAULT_CONFIG)
    pool.issues                      # bad craftsman rows (unknown county, negative capacity, ...), never raised

Rank candidates for one new problem while staff wait (milliseconds)::

    candidates, reason, issues = rank_candidates(pool, problem, limit=10, forbidden=())
    candidates[0].craftsman, .score, .distance_km, .cross_region, .features, .explain("zh" | "en")
    reason                           # Message when nobody qualifies: reason.text("zh")

Dispatch a batch (optimal min-cost flow over the top-k candidates of each problem)::

    result = dispatch(pool, problems, Constraints(...), top_k=None, alternates=3)
    result.pairs                     # [AssignedPair(problem, craftsman, score, kind, distance_km)], .explain(lang)
    result.alternates[problem_id]    # ranked Candidate list (not assigned to that problem)
    result.unassigned                # [Unassigned(problem, demand, assigned, reason)], .explain(lang)
    result.issues                    # [Issue(code, message, problem, craftsman)] naming who is at fault
    result.min_load_shortfall        # {craftsman_id: units short} when minimum loads cannot all be met

Re-dispatch after a decline or an expired offer (accepted pairs never move)::

    result = redispatch(pool, problems, previous_result_or_pairs, accepted=[...], declined=[...])
    result.changes.kept, .added, .removed, .changed

Teams covering several tags (CP-SAT)::

    teams = form_teams(pool, problems)   # teams.teams[problem_id] -> [AssignedPair], teams.unassigned

Solver on its own (scores from anywhere; indices 0..n-1)::

    solved = solve_assignment(problem_idx, craftsman_idx, score, demand=..., max_load=..., min_load=...,
                              slot_bonus=..., forbidden=..., forced=..., load_penalty=0.0)

Messages: every user-facing string is a ``Message(id, params)`` rendered by ``.text("zh")`` or ``.text("en")``
from the catalogue in ``messages.py`` (this package cannot use gettext).
"""

from .config import DEFAULT_CONFIG, MatchingConfig
from .dispatch import (
    AssignedPair,
    ChangeSummary,
    DispatchResult,
    Unassigned,
    dispatch,
    rank_candidates,
    redispatch,
)
from .issues import Issue
from .messages import CATALOGUE, Message, render
from .model import Candidate, Constraints, County, Craftsman, Geography, Problem
from .pool import CraftsmanPool
from .solver import SolverResult, solve_assignment
from .teams import TeamResult, form_teams

__all__ = [
    "CATALOGUE",
    "DEFAULT_CONFIG",
    "AssignedPair",
    "Candidate",
    "ChangeSummary",
    "Constraints",
    "County",
    "Craftsman",
    "CraftsmanPool",
    "DispatchResult",
    "Geography",
    "Issue",
    "MatchingConfig",
    "Message",
    "Problem",
    "SolverResult",
    "TeamResult",
    "Unassigned",
    "dispatch",
    "form_teams",
    "rank_candidates",
    "redispatch",
    "render",
    "solve_assignment",
]
