"""Teams for problems that need several skills: cover every required tag, within capacities (CP-SAT).

For each problem, its best candidates (any tag holder in reach) are the possible members. Variables: x[p, j]
(craftsman j in p's team) and staffed[p]. A staffed problem's team covers each of its tags at least once and
has between `demand` and max(demand, number of tags) members; a craftsman joins at most `free capacity` teams.
The objective staffs as many problems as possible (weighted like the flow: mountain/island priority and
urgency), then prefers the best-scoring members, and adds members beyond `demand` only when coverage needs them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .dispatch import AssignedPair, Unassigned, explain_pair
from .issues import Issue
from .messages import Message
from .model import Problem
from .pool import CraftsmanPool

SCALE = 1000


@dataclass
class TeamResult:
    teams: dict[object, list[AssignedPair]]
    unassigned: list[Unassigned]
    issues: list[Issue]
    status: str
    seconds: float
    covered_tags: dict[object, list[str]] = field(default_factory=dict)


def form_teams(
    pool: CraftsmanPool,
    problems: list[Problem],
    *,
    candidates_per_problem: int = 30,
    time_limit_seconds: float = 10.0,
    workers: int = 8,  # the CP-SAT portfolio needs its LP-based workers: with 1-2 it stalls on FEASIBLE
) -> TeamResult:
    started = time.perf_counter()
    prepared = pool.prepare(problems)
    cands = pool.candidates(prepared, top_k=candidates_per_problem)
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for p, c in zip(cands.problem.tolist(), cands.craftsman.tolist(), strict=False):
        x[(p, c)] = model.NewBoolVar(f"x_{p}_{c}")
    score = {
        (p, c): s
        for p, c, s in zip(
            cands.problem.tolist(), cands.craftsman.tolist(), cands.score.tolist(), strict=False
        )
    }
    staffed = [model.NewBoolVar(f"staffed_{p}") for p in range(len(problems))]
    members_of: dict[int, list[int]] = {}
    for p, c in x:
        members_of.setdefault(p, []).append(c)
    for p, problem in enumerate(problems):
        members = members_of.get(p, [])
        if not prepared.valid[p] or not members:
            model.Add(staffed[p] == 0)
            continue
        tags = list(dict.fromkeys(problem.tags))
        for tag in tags:
            holders = [x[(p, c)] for c in members if tag in pool.tag_sets[c]]
            if not holders:
                model.Add(staffed[p] == 0)
                break
            model.Add(sum(holders) >= 1).OnlyEnforceIf(staffed[p])
        size = sum(x[(p, c)] for c in members)
        model.Add(size >= problem.demand).OnlyEnforceIf(staffed[p])
        model.Add(size <= max(problem.demand, len(tags))).OnlyEnforceIf(staffed[p])
        model.Add(size == 0).OnlyEnforceIf(staffed[p].Not())
    by_craftsman: dict[int, list[cp_model.IntVar]] = {}
    for (_p, c), var in x.items():
        by_craftsman.setdefault(c, []).append(var)
    for c, variables in by_craftsman.items():
        model.Add(sum(variables) <= int(pool.free[c]))

    # Staffing outweighs any team's member scores (a team has at most len(tags) + demand members).
    staff_weight = SCALE * (2 + max((len(p.tags) + p.demand for p in problems), default=1))
    member_cost = SCALE  # > any score · SCALE: extra members only when coverage needs them
    objective = [int(round(staff_weight * prepared.slot_bonus[p])) * staffed[p] for p in range(len(problems))]
    objective += [(int(round(score[key] * SCALE)) - member_cost) * var for key, var in x.items()]
    model.Maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    status = solver.Solve(model)
    status_name = solver.StatusName(status)

    teams: dict[object, list[AssignedPair]] = {}
    covered: dict[object, list[str]] = {}
    unassigned: list[Unassigned] = []
    solved = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    for p, problem in enumerate(problems):
        if solved and solver.Value(staffed[p]):
            members = [c for c in members_of.get(p, []) if solver.Value(x[(p, c)])]
            team_tags = [t for t in problem.tags if any(t in pool.tag_sets[c] for c in members)]
            covered[problem.id] = team_tags
            teams[problem.id] = [
                AssignedPair(
                    problem.id,
                    pool.ids[c],
                    score[(p, c)],
                    "solver",
                    float(pool.distance_by_county[prepared.county[p], c]),
                    _team_explainer(pool, prepared, p, c, team_tags),
                )
                for c in members
            ]
        else:
            reason = Message("reason.team_infeasible", {"tags": list(problem.tags)})
            if not prepared.valid[p]:
                detail = next((i.message for i in prepared.issues if i.problem == problem.id), reason)
                reason = Message("reason.invalid_input", {"detail": detail})
            unassigned.append(Unassigned(problem.id, problem.demand, 0, reason))
    return TeamResult(
        teams, unassigned, list(prepared.issues), status_name, time.perf_counter() - started, covered
    )


def _team_explainer(pool, prepared, p, c, team_tags):
    def explain():
        return [Message("explain.team_cover", {"tags": team_tags}), *explain_pair(pool, prepared, p, c)]

    return explain


def team_covers(pool: CraftsmanPool, problem: Problem, member_ids: list) -> bool:
    tags = set(problem.tags)
    held = set().union(*(pool.tag_sets[pool.position[m]] for m in member_ids)) if member_ids else set()
    return tags <= held
