"""The weekly job: next week's week plans made by routing, ahead of the week.

Routing a week (:mod:`scheduler.week_routing`) takes (1 + ``SWEEPS``) solves of
each of its seven days: minutes of solver time per area, far more than a day's
plan may spend loading. So ``homecare scheduler`` runs it once a week for the
next week (default Saturday 02:00 Europe/London), and ``homecare week-plan``
runs it on demand. The plans are kept (:mod:`scheduler.week_plans`) for their
whole week; an area without one still gets its greedy week plan when its first
day is planned, so a missed weekly run costs continuity, never a rota.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from concurrent.futures import Executor
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.build import build_problem, worker_histories
from scheduler.parameters import Parameters
from scheduler.partition import DEFAULT_MAX_VISITS, partition
from scheduler.problem import Problem, WorkerHistory
from scheduler.teams import WeekPlan, read_week_inputs
from scheduler.visits import day_origin
from scheduler.week_plans import fingerprint, store
from scheduler.week_routing import SWEEPS, route_week

log = logging.getLogger(__name__)

#: Solver seconds per sub-problem and solve when a week is routed.
ROUTED_SECONDS = 5.0


def _split_by_area(plan: WeekPlan, problems: Collection[Problem]) -> dict[int, WeekPlan]:
    """Area id → its part of ``plan`` (its clients' teams, its visits' promises), for
    every area with visits in ``problems``."""
    client_area: dict[int, int] = {}
    visit_area: dict[int, int] = {}
    for problem in problems:
        for visit in problem.visits:
            client_area[visit.client_id] = visit.area_id
            visit_area[visit.id] = visit.area_id
    split: dict[int, WeekPlan] = {area: WeekPlan({}, {}) for area in set(client_area.values())}
    for client, team in plan.teams.items():
        split[client_area[client]].teams[client] = team
    for visit_id, promise in plan.promised.items():
        split[visit_area[visit_id]].promised[visit_id] = promise
    return split


def at_week_start(
    problem: Problem, histories: Mapping[int, WorkerHistory], monday_origin: datetime
) -> Problem:
    """``problem`` (a day of the week) with each worker's history as it stood at the
    start of the week (``histories``, their previous shift's end counted from
    ``monday_origin``), so that routing the week adds the days before from its own
    routes (:func:`scheduler.week_routing.carried`), not from published rotas of
    the same week as well."""
    shift = int((problem.origin - monday_origin).total_seconds())
    workers = []
    for worker in problem.workers:
        history = histories.get(worker.id, worker.history)
        end = history.previous_shift_end
        workers.append(replace(worker, history=replace(
            history, previous_shift_end=None if end is None else end - shift
        )))
    return replace(problem, workers=tuple(workers))


def route_week_plans(
    engine: Engine,
    area_ids: Collection[int],
    monday: date,
    params: Parameters,
    *,
    seconds: float = ROUTED_SECONDS,
    sweeps: int = SWEEPS,
    executor: Executor | None = None,
    max_visits: int = DEFAULT_MAX_VISITS,
) -> int:
    """Make the week plans of ``area_ids`` for the week starting ``monday`` by routing
    (:func:`scheduler.week_routing.route_week`, ``seconds`` of solver time per
    sub-problem and solve, days split as the day's plan splits them) and keep them
    in place of any plan of that week; returns how many areas got one.

    The work is (1 + ``sweeps``) solves of every day of the week: minutes per area,
    so it runs ahead of the week (the weekly job), on ``executor`` when given.
    """
    if monday.weekday() != 0:
        raise ValueError(f"{monday} is not a Monday")
    parts: dict[str, Problem] = {}
    with Session(engine) as session:
        inputs = read_week_inputs(session, area_ids, monday)
        histories = worker_histories(
            session, {w.id for area in inputs.values() for w in area.workers}, monday
        )
        for offset in range(7):
            day = monday + timedelta(days=offset)
            problem = at_week_start(
                build_problem(session, day, list(inputs), week=WeekPlan({}, {})),
                histories, day_origin(monday),
            )
            for part in partition(problem, max_visits=max_visits):
                parts[f"{day.isoformat()} {part.key}"] = part.problem
    plan = route_week(parts, params, seconds=seconds, sweeps=sweeps, executor=executor)
    by_area = _split_by_area(plan, parts.values())
    made = [
        (area_id, fingerprint(area), by_area.get(area_id, WeekPlan({}, {})))
        for area_id, area in inputs.items()
    ]
    with Session(engine) as session:
        store(session, monday, made, routed=True)
    log.info("routed week plans of %s made for %d areas", monday, len(made))
    return len(made)
