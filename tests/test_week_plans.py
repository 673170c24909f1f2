"""Week plans made once and kept: read back while their inputs hold, made again when
anything they were made from changes, with a digest that every process agrees on."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import Executor
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler import week_plans
from scheduler.build import build_problem
from scheduler.db.models import Absence, AbsenceKind, PlanRunStatus, Visit, WeekPlanRecord
from scheduler.executors import planning_executor
from scheduler.generate import generate_scenario
from scheduler.pipeline import PlanningOptions, plan_day
from scheduler.teams import read_week_inputs, week_teams
from scheduler.visits import day_origin
from scheduler.week_plans import fingerprint, keep_week_plans, week_plan

MONDAY = date(2026, 11, 23)
THURSDAY = MONDAY + timedelta(days=3)


def _records(engine: Engine) -> dict[int, WeekPlanRecord]:
    with Session(engine) as session:
        return {r.area_id: r for r in session.exec(select(WeekPlanRecord)).all()}


def test_planning_a_day_keeps_the_plan_made_afresh_and_later_days_read_it(
    engine: Engine,
) -> None:
    """Planning a day (two areas) keeps one plan per area, equal to one made afresh;
    a later day of the week reads it back (an edit made to the kept plan shows
    through) rather than making it again."""
    generate_scenario(engine, workers=30, seed=4, first_day=MONDAY, days=7, areas=2)
    run = plan_day(engine, MONDAY, options=PlanningOptions(time_budget_seconds=3, processes=2))
    assert run.status == PlanRunStatus.PUBLISHED
    with Session(engine) as session:
        fresh = week_teams(session, [1, 2], MONDAY)
    kept = _records(engine)
    assert sorted(kept) == [1, 2]
    assert all(len(r.fingerprint) == 64 and r.monday == MONDAY for r in kept.values())
    with Session(engine) as session:
        assert week_plan(session, [1, 2], THURSDAY) == fresh
        problem = build_problem(session, THURSDAY, [1, 2])
    assert problem.visits and {v.id: v.team_workers for v in problem.visits} == {
        v.id: frozenset(fresh.teams.get(v.client_id, ())) for v in problem.visits
    }
    # Edit area 1's kept plan by hand: Thursday's plan shows the edit, so it was read.
    client, team = kept[1].teams[0]
    with Session(engine) as session:
        record = session.get(WeekPlanRecord, kept[1].id)
        assert record is not None
        record.teams = [[client, [team[0]]], *record.teams[1:]]
        session.add(record)
        session.commit()
    with Session(engine) as session:
        read = week_plan(session, [1, 2], THURSDAY)
    assert len(team) > 1 and read.teams[client] == (team[0],)
    assert read.promised == fresh.promised


def test_leave_booked_mid_week_makes_only_that_areas_plan_again(engine: Engine) -> None:
    """Annual leave booked for a promised carer changes their area's inputs: that
    plan is made again (the carer loses the day's promises) and kept in place of the
    old one; the other area's kept plan is left as it was."""
    generate_scenario(engine, workers=30, seed=4, first_day=MONDAY, days=7, areas=2)
    tuesday = MONDAY + timedelta(days=1)
    with Session(engine) as session:
        days = {v.id: (v.day, v.area_id) for v in session.exec(select(Visit)).all()}
    before = keep_week_plans(engine, [1, 2], MONDAY)
    kept = _records(engine)
    chosen = next(w for v, (w, _) in sorted(before.promised.items()) if days[v] == (tuesday, 1))
    with Session(engine) as session:
        session.add(Absence(worker_id=chosen, kind=AbsenceKind.LEAVE,
                            starts_at=day_origin(tuesday),
                            ends_at=day_origin(tuesday) + timedelta(days=1)))
        session.commit()
    after = keep_week_plans(engine, [1, 2], THURSDAY)
    with Session(engine) as session:
        assert after == week_teams(session, [1, 2], THURSDAY)
        assert week_plan(session, [1, 2], THURSDAY) == after
    lost = [v for v, (w, _) in after.promised.items() if w == chosen and days[v][0] == tuesday]
    assert lost == []
    again = _records(engine)
    assert again[1].fingerprint != kept[1].fingerprint
    assert (again[2].id, again[2].fingerprint, again[2].made_at) == (
        kept[2].id, kept[2].fingerprint, kept[2].made_at)


def test_many_plans_are_made_on_the_planning_pool(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ``POOL_MIN_VISITS`` the areas' plans are made on the executor given (two
    real processes here, the threshold lowered to this small week): the same plans
    as made in this process, kept."""
    generate_scenario(engine, workers=30, seed=4, first_day=MONDAY, days=7, areas=2)
    monkeypatch.setattr(week_plans, "POOL_MIN_VISITS", 1)
    asked = []
    with planning_executor(processes=2) as (pool, _):
        def executor() -> Executor:
            asked.append(pool)
            return pool

        made = keep_week_plans(engine, [1, 2], MONDAY, executor)
    assert asked == [pool]
    with Session(engine) as session:
        assert made == week_teams(session, [1, 2], MONDAY)
        assert week_plan(session, [1, 2], MONDAY) == made
    assert sorted(_records(engine)) == [1, 2]


def test_every_process_computes_the_same_fingerprint(engine: Engine, database_url: str) -> None:
    """The digest sorts every set (skills are strings, whose hashing differs between
    processes), so two processes with different hash seeds agree with this one."""
    generate_scenario(engine, workers=20, seed=5, first_day=MONDAY, days=7, areas=1)
    with Session(engine) as session:
        here = fingerprint(read_week_inputs(session, [1], MONDAY)[1])
        skills = {s for v in session.exec(select(Visit).where(
            col(Visit.care_plan_id).is_not(None))).all() for s in v.required_skills}
    assert len(skills) >= 2  # otherwise the order of a set could not differ
    script = (
        "import sys; from datetime import date; from sqlmodel import Session;"
        "from scheduler.db.engine import make_engine;"
        "from scheduler.teams import read_week_inputs;"
        "from scheduler.week_plans import fingerprint;"
        "s = Session(make_engine(sys.argv[1]));"
        "print(fingerprint(read_week_inputs(s, [1], date(2026, 11, 23))[1]))"
    )
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script, database_url], capture_output=True, text=True,
            env={**os.environ, "PYTHONHASHSEED": seed}, check=True, timeout=120,
        )
        assert done.stdout.strip() == here
