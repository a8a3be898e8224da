"""Exact LP of the assignment network with highspy, run as a script in its own process.

Usage: python lp_highs.py IN.npz OUT.npz. Kept free of package imports on purpose: OR-Tools' bundled HiGHS
and highspy cannot be loaded in the same process.
"""

from __future__ import annotations

import resource
import sys

import highspy
import numpy as np
import scipy.sparse as sp


def solve(data) -> dict:
    p, c, s = data["problem"], data["craftsman"], data["score"]
    demand, max_load, min_load = data["demand"], data["max_load"], data["min_load"]
    slot_bonus, base_load = data["slot_bonus"], data["base_load"]
    load_penalty = float(data["load_penalty"])
    n_problems, n_craftsmen, n_pairs = demand.size, max_load.size, p.size

    if load_penalty > 0:
        unit_owner = np.repeat(np.arange(n_craftsmen), max_load)
        k = np.arange(unit_owner.size) - np.repeat(np.cumsum(max_load) - max_load, max_load)
        unit_upper = np.ones(unit_owner.size)
        unit_cost = load_penalty * (base_load[unit_owner] + k)
        is_min = k < min_load[unit_owner]
    else:
        unit_owner = np.concatenate([np.arange(n_craftsmen)] * 2)
        unit_upper = np.concatenate([min_load, max_load - min_load]).astype(float)
        unit_cost = np.zeros(2 * n_craftsmen)
        is_min = np.concatenate([np.ones(n_craftsmen, bool), np.zeros(n_craftsmen, bool)])
    gain = s + slot_bonus[p]
    best = np.zeros(n_problems)
    np.maximum.at(best, p, np.abs(gain))
    big_m = float(np.sum(demand * best)) + float(np.abs(unit_cost).sum()) + 1.0
    unit_cost_m = unit_cost - np.where(is_min, big_m, 0.0)
    n_units = unit_owner.size

    # Rows: problem demand (Σ pairs ≤ demand); craftsman balance (Σ pairs − Σ capacity units = 0).
    pair_cols = np.arange(n_pairs)
    rows = np.concatenate([p, n_problems + c, n_problems + unit_owner])
    cols = np.concatenate([pair_cols, pair_cols, n_pairs + np.arange(n_units)])
    vals = np.concatenate([np.ones(2 * n_pairs), -np.ones(n_units)])
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(n_problems + n_craftsmen, n_pairs + n_units))

    lp = highspy.HighsLp()
    lp.num_col_ = n_pairs + n_units
    lp.num_row_ = n_problems + n_craftsmen
    lp.col_cost_ = np.concatenate([-gain, unit_cost_m])
    lp.col_lower_ = np.zeros(n_pairs + n_units)
    lp.col_upper_ = np.concatenate([np.ones(n_pairs), unit_upper])
    lp.row_lower_ = np.concatenate([np.full(n_problems, -highspy.kHighsInf), np.zeros(n_craftsmen)])
    lp.row_upper_ = np.concatenate([demand.astype(float), np.zeros(n_craftsmen)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(data["time_limit"]))
    highs.passModel(lp)
    highs.run()
    values = np.asarray(highs.getSolution().col_value)
    x, units = values[:n_pairs], values[n_pairs:]
    # The LP optimum of the benchmark objective (no big-M): Σ gain·x − Σ penalty·units.
    lp_bound = float(np.dot(gain, x) - np.dot(unit_cost, units))
    return {
        "x": x,
        "status": highs.modelStatusToString(highs.getModelStatus()),
        "fractional": int(np.sum((x > 1e-6) & (x < 1 - 1e-6))),
        "lp_bound": lp_bound,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


if __name__ == "__main__":
    result = solve(np.load(sys.argv[1]))
    np.savez(sys.argv[2], **result)
