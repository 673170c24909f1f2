"""Each area's week plan made by routing: the week's days solved, then re-solved
with the teams their own routes suggest.

The greedy week plan (:func:`scheduler.teams.make_week_plan`) chooses teams by
rough cover and detour; the day's routing then pays a lot of travel to follow
them. Here the teams come out of routing instead, as a planner would draw them
from a good week of rounds:

1. every day of the week is solved by the day's own solver with no teams (the
   last fortnight's carers still count, ``continuity_unfamiliar_cost``), so each
   day starts from cheap rounds;
2. ``sweeps`` times over: each client's team becomes the ``TEAM_SIZE`` carers,
   among those making most of the client's visits in the current routes, who
   may make most of them (skills, shifts, days off: :func:`choose_team`), and
   every day is solved again with those teams (``continuity_team_cost`` per
   visit outside them), starting from its current routes (the routes are the
   promised timetable, which the first plan follows,
   :mod:`scheduler.solver.team_start`).

Each sweep moves visits to the carers who already make most of the client's
week wherever that costs less travel than the team cost, so the teams tighten
while the rounds stay the routing's own. The result is the same plain
:class:`~scheduler.teams.WeekPlan` as the greedy one: teams, and each visit's
promised carer and start.

Within a pass the days are solved in order, Monday first, and each day's workers
carry what the pass routed them to on the days before (:func:`carried`): the
11-hour rest after the previous day's last visit, the week's worked time against
the contracted hours and the 48-hour average, and the clients seen. A timetable
made of days solved alone would promise a carer more than their contract allows
by Friday, or an early visit after a late one, and the day's plan, which keeps
those rules against what was really worked, would have to break the promise.
So the problems must carry the workers' histories as they stand at the start of
their week (:func:`scheduler.week_job.route_week_plans` builds them so).

Plain data in, plain data out: the problems of the week's days (one per day and
sub-problem), solved on any :class:`concurrent.futures.Executor`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import combinations

from scheduler.parameters import Parameters
from scheduler.planner import solve_problem
from scheduler.problem import Problem, Result, WorkerHistory
from scheduler.solver.data import start_range, worker_day
from scheduler.solver.eligibility import first_failed_rule
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


def eligible_carers(problem: Problem, params: Parameters) -> dict[int, frozenset[int]]:
    """Visit id → the workers of ``problem`` who may make it (its first carer): every
    eligibility rule of the day's model (skills, declined carers, strict gender,
    working time left, on shift at some start the visit may take)."""
    modes = problem.travel.modes
    days = [worker_day(worker, params, modes) for worker in problem.workers]
    found: dict[int, frozenset[int]] = {}
    for visit in problem.visits:
        lo, hi, why = start_range(visit, params)
        found[visit.id] = frozenset() if why else frozenset(
            day.worker.id for day in days if not first_failed_rule(day, visit, 0, lo, hi)
        )
    return found


#: Carers (those making most of a client's visits) from whom a covering team is chosen.
TEAM_CANDIDATES = 8


def choose_team(
    made: Counter[int], needs: Iterable[frozenset[int]], size: int
) -> tuple[int, ...]:
    """A team of at most ``size`` from the ``TEAM_CANDIDATES`` carers making most of a
    client's visits (``made``: worker id → visits made): the one that could make
    most of the client's visits (``needs``: each visit's eligible carers; a visit
    no one may make does not count), then the one making most of them now, then
    the lower ids. Three carers who can cover every call serve a client better
    than the three who happen to make most of this week's routes."""
    ranked = sorted(made, key=lambda w: (-made[w], w))[:TEAM_CANDIDATES]
    wanted = [need for need in needs if need]
    best: tuple[int, ...] = ()
    best_key: tuple[int, int] = (-1, -1)
    for team in combinations(ranked, min(size, len(ranked))):
        members = set(team)
        key = (sum(1 for need in wanted if need & members), sum(made[w] for w in team))
        if key > best_key:
            best, best_key = tuple(sorted(team, key=lambda w: (-made[w], w))), key
    return best


def teams_from(
    results: Iterable[tuple[Problem, Result]],
    size: int = TEAM_SIZE,
    eligible: Mapping[int, frozenset[int]] | None = None,
) -> WeekPlan:
    """The week plan the routes of ``results`` suggest: each client's team is the
    one :func:`choose_team` picks from the carers making their visits (either
    carer of a double-handed one), covering what it can of ``eligible`` (visit id
    → the carers who may make it; without it, simply the ``size`` carers making
    most, ties to the lower worker id); each routed visit promised to the team
    carer making it (the first listed if both are) at its planned start."""
    client_of: dict[int, int] = {}
    carers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    visits_of: dict[int, list[int]] = defaultdict(list)
    for problem, result in results:
        for v in problem.visits:
            client_of[v.id] = v.client_id
            visits_of[v.client_id].append(v.id)
        for stop in result.assignments:
            carers[stop.visit_id].append((stop.worker_id, stop.start))
    counts: dict[int, Counter[int]] = defaultdict(Counter)
    for visit_id, made_by in carers.items():
        for worker_id, _ in made_by:
            counts[client_of[visit_id]][worker_id] += 1
    may_make = eligible or {}
    teams = {
        client: choose_team(seen, (may_make.get(v, frozenset()) for v in visits_of[client]), size)
        for client, seen in counts.items()
    }
    promised: dict[int, tuple[int, int]] = {}
    for visit_id, made_by in carers.items():
        team = teams[client_of[visit_id]]
        in_team = [(w, start) for w, start in made_by if w in team]
        promised[visit_id] = (in_team or made_by)[0]
    return WeekPlan(teams, promised)


