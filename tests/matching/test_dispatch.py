"""Batch dispatch, explanations, reasons, re-dispatch and bad input on a small hand-made world."""

import ast
import dataclasses
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.matching import (
    Constraints,
    Craftsman,
    CraftsmanPool,
    MatchingConfig,
    Problem,
    dispatch,
    rank_candidates,
    redispatch,
)
from gonghui.matching.synthetic import generate_instance

from .conftest_data import craftsmen, geography, problems


def pairs_of(result):
    return sorted((pair.problem, pair.craftsman, pair.kind) for pair in result.pairs)


def test_batch_assignment_and_reasons():
    result = dispatch(CraftsmanPool(craftsmen(), geography()), problems())
    assert pairs_of(result) == [("P1", "C1", "solver"), ("P3", "C2", "solver")]
    reasons = {u.problem: u.explain("zh") for u in result.unassigned}
    assert reasons == {
        "P2": "具备标签 茶叶加工 的工匠服务半径都不覆盖本区县（最近的在 331 公里外），且本问题不允许跨区域派单",
        "P4": "没有具备标签 焊接机器人 的可用工匠",
    }
    assert result.unassigned[1].explain("en") == "no available craftsman has tag 焊接机器人"
    assert result.issues == []
    assert [a.craftsman for a in result.alternates["P1"]] == ["C3"]


def test_explanation_in_chinese_and_english():
    result = dispatch(CraftsmanPool(craftsmen(), geography()), problems())
    pair = result.pairs_for("P1")[0]
    assert pair.explain("zh") == (
        "技能标签吻合：注塑模具；文本匹配：注塑、飞边、缩痕、模具；擅长需求类别：工艺/产品设计/质量；行业相同：C367；"
        "距离约 10 公里；本期负荷 0/2；荣誉：浙江工匠；历史评分 4.8"
    )
    assert pair.explain("en") == (
        "matching skill tags: 注塑模具; matched terms: 注塑, 飞边, 缩痕, 模具; serves need category: process, product "
        "design and quality; same industry: C367; about 10 km away; load this period 0/2; honours: 浙江工匠; past rating 4.8"
    )
    assert [m.id for m in pair.explanation][:2] == ["explain.tags", "explain.terms"]


def test_distance_limit_unless_cross_region():
    pool = CraftsmanPool(craftsmen(), geography())
    # C3 lives 60 km away with a 50 km radius; P1 may go across regions and C3 is willing.
    ranked, reason, _ = rank_candidates(pool, problems()[0], limit=5)
    assert [(c.craftsman, c.cross_region) for c in ranked] == [("C1", False), ("C3", True)]
    assert reason is None
    local = dataclasses.replace(problems()[0], cross_region=False)
    ranked, _, _ = rank_candidates(pool, local, limit=5)
    assert [c.craftsman for c in ranked] == ["C1"]
    online = dataclasses.replace(problems()[1], online=True)
    ranked, _, _ = rank_candidates(pool, online, limit=5)
    assert [c.craftsman for c in ranked] == ["C4"]
    assert "线上服务，不受距离限制" in ranked[0].explain("zh")


def test_forbidden_and_forced_pairs():
    pool = CraftsmanPool(craftsmen(), geography())
    result = dispatch(pool, problems(), Constraints(forbidden=(("P1", "C1"),)))
    assert ("P1", "C3", "solver") in pairs_of(result)
    result = dispatch(pool, problems(), Constraints(forced=(("P1", "C3"),)))
    assert pairs_of(result) == [("P1", "C3", "forced"), ("P3", "C2", "solver")]
    assert result.pairs_for("P1")[0].explain("zh").startswith("指定派单；")


def test_all_candidates_forbidden_is_explained():
    pool = CraftsmanPool(craftsmen(), geography())
    result = dispatch(pool, problems(), Constraints(forbidden=(("P3", "C2"),)))
    reason = next(u for u in result.unassigned if u.problem == "P3")
    assert reason.explain("zh") == "所有候选工匠均因回避关系被排除（1 人）"


def test_capacity_taken_is_explained():
    pool = CraftsmanPool(craftsmen(), geography())
    twins = [dataclasses.replace(problems()[2], id=f"P3-{k}") for k in range(2)]
    result = dispatch(pool, twins)
    assert len(result.pairs) == 1
    assert result.unassigned[0].explain("zh") == "150 公里内具备标签 冲压模具 的 1 名工匠本期已无空余负荷"


def test_redispatch_keeps_accepted_and_counts_changes():
    pool = CraftsmanPool(craftsmen(), geography())
    first = dispatch(pool, problems())
    again = redispatch(pool, problems(), first, accepted=[("P3", "C2")], declined=[("P1", "C1")])
    assert pairs_of(again) == [("P1", "C3", "solver"), ("P3", "C2", "accepted")]
    assert (again.changes.kept, again.changes.added, again.changes.removed, again.changes.changed) == (
        0,
        1,
        1,
        2,
    )
    assert again.pairs_for("P3")[0].explain("zh").startswith("已接单，保持不变；")


