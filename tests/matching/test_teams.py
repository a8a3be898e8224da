"""Teams covering several tags (CP-SAT)."""

import dataclasses

from gonghui.matching import CraftsmanPool, form_teams
from gonghui.matching.teams import team_covers

from .conftest_data import craftsmen, geography, problems


def test_team_covers_all_tags_with_fewest_members():
    pool = CraftsmanPool(craftsmen(), geography())
    problem = dataclasses.replace(
        problems()[0], id="T1", tags=("注塑模具", "数控加工", "冲压模具"), county="330681"
    )
    result = form_teams(pool, [problem])
    assert result.status == "OPTIMAL"
    members = sorted(pair.craftsman for pair in result.teams["T1"])
    assert members == ["C2", "C3"]  # C3 holds 注塑模具 and 数控加工, C2 holds 冲压模具
    assert team_covers(pool, problem, members)
    assert result.teams["T1"][0].explain("zh").startswith("团队覆盖标签：注塑模具、数控加工、冲压模具；")


def test_team_respects_capacity_and_reports_infeasible():
    pool = CraftsmanPool(craftsmen(), geography())
    first = dataclasses.replace(problems()[0], id="T1", tags=("数控加工", "冲压模具"), county="330681")
    second = dataclasses.replace(first, id="T2")  # C2 and C3 have capacity 1: only one team possible
    result = form_teams(pool, [first, second])
    assert len(result.teams) == 1
    assert [u.explain("zh") for u in result.unassigned] == [
        "在现有负荷内无法组成覆盖标签 数控加工、冲压模具 的团队"
    ]


def test_team_of_demand_size():
    pool = CraftsmanPool(craftsmen(), geography())
    problem = dataclasses.replace(problems()[0], id="T3", demand=2, tags=("注塑模具",), cross_region=True)
    result = form_teams(pool, [problem])
    assert sorted(pair.craftsman for pair in result.teams["T3"]) == ["C1", "C3"]
