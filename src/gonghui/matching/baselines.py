"""Reference solvers for benchmarks and tests, on exactly the same sparse triples as `solve_assignment`.

* `greedy_assignment`: best pair first while demand and capacity remain (what a spreadsheet would do);
  ignores minimum loads.
* `lsa_assignment`: scipy `linear_sum_assignment` on the capacity-expanded dense matrix (slot × capacity
  unit). It cannot express "a craftsman at most once per problem", minimum loads or a convex load penalty;
  those show up as violations.
* `lp_assignment`: the same network as an LP solved exactly by HiGHS (`highspy`). The constraint matrix is
  totally unimodular, so the LP optimum is the integer optimum and is the yardstick for the gap.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from .solver import objective_value


@dataclass
class BaselineResult:
    problem: np.ndarray
    craftsman: np.ndarray
    score: np.ndarray
    objective: float
    seconds: float
    status: str = "ok"
    lp_bound: float | None = None
    peak_mb: float | None = None


def _dedupe(problem, craftsman, score, n_craftsmen):
    problem = np.asarray(problem, np.int64)
    craftsman = np.asarray(craftsman, np.int64)
    score = np.asarray(score, np.float64)
    keys = problem * n_craftsmen + craftsman
    order = np.lexsort((-score, keys))
    first = np.ones(order.size, bool)
    first[1:] = keys[order][1:] != keys[order][:-1]
    order = order[first]
    return problem[order], craftsman[order], score[order]


def _finish(p, c, s, n_problems, n_craftsmen, slot_bonus, load_penalty, base_load, started, **extra):
    load = np.bincount(c, minlength=n_craftsmen)
    obj = objective_value(p, s, load, slot_bonus, load_penalty, base_load)
    return BaselineResult(p, c, s, obj, time.perf_counter() - started, **extra)


def greedy_assignment(
    problem, craftsman, score, *, demand, max_load, slot_bonus=None, load_penalty=0.0, base_load=None
):
    started = time.perf_counter()
    demand = np.asarray(demand, np.int64)
    max_load = np.asarray(max_load, np.int64)
    n_problems, n_craftsmen = demand.size, max_load.size
    slot_bonus = np.zeros(n_problems) if slot_bonus is None else np.asarray(slot_bonus, float)
    base_load = np.zeros(n_craftsmen, np.int64) if base_load is None else np.asarray(base_load)
    p, c, s = _dedupe(problem, craftsman, score, n_craftsmen)
    gain = s + slot_bonus[p]
    order = np.argsort(-gain, kind="stable")
    need = demand.copy()
    free = max_load.copy()
    chosen = []
    for k, pi, ci in zip(order.tolist(), p[order].tolist(), c[order].tolist(), strict=False):
        if gain[k] > 0 and need[pi] > 0 and free[ci] > 0:
            need[pi] -= 1
            free[ci] -= 1
            chosen.append(k)
    chosen = np.array(chosen, np.int64)
    return _finish(
        p[chosen], c[chosen], s[chosen], n_problems, n_craftsmen, slot_bonus, load_penalty, base_load, started
    )


def lsa_assignment(
    problem,
    craftsman,
    score,
    *,
    demand,
    max_load,
    slot_bonus=None,
    max_cells=60_000_000,
    load_penalty=0.0,
    base_load=None,
):
    """Capacity-expanded Hungarian method; returns status 'too_large' when the dense matrix would not fit."""
    started = time.perf_counter()
    demand = np.asarray(demand, np.int64)
    max_load = np.clip(np.asarray(max_load, np.int64), 0, None)
    n_problems, n_craftsmen = demand.size, max_load.size
    slot_bonus = np.zeros(n_problems) if slot_bonus is None else np.asarray(slot_bonus, float)
    base_load = np.zeros(n_craftsmen, np.int64) if base_load is None else np.asarray(base_load)
    p, c, s = _dedupe(problem, craftsman, score, n_craftsmen)
    slots_of = np.repeat(np.arange(n_problems), demand)
    units_of = np.repeat(np.arange(n_craftsmen), max_load)
    n_rows, n_cols = slots_of.size, units_of.size
    if n_rows * n_cols > max_cells:
        return BaselineResult(p[:0], c[:0], s[:0], float("nan"), 0.0, status="too_large")
    gain = np.zeros((n_problems, n_craftsmen), np.float64)
    gain[p, c] = np.maximum(s + slot_bonus[p], 1e-9)  # a real pair always beats "unassigned" (0)
    dense = gain[np.ix_(slots_of, units_of)]
    del gain
    rows, cols = linear_sum_assignment(dense, maximize=True)
    picked = dense[rows, cols] > 0
    rp, rc = slots_of[rows[picked]], units_of[cols[picked]]
    lookup = dict(zip((p * n_craftsmen + c).tolist(), s.tolist(), strict=False))
    rs = np.array([lookup[k] for k in (rp * n_craftsmen + rc).tolist()], np.float64)
    return _finish(rp, rc, rs, n_problems, n_craftsmen, slot_bonus, load_penalty, base_load, started)


def lp_assignment(
    problem,
    craftsman,
    score,
    *,
    demand,
    max_load,
    min_load=None,
    slot_bonus=None,
    load_penalty=0.0,
    base_load=None,
    time_limit: float = 600.0,
):
    """Exact LP (HiGHS) of the same network, including minimum loads (big-M) and the load penalty.

    OR-Tools bundles its own HiGHS and the two libraries clash when loaded in one process (undefined
    symbol errors), so highspy runs in a child process (`lp_highs.py` run as a script); the child's peak
    memory is reported in `status`.
    """
    started = time.perf_counter()
    demand = np.clip(np.asarray(demand, np.int64), 0, None)
    max_load = np.clip(np.asarray(max_load, np.int64), 0, None)
    n_problems, n_craftsmen = demand.size, max_load.size
    min_load = (
        np.zeros(n_craftsmen, np.int64) if min_load is None else np.minimum(np.asarray(min_load), max_load)
    )
    slot_bonus = np.zeros(n_problems) if slot_bonus is None else np.asarray(slot_bonus, float)
    base_load = np.zeros(n_craftsmen, np.int64) if base_load is None else np.asarray(base_load)
    p, c, s = _dedupe(problem, craftsman, score, n_craftsmen)
    with tempfile.TemporaryDirectory() as tmp:
        given, taken = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(
            given,
            problem=p,
            craftsman=c,
            score=s,
            demand=demand,
            max_load=max_load,
            min_load=min_load,
            slot_bonus=slot_bonus,
            load_penalty=np.float64(load_penalty),
            base_load=base_load,
            time_limit=np.float64(time_limit),
        )
        script = Path(__file__).with_name("lp_highs.py")
        subprocess.run([sys.executable, str(script), str(given), str(taken)], check=True)
        out = np.load(taken)
        chosen = out["x"] > 0.5
        status = str(out["status"])
        fractional = int(out["fractional"])
        peak_mb = float(out["peak_mb"])
        lp_bound = float(out["lp_bound"])
    status = status if not fractional else f"{status} ({fractional} fractional)"
    result = _finish(
        p[chosen],
        c[chosen],
        s[chosen],
        n_problems,
        n_craftsmen,
        slot_bonus,
        load_penalty,
        base_load,
        started,
        status=status,
        lp_bound=lp_bound,
    )
    result.peak_mb = peak_mb
    return result