def test_redispatch_without_declines_changes_nothing():
    pool = CraftsmanPool(craftsmen(), geography())
    first = dispatch(pool, problems())
    again = redispatch(pool, problems(), first)
    assert pairs_of(again) == pairs_of(first)
    assert again.changes.changed == 0 and again.changes.kept == 2


def test_bad_input_names_who_is_at_fault():
    bad_craftsmen = craftsmen() + [
        Craftsman(id="C9", county="999999", max_load=2),
        Craftsman(id="C8", county="330102", max_load=-1),
        Craftsman(id="C1", county="330102"),
    ]
    bad_problems = problems() + [
        Problem(id="P9", title="x", county="000000"),
        Problem(id="P8", title="y", county="330102", demand=0),
    ]
    result = dispatch(
        CraftsmanPool(bad_craftsmen, geography()),
        bad_problems,
        Constraints(forced=(("P1", "C3"), ("P7", "C1")), forbidden=(("P1", "C3"),)),
    )
    found = [(i.code, i.problem, i.craftsman) for i in result.issues]
    assert found == [
        ("duplicate_id", None, "C1"),
        ("unknown_county", None, "C9"),
        ("negative_capacity", None, "C8"),
        ("bad_demand", "P8", None),
        ("unknown_county", "P9", None),
        ("unknown_reference", "P7", "C1"),
        ("forced_and_forbidden", "P1", "C3"),
    ]
    reasons = {u.problem: u.explain("zh") for u in result.unassigned}
    assert reasons["P9"] == "输入有误，未参与派单：问题 P9 的区县代码 000000 不存在"
    assert reasons["P8"] == "输入有误，未参与派单：问题 P8 需要的工匠人数 0 无效（应为 1 及以上）"
    assert ("P1", "C1", "solver") in pairs_of(result)


def test_empty_pool_and_empty_batch():
    result = dispatch(CraftsmanPool([], geography()), problems())
    assert result.pairs == []
    assert {u.explain("en") for u in result.unassigned} == {"the craftsman pool is empty"}
    assert dispatch(CraftsmanPool(craftsmen(), geography()), []).pairs == []
    ranked, reason, _ = rank_candidates(CraftsmanPool([], geography()), problems()[0])
    assert ranked == [] and reason.text("zh") == "工匠库为空，无人可派"


def test_mountain_island_priority_wins_the_last_craftsman():
    base = problems()[0]
    plain = dataclasses.replace(base, id="plain", county="330102", urgency=1)
    mountain = dataclasses.replace(base, id="mountain", county="331127", urgency=1, online=True)
    one_craftsman = [dataclasses.replace(craftsmen()[0], max_load=1)]
    result = dispatch(CraftsmanPool(one_craftsman, geography()), [plain, mountain])
    assert pairs_of(result) == [("mountain", "C1", "solver")]


def test_min_load_pulls_work_to_a_craftsman():
    pool = CraftsmanPool([craftsmen()[0], dataclasses.replace(craftsmen()[2], min_load=1)], geography())
    result = dispatch(pool, [problems()[0]])
    assert pairs_of(result) == [("P1", "C3", "solver")]
    assert result.min_load_shortfall == {}


def test_engine_imports_no_django():
    package = Path(__file__).resolve().parents[2] / "src" / "gonghui" / "matching"
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(name.split(".")[0] == "django" for name in names), path


SMALL = generate_instance(60, 40, seed=7)
SMALL_POOL = CraftsmanPool(SMALL.craftsmen, SMALL.geography)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_redispatch_never_moves_accepted_pairs(data):
    first = dispatch(SMALL_POOL, SMALL.problems, explain=False)
    previous = sorted(first.pair_set())
    flags = data.draw(
        st.lists(
            st.sampled_from(["accept", "decline", "pending"]), min_size=len(previous), max_size=len(previous)
        )
    )
    accepted = [pair for pair, flag in zip(previous, flags, strict=True) if flag == "accept"]
    declined = [pair for pair, flag in zip(previous, flags, strict=True) if flag == "decline"]
    again = redispatch(SMALL_POOL, SMALL.problems, first, accepted=accepted, declined=declined, explain=False)
    now = again.pair_set()
    assert set(accepted) <= now
    assert not set(declined) & now
    load = {}
    for _, craftsman in now:
        load[craftsman] = load.get(craftsman, 0) + 1
    for craftsman, count in load.items():
        assert count <= SMALL_POOL.free[SMALL_POOL.position[craftsman]]
    per_problem = {}
    for problem, _ in now:
        per_problem[problem] = per_problem.get(problem, 0) + 1
    demand = {p.id: p.demand for p in SMALL.problems}
    assert all(count <= demand[p] for p, count in per_problem.items())
    assert again.changes.removed >= len(declined)
    assert again.changes.changed == len(now - set(previous)) + len(set(previous) - set(accepted) - now)