@dataclass
class Routed:
    """What a pass has routed one worker to on the days before: ``seconds`` of
    working time (visits and the travel to them), the ``last_end`` of their last
    visit, and visits made to each client (client id → count)."""

    seconds: int = 0
    last_end: datetime | None = None
    clients: Counter[int] = field(default_factory=Counter)


def record(routed: dict[int, Routed], problem: Problem, result: Result) -> None:
    """Add ``result``'s routes (of ``problem``'s day) to ``routed``, worker by worker."""
    client_of = {v.id: v.client_id for v in problem.visits}
    for stop in result.assignments:
        worker = routed.setdefault(stop.worker_id, Routed())
        worker.seconds += stop.end - stop.start + stop.travel
        end = problem.origin + timedelta(seconds=stop.end)
        if worker.last_end is None or end > worker.last_end:
            worker.last_end = end
        worker.clients[client_of[stop.visit_id]] += 1


def carried(problem: Problem, routed: Mapping[int, Routed]) -> Problem:
    """``problem`` with each worker's history advanced by what they were ``routed``
    to on the days before: worked time added to the week and the reference period,
    the previous shift's end moved to their last routed visit if later, the clients
    they saw added to their recent clients."""
    workers = []
    for worker in problem.workers:
        done = routed.get(worker.id)
        if done is None or done.last_end is None:
            workers.append(worker)
            continue
        history = worker.history
        last_end = int((done.last_end - problem.origin).total_seconds())
        if history.previous_shift_end is not None:
            last_end = max(last_end, history.previous_shift_end)
        recent = Counter(dict(history.recent_clients))
        recent.update(done.clients)
        workers.append(replace(worker, history=WorkerHistory(
            previous_shift_end=last_end,
            week_worked=history.week_worked + done.seconds,
            reference_worked=history.reference_worked + done.seconds,
            reference_days=history.reference_days,
            recent_clients=tuple(sorted(recent.items())),
        )))
    return replace(problem, workers=tuple(workers))


def _solve_pass(
    problems: Sequence[Problem],
    params: Parameters,
    seconds: float,
    seed: int,
    executor: Executor | None,
) -> list[tuple[Problem, Result]]:
    """One pass over the week: each day's problems solved for ``seconds`` (side by
    side on ``executor`` when given), the days in order, each carrying the routes
    of the days before (:func:`carried`). Each problem as carried, with its result,
    in the order of ``problems``."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for index, problem in enumerate(problems):
        by_day[problem.day].append(index)
    results: dict[int, tuple[Problem, Result]] = {}
    routed: dict[int, Routed] = {}
    for day in sorted(by_day):
        indices = by_day[day]
        today = [carried(problems[i], routed) for i in indices]
        count = len(today)
        if executor is None:
            solved = [solve_problem(p, params, seconds, seed) for p in today]
        else:
            solved = list(executor.map(solve_problem, today, [params] * count,
                                       [seconds] * count, [seed] * count))
        for index, problem, result in zip(indices, today, solved, strict=True):
            results[index] = (problem, result)
            record(routed, problem, result)
    return [results[index] for index in range(len(problems))]


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
    key; their visits' own teams and promises are ignored; their workers' histories
    as at the start of the week), each solve given ``seconds`` of solver time, teams
    of at most ``team_size``: see the module's description."""
    keys = sorted(problems)
    bare = [with_week(problems[key], WeekPlan({}, {})) for key in keys]
    plan = _covering_teams(_solve_pass(bare, params, seconds, seed, executor), params, team_size)
    for _ in range(sweeps):
        planned = [with_week(problem, plan) for problem in bare]
        solved = _solve_pass(planned, params, seconds, seed, executor)
        plan = _covering_teams(solved, params, team_size)
    return plan


def _covering_teams(
    solved: list[tuple[Problem, Result]], params: Parameters, size: int
) -> WeekPlan:
    """The week plan of a pass's routes, each client's team chosen to cover the
    visits its members may make (:func:`choose_team`)."""
    eligible: dict[int, frozenset[int]] = {}
    for problem, _ in solved:
        eligible.update(eligible_carers(problem, params))
    return teams_from(solved, size, eligible)
