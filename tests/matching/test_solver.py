"""The standalone solver: optimum by brute force, properties, bad input."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.matching.solver import objective_value, solve_assignment


def brute_force(p, c, s, demand, max_load, min_load, bonus, penalty, forced=()):
    """Best (min-load coverage, objective) over every subset of pairs, by enumeration."""
    best = None
    forced = set(forced)
    n_problems, n_craftsmen = len(demand), len(max_load)
    for mask in itertools.product([0, 1], repeat=len(p)):
        chosen = [k for k in range(len(p)) if mask[k]]
        if not forced <= {(p[k], c[k]) for k in chosen}:
            continue
        per_problem = np.bincount([p[k] for k in chosen], minlength=n_problems)
        load = np.bincount([c[k] for k in chosen], minlength=n_craftsmen)
        if (per_problem > demand).any() or (load > max_load).any():
            continue
        coverage = int(np.minimum(load, min_load).sum())
        obj = objective_value(
            np.array([p[k] for k in chosen], int),
            np.array([s[k] for k in chosen]),
            load,
            bonus,
            penalty,
            np.zeros(n_craftsmen),
        )
        key = (coverage, round(obj, 9))
        if best is None or key > best:
            best = key
    return best


def random_instance(rng, n_problems, n_craftsmen, n_pairs):
    keys = rng.choice(n_problems * n_craftsmen, n_pairs, replace=False)
    p, c = keys // n_craftsmen, keys % n_craftsmen
    s = rng.integers(0, 100, n_pairs) / 100
    demand = rng.integers(1, 3, n_problems)
    max_load = rng.integers(0, 3, n_craftsmen)
    min_load = np.minimum(rng.integers(0, 2, n_craftsmen), max_load)
    bonus = rng.integers(0, 50, n_problems) / 100
    return p, c, s, demand, max_load, min_load, bonus


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("penalty", [0.0, 0.15])
def test_optimum_matches_brute_force(seed, penalty):
    rng = np.random.default_rng(seed)
    p, c, s, demand, max_load, min_load, bonus = random_instance(rng, 4, 4, 11)
    result = solve_assignment(
        p, c, s, demand=demand, max_load=max_load, min_load=min_load, slot_bonus=bonus, load_penalty=penalty
    )
    coverage = int(np.minimum(result.load, min_load).sum())
    assert (coverage, round(result.objective, 9)) == brute_force(
        p, c, s, demand, max_load, min_load, bonus, penalty
    )


def test_min_load_binds_in_the_same_flow():
    # Craftsman 1 must get one problem; the best pure-score answer gives both problems to craftsman 0.
    result = solve_assignment(
        [0, 0, 1], [0, 1, 0], [0.9, 0.1, 0.8], demand=[1, 1], max_load=[2, 1], min_load=[0, 1]
    )
    assert sorted(zip(result.problem.tolist(), result.craftsman.tolist(), strict=False)) == [(0, 1), (1, 0)]
    assert result.objective == pytest.approx(0.9)
    assert result.issues == []


def test_min_load_that_cannot_be_met_is_reported_by_craftsman():
    result = solve_assignment(
        [0], [0], [0.5], demand=[1], max_load=[1, 2], min_load=[0, 2], craftsman_ids=["甲", "乙"]
    )
    assert result.min_load_shortfall.tolist() == [0, 2]
    assert [(i.code, i.craftsman) for i in result.issues] == [("min_load_unmet", "乙")]
    assert "乙" in result.issues[0].text("zh") and "minimum load 2" in result.issues[0].text("en")


def test_zero_scores_are_kept_and_used():
    result = solve_assignment([0, 1], [0, 0], [0.0, 0.0], demand=[1, 1], max_load=[1], slot_bonus=[0.0, 0.5])
    assert list(zip(result.problem.tolist(), result.craftsman.tolist(), strict=False)) == [(1, 0)]


def test_forced_and_forbidden_pairs():
    result = solve_assignment(
        [0, 0, 1, 1],
        [0, 1, 0, 1],
        [0.9, 0.2, 0.8, 0.7],
        demand=[1, 1],
        max_load=[1, 1],
        forced=[(0, 1)],
        forbidden=[(1, 1)],
    )
    assert list(zip(result.problem.tolist(), result.craftsman.tolist(), strict=False)) == [(0, 1), (1, 0)]
    assert result.fixed.tolist() == [True, False]


def test_duplicate_pairs_keep_the_best_score():
    result = solve_assignment([0, 0], [0, 0], [0.2, 0.7], demand=[2], max_load=[2])
    assert result.problem.tolist() == [0] and result.score.tolist() == [0.7]


def test_bad_input_is_reported_not_raised():
    result = solve_assignment(
        [0, 0, 5, 1, 1],
        [0, 1, 0, 9, 2],
        [0.5, float("nan"), 0.4, 0.3, 0.6],
        demand=[1, -2],
        max_load=[-1, 2, 1],
        min_load=[0, 3, 0],
        forced=[(0, 2), (0, 2)],
        forbidden=[(0, 2)],
        problem_ids=["P1", "P2"],
        craftsman_ids=["C1", "C2", "C3"],
    )
    codes = [(i.code, i.problem, i.craftsman) for i in result.issues]
    assert codes == [
        ("bad_demand", "P2", None),
        ("negative_capacity", None, "C1"),
        ("min_above_max", None, "C2"),
        ("unknown_reference", 5, 0),
        ("unknown_reference", 1, 9),
        ("bad_score", "P1", "C2"),
        ("forced_and_forbidden", "P1", "C3"),
        ("min_load_unmet", None, "C2"),
    ]
    assert result.num_pairs == 0
    assert (
        result.issues[0].text("en")
        == "problem P2 asks for an invalid number of craftsmen (-2; must be 1 or more)"
    )


def test_forced_beyond_demand_or_capacity_is_reported():
    result = solve_assignment(
        [],
        [],
        [],
        demand=[1, 1],
        max_load=[1, 1],
        forced=[(0, 0), (0, 1), (1, 0)],
        problem_ids=["P1", "P2"],
        craftsman_ids=["C1", "C2"],
    )
    assert [(i.code, i.problem, i.craftsman) for i in result.issues] == [
        ("forced_over_demand", "P1", None),
        ("forced_over_capacity", None, "C1"),
    ]
    assert list(zip(result.problem.tolist(), result.craftsman.tolist(), strict=False)) == [(0, 0)]


def test_empty_inputs():
    result = solve_assignment([], [], [], demand=[], max_load=[])
    assert result.num_pairs == 0 and result.objective == 0.0 and result.status == "optimal"
    result = solve_assignment([], [], [], demand=[1, 2], max_load=[])
    assert result.assigned_per_problem.tolist() == [0, 0]


@st.composite
def instances(draw):
    n_problems = draw(st.integers(1, 6))
    n_craftsmen = draw(st.integers(1, 6))
    all_pairs = [(i, j) for i in range(n_problems) for j in range(n_craftsmen)]
    pairs = draw(st.lists(st.sampled_from(all_pairs), max_size=20))
    scores = draw(st.lists(st.integers(0, 100), min_size=len(pairs), max_size=len(pairs)))
    demand = draw(st.lists(st.integers(1, 3), min_size=n_problems, max_size=n_problems))
    max_load = draw(st.lists(st.integers(0, 3), min_size=n_craftsmen, max_size=n_craftsmen))
    min_load = [draw(st.integers(0, m)) for m in max_load]
    forbidden = draw(st.lists(st.sampled_from(all_pairs), max_size=5))
    penalty = draw(st.sampled_from([0.0, 0.05]))
    return pairs, scores, demand, max_load, min_load, forbidden, penalty


@settings(max_examples=150, deadline=None)
@given(instances())
def test_properties(instance):
    pairs, scores, demand, max_load, min_load, forbidden, penalty = instance
    p = np.array([a for a, _ in pairs], int)
    c = np.array([b for _, b in pairs], int)
    result = solve_assignment(
        p,
        c,
        np.array(scores) / 100,
        demand=demand,
        max_load=max_load,
        min_load=min_load,
        forbidden=forbidden,
        load_penalty=penalty,
    )
    chosen = list(zip(result.problem.tolist(), result.craftsman.tolist(), strict=False))
    assert len(chosen) == len(set(chosen))  # a craftsman at most once per problem
    assert not set(chosen) & set(forbidden)
    assert set(chosen) <= set(pairs)
    assert (np.bincount(result.problem, minlength=len(demand)) <= demand).all()
    assert (result.load <= np.array(max_load)).all()
    # Minimum loads: met, or the shortfall reported for exactly the craftsmen who miss it.
    short = [j for j in range(len(max_load)) if result.load[j] < min_load[j]]
    assert [i.craftsman for i in result.issues if i.code == "min_load_unmet"] == short


@pytest.mark.parametrize("seed", range(6))
def test_pair_order_does_not_change_the_result(seed):
    """Sorted distinct pairs take the binary-search path for forbidden/forced pairs, shuffled or duplicated
    ones the general path: the same optimum, pairs, issues and objective either way."""
    rng = np.random.default_rng(100 + seed)
    p, c, s, demand, max_load, min_load, bonus = random_instance(rng, 6, 5, 18)
    order = np.lexsort((c, p))
    p, c, s = p[order], c[order], s[order]
    forbidden = np.array([[p[0], c[0]], [p[5], c[5]], [5, 4]])
    forced = np.array([[p[3], c[3]], [p[9], c[9]]])
    kwargs = dict(demand=demand, max_load=max_load, min_load=min_load, slot_bonus=bonus)
    kwargs.update(forbidden=forbidden, forced=forced)
    sorted_result = solve_assignment(p, c, s, **kwargs)
    shuffle = rng.permutation(p.size)
    dup = np.r_[shuffle, shuffle[:4]]
    for q, r, t in ((p[shuffle], c[shuffle], s[shuffle]), (p[dup], c[dup], s[dup])):
        other = solve_assignment(q, r, t, **kwargs)
        assert other.objective == pytest.approx(sorted_result.objective, abs=1e-9)
        assert other.problem.tolist() == sorted_result.problem.tolist()
        assert other.craftsman.tolist() == sorted_result.craftsman.tolist()
        assert other.fixed.tolist() == sorted_result.fixed.tolist()
        assert [i.code for i in other.issues] == [i.code for i in sorted_result.issues]
    assert not {(a, b) for a, b in forbidden.tolist()} & set(
        zip(sorted_result.problem.tolist(), sorted_result.craftsman.tolist(), strict=True)
    )
