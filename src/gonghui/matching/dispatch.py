"""Batch dispatch, re-dispatch and ranking of candidates, with explanations and reasons in words."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .issues import Issue
from .messages import DEFAULT_LANGUAGE, Message, join_messages
from .model import Candidate, Constraints, Problem
from .pool import CraftsmanPool, PreparedProblems
from .solver import solve_assignment

MAX_TERMS_SHOWN = 5
NO_CONSTRAINTS = Constraints()


@dataclass
class AssignedPair:
    problem: object
    craftsman: object
    score: float
    kind: str  # "solver", "forced" or "accepted"
    distance_km: float | None = None
    explainer: Callable[[], list[Message]] | None = field(default=None, repr=False, compare=False)
    _explanation: list[Message] | None = field(default=None, repr=False, compare=False)

    @property
    def explanation(self) -> list[Message]:
        """Built on first use, so a batch of thousands of pairs is not slowed down by text work."""
        if self._explanation is None:
            self._explanation = self.explainer() if self.explainer else []
        return self._explanation

    def explain(self, language: str = DEFAULT_LANGUAGE) -> str:
        return join_messages(self.explanation, language)


@dataclass
class Unassigned:
    problem: object
    demand: int
    assigned: int
    reason: Message

    def explain(self, language: str = DEFAULT_LANGUAGE) -> str:
        return self.reason.text(language)


@dataclass
class ChangeSummary:
    """How re-dispatch changed the previous offers (accepted pairs never change).

    kept: offers that stay; added: new offers to send; removed: offers withdrawn or declined;
    changed = added + removed.
    """

    kept: int
    added: int
    removed: int

    @property
    def changed(self) -> int:
        return self.added + self.removed


@dataclass
class DispatchResult:
    pairs: list[AssignedPair]
    alternates: dict[object, list[Candidate]]
    unassigned: list[Unassigned]
    issues: list[Issue]
    objective: float
    min_load_shortfall: dict[object, int]
    changes: ChangeSummary | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def pairs_for(self, problem_id) -> list[AssignedPair]:
        return [pair for pair in self.pairs if pair.problem == problem_id]

    def pair_set(self) -> set[tuple[object, object]]:
        return {(pair.problem, pair.craftsman) for pair in self.pairs}


# ---------------------------------------------------------------------------------------- ranking
def rank_candidates(
    pool: CraftsmanPool,
    problem: Problem,
    *,
    limit: int = 10,
    forbidden: tuple = (),
    explain: bool = True,
) -> tuple[list[Candidate], Message | None, list[Issue]]:
    """Ranked craftsmen for one new problem (fast: one sparse row against the whole pool).

    Returns (candidates, reason when there are none, input issues).
    """
    prepared = pool.prepare([problem])
    forbidden_idx = np.array(
        [(0, pool.position[c]) for p, c in forbidden if p == problem.id and c in pool.position], np.int64
    ).reshape(-1, 2)
    candidates = pool.candidates(prepared, top_k=limit, forbidden=forbidden_idx)
    ranked = [
        _candidate(pool, prepared, 0, int(j), float(s), explain)
        for j, s in zip(candidates.craftsman, candidates.score, strict=False)
    ]
    reason = None
    if not ranked:
        reason = _reason_unassigned(
            pool, prepared, 0, assigned=0, load=pool.current_load * 0, forbidden=forbidden_idx
        )
    return ranked, reason, prepared.issues + pool.issues


# ---------------------------------------------------------------------------------------- batch
def dispatch(
    pool: CraftsmanPool,
    problems: list[Problem],
    constraints: Constraints = NO_CONSTRAINTS,
    *,
    top_k: int | None = None,
    alternates: int = 3,
    explain: bool = True,
    previous_pairs: set[tuple[object, object]] | None = None,
) -> DispatchResult:
    """Assign a batch of problems optimally (see solver.py for the objective).

    With `previous_pairs` (earlier offers, accepted ones excluded) the result says how many changed.
    """
    config = pool.config
    timings: dict[str, float] = {}
    started = time.perf_counter()
    prepared = pool.prepare(problems)
    timings["prepare"] = time.perf_counter() - started
    issues: list[Issue] = list(pool.issues) + list(prepared.issues)
    row_of = {pid: i for i, pid in reversed(list(enumerate(prepared.ids)))}

    forbidden = _pairs_to_index(constraints.forbidden, row_of, pool, issues)
    forced = _pairs_to_index(constraints.forced, row_of, pool, issues)
    accepted = _pairs_to_index(constraints.accepted, row_of, pool, issues)
    pending = _pairs_to_index(constraints.pending, row_of, pool, issues)

    step = time.perf_counter()
    cands = pool.candidates(prepared, top_k=config.top_k if top_k is None else top_k, forbidden=forbidden)
    timings["candidates"] = time.perf_counter() - step

    # Fixed pairs (accepted first, then forced) and pending offers get their real scores from the same formula.
    fixed = np.concatenate([accepted, forced]) if accepted.size or forced.size else np.zeros((0, 2), np.int64)
    extra = np.concatenate([fixed, pending]) if pending.size else fixed
    extra_scores = np.array([pool.pair_score(prepared, int(p), int(c)) for p, c in extra], np.float64)
    problem_idx = np.concatenate([cands.problem, extra[:, 0]])
    craftsman_idx = np.concatenate([cands.craftsman, extra[:, 1]])
    score = np.concatenate([cands.score, extra_scores])
    gain = score.copy()
    if pending.size:
        n = max(len(pool.craftsmen), 1)
        pending_keys = pending[:, 0] * n + pending[:, 1]
        gain[np.isin(problem_idx * n + craftsman_idx, pending_keys)] += config.stability_bonus
        # A pending offer that is no longer allowed (now forbidden, craftsman gone) must not come back.
        allowed = np.isfinite(gain)
        problem_idx, craftsman_idx, score, gain = (
            problem_idx[allowed],
            craftsman_idx[allowed],
            score[allowed],
            gain[allowed],
        )

    step = time.perf_counter()
    accepted_keys = set(map(tuple, accepted.tolist()))
    solved = solve_assignment(
        problem_idx,
        craftsman_idx,
        gain,
        demand=prepared.demand,
        max_load=pool.free,
        min_load=pool.min_needed,
        slot_bonus=prepared.slot_bonus,
        forbidden=forbidden,
        forced=fixed,
        load_penalty=config.fairness_load_penalty,
        base_load=pool.current_load,
        problem_ids=prepared.ids,
        craftsman_ids=pool.ids,
        scale=config.score_scale,
    )
    timings["solve"] = time.perf_counter() - step
    known = {(i.code, i.problem, i.craftsman) for i in issues}
    issues.extend(i for i in solved.issues if (i.code, i.problem, i.craftsman) not in known)

    step = time.perf_counter()
    # Real scores (the solver saw score + stability bonus) of the chosen pairs only: ~1M candidate pairs at
    # 10k problems, so a dict over all of them cost ~1 s; a vectorised membership test keeps the few needed.
    n_columns = max(len(pool.craftsmen), 1)
    chosen = np.isin(problem_idx * n_columns + craftsman_idx, solved.problem * n_columns + solved.craftsman)
    real_score = {}
    for p, c, s in zip(
        problem_idx[chosen].tolist(), craftsman_idx[chosen].tolist(), score[chosen].tolist(), strict=True
    ):
        real_score[(p, c)] = max(s, real_score.get((p, c), -np.inf))
    pairs = []
    for p, c, is_fixed in zip(
        solved.problem.tolist(), solved.craftsman.tolist(), solved.fixed.tolist(), strict=False
    ):
        kind = ("accepted" if (p, c) in accepted_keys else "forced") if is_fixed else "solver"
        pair_score = real_score.get((p, c), 0.0)
        county = prepared.county[p]
        distance = float(pool.distance_by_county[county, c]) if county >= 0 else None
        explainer = functools.partial(explain_pair, pool, prepared, p, c, kind=kind) if explain else None
        pairs.append(AssignedPair(prepared.ids[p], pool.ids[c], pair_score, kind, distance, explainer))

    assigned_sets: dict[int, set[int]] = {}
    for p, c in zip(solved.problem.tolist(), solved.craftsman.tolist(), strict=False):
        assigned_sets.setdefault(p, set()).add(c)
    alternates_by_problem: dict[object, list[Candidate]] = {}
    if alternates > 0 and explain:
        starts = np.searchsorted(cands.problem, np.arange(len(prepared.ids) + 1)).tolist()
        for p in range(len(prepared.ids)):
            taken = assigned_sets.get(p, set())
            ranked = []
            for k in range(starts[p], starts[p + 1]):
                c = int(cands.craftsman[k])
                if c not in taken:
                    ranked.append(_candidate(pool, prepared, p, c, float(cands.score[k]), True))
                if len(ranked) >= alternates:
                    break
            alternates_by_problem[prepared.ids[p]] = ranked

    unassigned = []
    forbidden_sorted = forbidden[np.argsort(forbidden[:, 0], kind="stable")] if forbidden.size else forbidden
    # Only the problems short of staff (or invalid) need a reason: find them with arrays, then explain each.
    wanted = np.array([max(problem.demand, 0) for problem in prepared.problems], np.int64)
    got_all = np.zeros(wanted.size, np.int64)
    size = min(wanted.size, solved.assigned_per_problem.size)
    got_all[:size] = solved.assigned_per_problem[:size]
    for p in np.flatnonzero((got_all < wanted) | ~np.asarray(prepared.valid, bool)).tolist():
        demand, got = int(wanted[p]), int(got_all[p])
        reason = _reason_unassigned(
            pool, prepared, p, assigned=got, load=solved.load, forbidden=forbidden_sorted
        )
        unassigned.append(Unassigned(prepared.ids[p], demand, got, reason))
    timings["explain"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started

    result = DispatchResult(
        pairs=pairs,
        alternates=alternates_by_problem,
        unassigned=unassigned,
        issues=issues,
        objective=solved.objective,
        min_load_shortfall={
            pool.ids[c]: int(v) for c, v in enumerate(solved.min_load_shortfall.tolist()) if v
        },
        timings=timings,
    )
    if previous_pairs is not None:
        previous = set(previous_pairs)
        now = {(pair.problem, pair.craftsman) for pair in pairs if pair.kind != "accepted"}
        result.changes = ChangeSummary(
            kept=len(previous & now), added=len(now - previous), removed=len(previous - now)
        )
    return result


def redispatch(
    pool: CraftsmanPool,
    problems: list[Problem],
    previous: DispatchResult | list[tuple[object, object]],
    *,
    accepted: list[tuple[object, object]] = (),
    declined: list[tuple[object, object]] = (),
    constraints: Constraints = NO_CONSTRAINTS,
    **kwargs,
) -> DispatchResult:
    """Re-solve after declines or expired offers.

    Accepted pairs are fixed (never moved); declined pairs become forbidden; the other previous offers are
    pending and kept unless a clearly better assignment exists (config.stability_bonus). `result.changes`
    says how many offers were kept, added and removed.
    """
    previous_pairs = (
        previous.pair_set() if isinstance(previous, DispatchResult) else set(map(tuple, previous))
    )
    accepted_set = set(map(tuple, accepted)) | set(constraints.accepted)
    declined_set = set(map(tuple, declined))
    pending = tuple(sorted(previous_pairs - accepted_set - declined_set, key=str))
    merged = Constraints(
        forbidden=tuple(constraints.forbidden) + tuple(declined_set),
        forced=tuple(constraints.forced),
        accepted=tuple(accepted_set),
        pending=pending,
    )
    return dispatch(pool, problems, merged, previous_pairs=previous_pairs - accepted_set, **kwargs)


# ---------------------------------------------------------------------------------------- helpers
def _pairs_to_index(pairs, row_of, pool: CraftsmanPool, issues: list[Issue]) -> np.ndarray:
    out = []
    for problem_id, craftsman_id in pairs:
        if problem_id not in row_of or craftsman_id not in pool.position:
            kind = "kind.problem" if problem_id not in row_of else "kind.craftsman"
            issues.append(
                Issue(
                    "unknown_reference",
                    Message(
                        "issue.unknown_reference",
                        {"problem": problem_id, "craftsman": craftsman_id, "kind": Message(kind)},
                    ),
                    problem=problem_id,
                    craftsman=craftsman_id,
                )
            )
            continue
        out.append((row_of[problem_id], pool.position[craftsman_id]))
    return np.array(out, np.int64).reshape(-1, 2)


def _candidate(
    pool: CraftsmanPool, prepared: PreparedProblems, row: int, j: int, score: float, explain: bool
) -> Candidate:
    county = prepared.county[row]
    distance = float(pool.distance_by_county[county, j]) if county >= 0 else None
    problem = prepared.problems[row]
    cross = bool(not problem.online and distance is not None and distance > pool.radius[j])

    def explainer():
        features = pool.pair_features(prepared, row, j)
        return features, explain_pair(pool, prepared, row, j, features=features)

    return Candidate(
        pool.ids[j], score, distance_km=distance, cross_region=cross, explainer=explainer if explain else None
    )


def explain_pair(
    pool: CraftsmanPool, prepared: PreparedProblems, row: int, j: int, *, kind: str = "solver", features=None
) -> list[Message]:
    """Parts of the explanation that staff read, strongest evidence first."""
    problem = prepared.problems[row]
    craftsman = pool.craftsmen[j]
    features = features or pool.pair_features(prepared, row, j)
    parts: list[Message] = []
    if kind == "accepted":
        parts.append(Message("explain.accepted"))
    elif kind == "forced":
        parts.append(Message("explain.forced"))
    matched_tags = [t for t in problem.tags if t in pool.tag_sets[j]]
    if matched_tags:
        parts.append(Message("explain.tags", {"tags": matched_tags}))
    missing = [t for t in problem.tags if t not in pool.tag_sets[j]]
    if missing and matched_tags:
        parts.append(Message("explain.tags_missing", {"tags": missing}))
    from .text import matched_spans

    terms = matched_spans(problem.text, pool.matched_term_ids(prepared, row, j))
    terms = [t for t in terms if t not in matched_tags][:MAX_TERMS_SHOWN]
    if terms:
        parts.append(Message("explain.terms", {"terms": terms}))
    if features["category"]:
        parts.append(Message("explain.category", {"category": Message(f"category.{problem.category}")}))
    if features["industry"]:
        shared = [code for code in craftsman.industries if code[:3] == problem.industry[:3]]
        parts.append(
            Message(
                "explain.industry", {"industry": problem.industry if features["industry"] == 1 else shared[0]}
            )
        )
    if problem.online:
        parts.append(Message("explain.online"))
    elif np.isfinite(features["distance_km"]):
        parts.append(Message("explain.distance", {"km": round(features["distance_km"])}))
        if features["distance_km"] > craftsman.radius_km:
            parts.append(Message("explain.cross_region", {"radius": round(craftsman.radius_km)}))
    parts.append(
        Message(
            "explain.load", {"load": int(pool.current_load[j]), "capacity": int(max(pool.max_load[j], 0))}
        )
    )
    if craftsman.honours:
        parts.append(Message("explain.honours", {"honours": list(craftsman.honours)}))
    if craftsman.rating is not None:
        parts.append(Message("explain.rating", {"rating": f"{craftsman.rating:.1f}"}))
    return parts


def _reason_unassigned(
    pool: CraftsmanPool, prepared: PreparedProblems, row: int, *, assigned: int, load, forbidden
) -> Message:
    """Why a problem (or some of its slots) got nobody, in words, from the most basic cause down."""
    problem = prepared.problems[row]
    problem_issues = [issue for issue in prepared.issues if issue.problem == problem.id]
    if not prepared.valid[row]:
        detail = problem_issues[0].message if problem_issues else Message("reason.no_candidate")
        return Message("reason.invalid_input", {"detail": detail})
    if not pool.craftsmen:
        return Message("reason.empty_pool")
    n = len(pool.craftsmen)
    tags = list(dict.fromkeys(problem.tags))
    holders = np.ones(n, bool)
    if tags and prepared.tag_need[row]:
        overlap = (
            (prepared.tag_query[row] @ pool.tag_matrix).toarray().ravel()
            if pool.tag_matrix.shape[0]
            else np.zeros(n)
        )
        holders = overlap >= prepared.tag_need[row]
    active = pool.available & holders
    if tags and not active.any():
        return Message("reason.no_tag_holder", {"tags": tags})
    county = prepared.county[row]
    distance = pool.distance_by_county[county]
    in_reach = active.copy()
    if not problem.online:
        reach = distance <= pool.radius
        if problem.cross_region:
            reach |= pool.cross
        in_reach &= reach
    if not in_reach.any():
        if tags:
            nearest = float(np.min(distance[active]))
            return Message("reason.no_candidate_in_range", {"tags": tags, "nearest_km": round(nearest)})
        return Message("reason.no_candidate")
    excluded = np.zeros(n, bool)
    if forbidden.size:
        excluded[forbidden[forbidden[:, 0] == row][:, 1]] = True
    allowed = in_reach & ~excluded
    if not allowed.any():
        return Message("reason.all_forbidden", {"count": int(in_reach.sum())})
    radius_km = round(float(np.max(pool.radius[allowed])))
    if assigned > 0:
        return Message("reason.partly_staffed", {"demand": problem.demand, "assigned": assigned})
    return Message(
        "reason.capacity_taken", {"tags": tags or ["—"], "radius_km": radius_km, "count": int(allowed.sum())}
    )
