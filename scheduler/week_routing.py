"""Each area's week plan made by routing: the week's days solved, then re-solved
with the teams their own routes suggest.

The greedy week plan (:func:`scheduler.teams.make_week_plan`) chooses teams by
rough cover and detour; the day's routing then pays a lot of travel to follow
them. Here the teams come out of routing instead, as a planner would draw them
from a good week of rounds:

1. every day of the week is solved by the day's own solver with no teams (the
   last fortnight's carers still count, ``continuity_unfamiliar_cost``), so each
   day starts from cheap rounds;
2. ``sweeps`` times over: each client's team becomes the ``TEAM_SIZE`` carers who
   make most of the client's visits in the current routes, and every day is
   solved again with those teams (``continuity_team_cost`` per visit outside
   them), starting from its current routes (the routes are the promised timetable,
   which the first plan follows, :mod:`scheduler.solver.team_start`).

Each sweep moves visits to the carers who already make most of the client's
week wherever that costs less travel than the team cost, so the teams tighten
while the rounds stay the routing's own. The result is the same plain
:class:`~scheduler.teams.WeekPlan` as the greedy one: teams, and each visit's
promised carer and start. The days of a week are solved independently, so the
rest between days and the weekly hours are left to the day's plan, which keeps
them against what was really worked.

Plain data in, plain data out: the problems of the week's days (one per day and
sub-problem), solved on any :class:`concurrent.futures.Executor`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import replace

from scheduler.parameters import Parameters
from scheduler.planner import solve_problem
from scheduler.problem import Problem, Result
from scheduler.teams import TEAM_SIZE, WeekPlan

#: Re-solves of the whole week with the teams of the routes before.
SWEEPS = 3


def with_week(problem: Problem, plan: WeekPlan) -> Problem:
    """``problem`` with every visit's team, promised carer and promised start from
    ``plan`` (visits it does not promise keep no promise)."""
    visits = tuple(
        replace(
            visit,
            team_workers=frozenset(plan.teams.get(visit.client_id, ())),
            planned_worker=plan.promised.get(visit.id, (None, 0))[0],
            planned_start=plan.promised.get(visit.id, (0, None))[1],
        )
        for visit in problem.visits
    )
    return replace(problem, visits=visits)


def teams_from(results: Iterable[tuple[Problem, Result]], size: int = TEAM_SIZE) -> WeekPlan:
    """The week plan the routes of ``results`` suggest: each client's team is the
    ``size`` carers making most of their visits (either carer of a double-handed
    one; ties to the lower worker id), each routed visit promised to the team
    carer making it (the first listed if both are) at its planned start."""
    client_of: dict[int, int] = {}
    carers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for problem, result in results:
        client_of.update((v.id, v.client_id) for v in problem.visits)
        for stop in result.assignments:
            carers[stop.visit_id].append((stop.worker_id, stop.start))
    counts: dict[int, Counter[int]] = defaultdict(Counter)
    for visit_id, made_by in carers.items():
        for worker_id, _ in made_by:
            counts[client_of[visit_id]][worker_id] += 1
    teams = {
        client: tuple(sorted(seen, key=lambda w: (-seen[w], w))[:size])
        for client, seen in counts.items()
    }
    promised: dict[int, tuple[int, int]] = {}
    for visit_id, made_by in carers.items():
        team = teams[client_of[visit_id]]
        in_team = [(w, start) for w, start in made_by if w in team]
        promised[visit_id] = (in_team or made_by)[0]
    return WeekPlan(teams, promised)


def _solve_all(
    problems: list[Problem],
    params: Parameters,
    seconds: float,
    seed: int,
    executor: Executor | None,
) -> list[Result]:
    """Every problem solved for ``seconds`` (on ``executor`` when given)."""
    count = len(problems)
    if executor is None:
        return [solve_problem(p, params, seconds, seed) for p in problems]
    return list(executor.map(solve_problem, problems, [params] * count,
                             [seconds] * count, [seed] * count))


def route_week(
    problems: Mapping[str, Problem],
    params: Parameters,
    *,
    seconds: float,
    sweeps: int = SWEEPS,
    seed: int = 0,
    executor: Executor | None = None,
    team_size: int = TEAM_SIZE,
) -> WeekPlan:
    """The week plan of ``problems`` (the week's days and their sub-problems, by any
    key; their visits' own teams and promises are ignored), each solve given
    ``seconds`` of solver time, teams of at most ``team_size``: see the module's
    description."""
    keys = sorted(problems)
    bare = [with_week(problems[key], WeekPlan({}, {})) for key in keys]
    results = _solve_all(bare, params, seconds, seed, executor)
    plan = teams_from(zip(bare, results, strict=True), team_size)
    for _ in range(sweeps):
        planned = [with_week(problem, plan) for problem in bare]
        results = _solve_all(planned, params, seconds, seed, executor)
        plan = teams_from(zip(planned, results, strict=True), team_size)
    return plan
