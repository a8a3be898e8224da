"""Exact assignment over sparse (problem, craftsman, score) triples as one min-cost flow.

Network (one min-cost flow, one solve):

    hub ────(min-load arc(s))─────────┐
    source ─(rest-of-capacity arc(s))─┴─> craftsman ──(cap 1, cost −score)──> problem ──(cap demand, cost −bonus)──> sink
    source ───────────────(bypass, cost 0)──────────────────────────────────────────────────────────────────> sink

* Minimum loads are met first (lexicographic optimum: as many minimum-load units as any assignment can cover,
  then the best objective), inside the same flow: the first `min_load[j]` units into craftsman j come from a
  hub node whose supply is C*, the largest coverage any assignment reaches (one max-flow over the same arcs,
  hub → craftsman (min_load) → problem → sink; a number, not a first assignment). Every feasible flow then
  covers exactly C* units, and no craftsman takes a rest-of-capacity unit while its minimum-load arc has room
  (that would allow coverage C* + 1), so the min-cost flow is the lexicographic optimum. This replaces an
  equivalent big-M cost on the minimum-load arcs: M had to exceed the whole objective range (~3·10¹⁰ at
  10k × 20k), which cost-scaling pays for with extra phases (measured: solve_assignment ~1.4× slower).
  Minimum loads no assignment can meet are reported per craftsman instead of failing.
* With `load_penalty > 0` the rest of the capacity is split into unit arcs whose cost grows with the load
  (convex, so still exact): this is the fairness option that spreads work beyond the same few stars.
* Forced (and already accepted) pairs are fixed before the flow and use up demand and capacity.
* Every arc is added with `add_arcs_with_capacity_and_unit_cost` from numpy arrays: no per-arc Python loop.

Objective maximised (reported in float): Σ score(assigned pairs) + Σ slot_bonus[p] · assigned slots of p
− load_penalty · Σ_j Σ_{k=1..load_j} (base_load_j + k − 1).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from .issues import Issue
from .messages import Message

DEFAULT_SCALE = (
    1_000_000  # float score → integer cost; 1e-6 resolution keeps the rounding gap far below 0.01 %
)


@dataclass
class SolverResult:
    """Optimal assignment. Pair arrays are parallel and sorted by (problem, craftsman)."""

    problem: np.ndarray
    craftsman: np.ndarray
    score: np.ndarray
    fixed: np.ndarray  # True for forced/accepted pairs, which the flow did not choose
    assigned_per_problem: np.ndarray
    load: np.ndarray  # pairs given to each craftsman in this solve (fixed ones included)
    min_load_shortfall: np.ndarray
    objective: float
    status: str  # "optimal" or "solver_error"
    issues: list[Issue] = field(default_factory=list)
    solve_seconds: float = 0.0
    num_arcs: int = 0

    @property
    def num_pairs(self) -> int:
        return int(self.problem.size)


def solve_assignment(
    problem: np.ndarray,
    craftsman: np.ndarray,
    score: np.ndarray,
    *,
    demand: np.ndarray,
    max_load: np.ndarray,
    min_load: np.ndarray | None = None,
    slot_bonus: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    forced: np.ndarray | None = None,
    load_penalty: float = 0.0,
    base_load: np.ndarray | None = None,
    problem_ids: list | None = None,
    craftsman_ids: list | None = None,
    scale: int = DEFAULT_SCALE,
) -> SolverResult:
    """Solve the assignment exactly.

    problem, craftsman, score: parallel arrays, one entry per allowed pair (indices 0..n-1). Duplicated pairs
        keep their highest score; zero scores are kept as given.
    demand[p]: craftsmen wanted by problem p. max_load[c] / min_load[c]: free capacity and required minimum
        in this solve. slot_bonus[p]: gain per staffed slot of p (priority weighting), default 0.
    forbidden, forced: arrays of shape (k, 2) of (problem, craftsman) index pairs.
    base_load[c]: load the craftsman already carries, used only by the fairness penalty.
    problem_ids / craftsman_ids: names used in issues (default: the indices).
    Bad input never raises: it becomes an `Issue` naming the faulty problem or craftsman and is repaired
    conservatively (invalid pair dropped, negative capacity treated as 0, …).
    """
    started = time.perf_counter()
    demand = np.asarray(demand, dtype=np.int64).copy()
    max_load = np.asarray(max_load, dtype=np.int64).copy()
    n_problems, n_craftsmen = demand.size, max_load.size
    min_load = np.zeros(n_craftsmen, np.int64) if min_load is None else np.asarray(min_load, np.int64).copy()
    slot_bonus = np.zeros(n_problems) if slot_bonus is None else np.asarray(slot_bonus, dtype=np.float64)
    base_load = np.zeros(n_craftsmen, np.int64) if base_load is None else np.asarray(base_load, np.int64)
    pid = (lambda i: problem_ids[i]) if problem_ids is not None else int
    cid = (lambda j: craftsman_ids[j]) if craftsman_ids is not None else int
    issues: list[Issue] = []

    demand, max_load, min_load = _repair_bounds(demand, max_load, min_load, pid, cid, issues)
    problem, craftsman, score = _clean_pairs(
        problem, craftsman, score, n_problems, n_craftsmen, pid, cid, issues
    )
    forbidden_keys = _pair_keys(forbidden, n_problems, n_craftsmen, pid, cid, issues)
    forced_pairs = _pair_array(forced, n_problems, n_craftsmen, pid, cid, issues)

    # Forced pairs: drop those that are also forbidden, then those beyond demand or capacity (first ones win).
    forced_keep = []
    forced_per_problem = np.zeros(n_problems, np.int64)
    forced_per_craftsman = np.zeros(n_craftsmen, np.int64)
    seen = set()
    for p, c in forced_pairs.tolist():
        key = p * n_craftsmen + c
        if key in seen:
            continue
        seen.add(key)
        if key in forbidden_keys:
            issues.append(_issue("forced_and_forbidden", problem=pid(p), craftsman=cid(c)))
            continue
        if forced_per_problem[p] >= demand[p]:
            issues.append(
                _issue(
                    "forced_over_demand",
                    problem=pid(p),
                    count=int(forced_per_problem[p]) + 1,
                    demand=int(demand[p]),
                )
            )
            continue
        if forced_per_craftsman[c] >= max_load[c]:
            issues.append(
                _issue(
                    "forced_over_capacity",
                    craftsman=cid(c),
                    count=int(forced_per_craftsman[c]) + 1,
                    capacity=int(max_load[c]),
                )
            )
            continue
        forced_keep.append((p, c))
        forced_per_problem[p] += 1
        forced_per_craftsman[c] += 1
    forced_arr = np.array(forced_keep, dtype=np.int64).reshape(-1, 2)

    # Remove forbidden pairs and the forced ones (already fixed) from the free pairs.
    keys = (
        problem * n_craftsmen + craftsman
    )  # strictly increasing when pairs come sorted by (problem, craftsman)
    keys_sorted = bool(keys.size < 2 or (keys[1:] > keys[:-1]).all())
    drop = np.zeros(keys.size, bool)
    if forbidden_keys:
        drop |= _member(keys, np.fromiter(forbidden_keys, np.int64, len(forbidden_keys)), keys_sorted)
    forced_keys = forced_arr[:, 0] * n_craftsmen + forced_arr[:, 1]
    forced_scores = np.zeros(forced_keys.size, np.float64)
    if forced_keys.size:
        in_forced = _member(keys, forced_keys, keys_sorted)
        drop |= in_forced
        # Scores of forced pairs: taken from the pair list where present, else 0.
        score_lookup = dict(zip(keys[in_forced].tolist(), score[in_forced].tolist(), strict=True))
        forced_scores = np.array([score_lookup.get(k, 0.0) for k in forced_keys.tolist()], np.float64)
    if drop.any():
        free = ~drop
        fp, fc, fs = problem[free], craftsman[free], score[free]
    else:
        fp, fc, fs = problem, craftsman, score

    demand_rest = demand - forced_per_problem
    max_rest = max_load - forced_per_craftsman
    min_rest = np.clip(min_load - forced_per_craftsman, 0, None)
    min_rest = np.minimum(min_rest, max_rest)
    load_offset = base_load + forced_per_craftsman

    flow_p, flow_c, flow_s, num_arcs, status = _solve_flow(
        fp, fc, fs, demand_rest, max_rest, min_rest, slot_bonus, load_penalty, load_offset, scale
    )

    all_p = np.concatenate([forced_arr[:, 0], flow_p])
    all_c = np.concatenate([forced_arr[:, 1], flow_c])
    all_s = np.concatenate([forced_scores, flow_s])
    fixed = np.concatenate([np.ones(forced_arr.shape[0], bool), np.zeros(flow_p.size, bool)])
    order = np.lexsort((all_c, all_p))
    all_p, all_c, all_s, fixed = all_p[order], all_c[order], all_s[order], fixed[order]

    assigned = np.bincount(all_p, minlength=n_problems).astype(np.int64)
    load = np.bincount(all_c, minlength=n_craftsmen).astype(np.int64)
    shortfall = np.clip(min_load - load, 0, None)
    for c in np.flatnonzero(shortfall).tolist():
        issues.append(
            _issue("min_load_unmet", craftsman=cid(c), min_load=int(min_load[c]), load=int(load[c]))
        )

    objective = objective_value(all_p, all_s, load, slot_bonus, load_penalty, base_load)
    return SolverResult(
        problem=all_p,
        craftsman=all_c,
        score=all_s,
        fixed=fixed,
        assigned_per_problem=assigned,
        load=load,
        min_load_shortfall=shortfall,
        objective=objective,
        status=status,
        issues=issues,
        solve_seconds=time.perf_counter() - started,
        num_arcs=num_arcs,
    )


def objective_value(
    problem: np.ndarray,
    score: np.ndarray,
    load: np.ndarray,
    slot_bonus: np.ndarray,
    load_penalty: float,
    base_load: np.ndarray,
) -> float:
    """The objective that every solver in the benchmark is measured on (float, no big-M term)."""
    value = float(np.sum(score)) + float(np.sum(np.asarray(slot_bonus)[problem])) if problem.size else 0.0
    if load_penalty:
        # Σ_{k=1..L} (b + k − 1) = L·b + L(L−1)/2
        load = np.asarray(load, np.float64)
        value -= load_penalty * float(np.sum(load * base_load + load * (load - 1) / 2))
    return value


def _solve_flow(fp, fc, fs, demand, max_load, min_load, slot_bonus, load_penalty, load_offset, scale):
    n_problems, n_craftsmen = demand.size, max_load.size
    empty = np.zeros(0, np.int64)
    total = int(demand.sum())
    if total == 0 or fp.size == 0 or int(max_load.sum()) == 0:
        return empty, empty, np.zeros(0), 0, "optimal"

    source, sink = 0, n_craftsmen + n_problems + 1
    craftsman_node = np.arange(1, n_craftsmen + 1, dtype=np.int64)
    problem_node = np.arange(n_craftsmen + 1, n_craftsmen + n_problems + 1, dtype=np.int64)

    pair_cost = -np.rint(fs * scale).astype(np.int64)
    bonus_cost = -np.rint(slot_bonus * scale).astype(np.int64)

    # Capacity arcs into each craftsman: minimum-load units from the hub, the rest from the source.
    hub = sink + 1
    rest = max_load - min_load
    if load_penalty > 0:
        # One unit arc per unit of capacity; marginal penalty grows with the load (convex ⇒ filled in order).
        units = np.repeat(np.arange(n_craftsmen), max_load)
        starts = np.repeat(np.cumsum(max_load) - max_load, max_load)
        k = np.arange(units.size) - starts  # 0-based unit number
        is_min_unit = k < min_load[units]
        cap_tail = np.where(is_min_unit, hub, source)
        cap_head = craftsman_node[units]
        cap_capacity = np.ones(units.size, np.int64)
        cap_cost = np.rint(load_penalty * (load_offset[units] + k) * scale).astype(np.int64)
    else:
        cap_tail = np.concatenate([np.full(n_craftsmen, hub), np.full(n_craftsmen, source)])
        cap_head = np.concatenate([craftsman_node, craftsman_node])
        cap_capacity = np.concatenate([min_load, rest])
        cap_cost = np.zeros(2 * n_craftsmen, np.int64)

    coverage = _max_min_load_coverage(fp, fc, demand, min_load)
    if coverage is None:
        return empty, empty, np.zeros(0), 0, "solver_error:max_flow"

    # Arcs of zero capacity are left out, except pair arcs, which keep a fixed position so that their flows
    # can be read back by index. Built straight in the solver's dtypes (the pair part is ~1M arcs).
    cap_keep = cap_capacity > 0
    sink_keep = demand > 0
    pair_start = int(cap_keep.sum())
    tails = np.concatenate([cap_tail[cap_keep], fc + 1, problem_node[sink_keep], [source]], dtype=np.int32)
    heads = np.concatenate(
        [cap_head[cap_keep], fp + (n_craftsmen + 1), np.full(int(sink_keep.sum()), sink), [sink]],
        dtype=np.int32,
    )
    capacities = np.concatenate(
        [cap_capacity[cap_keep], np.ones(fp.size, np.int64), demand[sink_keep], [total]], dtype=np.int64
    )
    costs = np.concatenate([cap_cost[cap_keep], pair_cost, bonus_cost[sink_keep], [0]], dtype=np.int64)

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    supplies = np.zeros(hub + 1, np.int64)
    supplies[source], supplies[hub], supplies[sink] = total - coverage, coverage, -total
    flow.set_nodes_supplies(np.arange(hub + 1, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        return empty, empty, np.zeros(0), int(tails.size), f"solver_error:{status}"
    pair_arcs = np.arange(pair_start, pair_start + fp.size, dtype=np.int32)
    chosen = flow.flows(pair_arcs) > 0
    return fp[chosen], fc[chosen], fs[chosen], int(tails.size), "optimal"


def _max_min_load_coverage(fp, fc, demand, min_load) -> int | None:
    """Most minimum-load units any assignment can cover: max flow hub → craftsman (min_load) → problem → sink.

    Capacities (demand ≥ 0, min_load ≤ free capacity) are those of the min-cost flow, so this many units
    can always be routed there. None if the max-flow solver fails.
    """
    total_min = int(min_load.sum())
    if total_min == 0:
        return 0
    n_problems, n_craftsmen = demand.size, min_load.size
    hub, sink = 0, n_craftsmen + n_problems + 1
    owing = np.flatnonzero(min_load > 0)
    graph = max_flow.SimpleMaxFlow()
    graph.add_arcs_with_capacity(
        np.concatenate([np.full(owing.size, hub), fc + 1, np.arange(n_problems) + n_craftsmen + 1]).astype(
            np.int32
        ),
        np.concatenate([owing + 1, fp + n_craftsmen + 1, np.full(n_problems, sink)]).astype(np.int32),
        np.concatenate([min_load[owing], np.ones(fp.size, np.int64), demand]).astype(np.int64),
    )
    if graph.solve(hub, sink) != graph.OPTIMAL:
        return None
    return int(graph.optimal_flow())


def _repair_bounds(demand, max_load, min_load, pid, cid, issues):
    for p in np.flatnonzero(demand < 0).tolist():  # 0 is fine here: nothing needed
        issues.append(_issue("bad_demand", problem=pid(p), id=pid(p), value=int(demand[p])))
    demand = np.clip(demand, 0, None)
    for c in np.flatnonzero(max_load < 0).tolist():
        issues.append(_issue("negative_capacity", craftsman=cid(c), id=cid(c), value=int(max_load[c])))
    max_load = np.clip(max_load, 0, None)
    for c in np.flatnonzero(min_load > max_load).tolist():
        issues.append(
            _issue(
                "min_above_max",
                craftsman=cid(c),
                id=cid(c),
                min_load=int(min_load[c]),
                max_load=int(max_load[c]),
            )
        )
    min_load = np.clip(np.minimum(min_load, max_load), 0, None)
    return demand, max_load, min_load


def _clean_pairs(problem, craftsman, score, n_problems, n_craftsmen, pid, cid, issues):
    problem = np.asarray(problem, dtype=np.int64).ravel()
    craftsman = np.asarray(craftsman, dtype=np.int64).ravel()
    score = np.asarray(score, dtype=np.float64).ravel()
    bad_index = (problem < 0) | (problem >= n_problems) | (craftsman < 0) | (craftsman >= n_craftsmen)
    for k in np.flatnonzero(bad_index).tolist():
        p, c = int(problem[k]), int(craftsman[k])
        kind = "kind.problem" if not 0 <= p < n_problems else "kind.craftsman"
        issues.append(_issue("unknown_reference", problem=p, craftsman=c, kind=Message(kind)))
    bad_score = ~bad_index & ~np.isfinite(score)
    for k in np.flatnonzero(bad_score).tolist():
        p, c = int(problem[k]), int(craftsman[k])
        issues.append(_issue("bad_score", problem=pid(p), craftsman=cid(c), value=str(score[k])))
    ok = ~(bad_index | bad_score)
    problem, craftsman, score = problem[ok], craftsman[ok], score[ok]
    # Duplicates keep their best score (one stable sort of the keys; no work when there are none).
    keys = problem * n_craftsmen + craftsman
    if keys.size < 2 or (keys[1:] > keys[:-1]).all():  # sorted and distinct (candidate lists are)
        return problem, craftsman, score
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    duplicate = sorted_keys[1:] == sorted_keys[:-1]
    if not duplicate.any():
        return problem, craftsman, score
    order = np.lexsort((-score, keys))
    first = np.ones(order.size, bool)
    first[1:] = keys[order][1:] != keys[order][:-1]
    order = order[first]
    return problem[order], craftsman[order], score[order]


def _member(keys: np.ndarray, wanted: np.ndarray, keys_sorted: bool) -> np.ndarray:
    """Boolean mask of `keys` found in `wanted` (binary search when `keys` is sorted: wanted is short)."""
    if not keys_sorted:
        return np.isin(keys, wanted)
    position = np.searchsorted(keys, wanted)
    inside = position < keys.size
    position, wanted = position[inside], wanted[inside]
    mask = np.zeros(keys.size, bool)
    mask[position[keys[position] == wanted]] = True
    return mask


def _pair_array(pairs, n_problems, n_craftsmen, pid, cid, issues) -> np.ndarray:
    if pairs is None:
        return np.zeros((0, 2), np.int64)
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    bad = (arr[:, 0] < 0) | (arr[:, 0] >= n_problems) | (arr[:, 1] < 0) | (arr[:, 1] >= n_craftsmen)
    for p, c in arr[bad].tolist():
        kind = "kind.problem" if not 0 <= p < n_problems else "kind.craftsman"
        issues.append(_issue("unknown_reference", problem=p, craftsman=c, kind=Message(kind)))
    return arr[~bad]


def _pair_keys(pairs, n_problems, n_craftsmen, pid, cid, issues) -> set[int]:
    arr = _pair_array(pairs, n_problems, n_craftsmen, pid, cid, issues)
    return set((arr[:, 0] * n_craftsmen + arr[:, 1]).tolist())


def _issue(code: str, *, problem=None, craftsman=None, **params) -> Issue:
    if problem is not None:
        params.setdefault("problem", problem)
    if craftsman is not None:
        params.setdefault("craftsman", craftsman)
    return Issue(code=code, message=Message(f"issue.{code}", params), problem=problem, craftsman=craftsman)