def test_batch_equals_single_problem_scores():
    pool = SMALL_POOL
    result = dispatch(pool, SMALL.problems[:5], explain=False, top_k=5)
    for problem in SMALL.problems[:5]:
        ranked, _, _ = rank_candidates(pool, problem, limit=5, explain=False)
        batch_scores = {pair.craftsman: pair.score for pair in result.pairs if pair.problem == problem.id}
        ranked_scores = {c.craftsman: c.score for c in ranked}
        for craftsman, score in batch_scores.items():
            assert np.isclose(score, ranked_scores[craftsman], atol=1e-6)


def test_grouped_candidates_equal_full_scoring():
    """Tag-grouped, threaded candidate generation returns exactly the best allowed pairs of a full scan."""
    prepared = SMALL_POOL.prepare(SMALL.problems)
    forbidden = np.array([[0, 3], [5, 7], [5, 8]])
    candidates = SMALL_POOL.candidates(prepared, top_k=6, forbidden=forbidden, block_size=7, threads=2)
    dense = SMALL_POOL.score_rows(prepared, np.arange(len(SMALL.problems)))
    dense[forbidden[:, 0], forbidden[:, 1]] = -np.inf
    expected = []
    for row in range(dense.shape[0]):
        allowed = np.flatnonzero(np.isfinite(dense[row]))
        best = allowed[np.lexsort((allowed, -dense[row, allowed]))][:6]
        expected += [(row, int(c)) for c in best]
    assert list(zip(candidates.problem.tolist(), candidates.craftsman.tolist(), strict=True)) == expected
    assert np.allclose(candidates.score, dense[candidates.problem, candidates.craftsman])


def _full_scan(pool, prepared, top_k, forbidden):
    """Reference: every pair scored densely, best `top_k` allowed per row, ties by craftsman index."""
    dense = pool.score_rows(prepared, np.arange(len(prepared.ids)))
    dense[forbidden[:, 0], forbidden[:, 1]] = -np.inf
    expected, scores = [], []
    for row in range(dense.shape[0]):
        allowed = np.flatnonzero(np.isfinite(dense[row]))
        best = allowed[np.lexsort((allowed, -dense[row, allowed]))][:top_k]
        expected += [(row, int(c)) for c in best]
        scores += dense[row, best].tolist()
    return expected, scores


def _multi_tag_world():
    """Generated world whose problems need one, two or three tags (some unknown to the pool)."""
    world = generate_instance(80, 120, seed=3)
    tags = sorted({t for c in world.craftsmen for t in c.tags})
    problems = []
    for i, problem in enumerate(world.problems):
        extra = {0: (), 1: (tags[i % len(tags)],), 2: (tags[(3 * i) % len(tags)], tags[(5 * i) % len(tags)])}
        more = extra[i % 3] + (("未知标签",) if i % 7 == 0 else ())
        problems.append(dataclasses.replace(problem, tags=tuple(dict.fromkeys(problem.tags + more))))
    return world, problems


def test_multi_tag_problems_scored_per_tag_group_equal_full_scan():
    """Problems with several tags are scored in each tag's group and merged: exactly a full scan's pairs,
    for the default rule (one tag suffices) and for rules needing two tags."""
    world, problems = _multi_tag_world()
    assert sum(len(p.tags) > 1 for p in problems) > 30
    forbidden = np.array([[1, 5], [2, 7], [4, 0], [4, 1]])
    for overlap in (1, 2, 3):
        pool = CraftsmanPool(world.craftsmen, world.geography, MatchingConfig(min_tag_overlap=overlap))
        prepared = pool.prepare(problems)
        for top_k in (3, 10, None):
            got = pool.candidates(prepared, top_k=top_k, forbidden=forbidden, block_size=9, threads=2)
            expected, scores = _full_scan(pool, prepared, top_k or 10**9, forbidden)
            pairs = list(zip(got.problem.tolist(), got.craftsman.tolist(), strict=True))
            assert pairs == expected, (overlap, top_k)
            assert np.array_equal(got.score, np.asarray(scores, np.float64))


def test_candidate_ties_at_the_cut_are_decided_by_craftsman_index():
    """Equal scores at the k-th place: the lower craftsman index wins, as in a full sort."""
    twins = [dataclasses.replace(craftsmen()[0], id=f"T{k}") for k in range(6)]
    pool = CraftsmanPool(twins, geography())
    prepared = pool.prepare([problems()[0]])
    got = pool.candidates(prepared, top_k=4, forbidden=np.array([[0, 1]]))
    assert got.craftsman.tolist() == [0, 2, 3, 4]
    assert len(set(got.score.tolist())) == 1
