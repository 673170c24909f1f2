"""Week plans made by routing: teams drawn from the week's own routes, tightened by
re-solving with them, kept for the whole week once the weekly job has made them."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scheduler.build import build_problem
from scheduler.cli import main
from scheduler.db.models import Absence, AbsenceKind, WeekPlanRecord
from scheduler.generate import generate_scenario
from scheduler.job import JobSettings, next_monday, plan_week_ahead
from scheduler.parameters import Parameters
from scheduler.pipeline import PlanningOptions
from scheduler.problem import PlannedVisit, Problem, Result, WorkerHistory
from scheduler.teams import TEAM_SIZE, WeekPlan, read_week_inputs
from scheduler.visits import day_origin
from scheduler.week_plans import fingerprint, keep_week_plans
from scheduler.week_routing import (
    Routed,
    carried,
    choose_team,
    eligible_carers,
    route_week,
    teams_from,
    with_week,
)
from tests.solver.instances import DAY, ORIGIN, at, place, problem, visit, worker

MONDAY = date(2026, 11, 23)


def _result(*stops: tuple[int, int, int]) -> Result:
    """A result of (visit id, worker id, start) stops."""
    return Result(
        assignments=tuple(
            PlannedVisit(visit_id=v, worker_id=w, sequence=0, start=s, end=s + 1800, travel=0)
            for v, w, s in stops
        ),
        dropped=(),
        objective={},
        status="test",
        wall_seconds=0.0,
    )


def test_teams_are_the_carers_making_most_visits_and_promises_go_to_them() -> None:
    """Client 1's team is the three carers making most of its visits (a tie goes to
    the lower id); a visit made by an outsider is promised to them, a double-handed
    one to its team carer."""
    visits = [visit(k, client_id=1) for k in range(1, 10)]
    day = problem([], visits)
    stops = [(1, 5, 100), (2, 5, 200), (3, 5, 300), (4, 9, 400), (5, 9, 500), (6, 7, 600),
             (7, 7, 700), (8, 11, 800), (9, 11, 900), (9, 7, 900)]
    plan = teams_from([(day, _result(*stops))])
    # 5 made three visits, 7 three (one double-handed), 9 two, 11 two: 11 loses the tie.
    assert plan.teams == {1: (5, 7, 9)}
    assert plan.promised[8] == (11, 800)
    assert plan.promised[9] == (7, 900)
    assert plan.promised[1] == (5, 100)


def test_a_team_covers_the_visits_before_it_makes_the_most() -> None:
    """Carers 1–3 make most visits but none of them may make the weekend's two
    (their days off): the team keeps the two who make most and takes carer 4, who
    may make the weekend; a visit no one may make counts for no team; with the
    cover equal, the carers making most win, ties to the lower ids."""
    made = Counter({1: 10, 2: 8, 3: 6, 4: 2, 5: 2})
    week = [frozenset({1, 2, 3, 4, 5})] * 12 + [frozenset({4, 5})] * 2 + [frozenset()]
    assert choose_team(made, week, 3) == (1, 2, 4)
    assert choose_team(made, [frozenset({1, 2, 3, 4, 5})] * 12, 3) == (1, 2, 3)
    assert choose_team(Counter({7: 1}), week, 3) == (7,)


def test_eligible_carers_follow_the_days_rules() -> None:
    """Skills, a declined carer and the shifts decide who may make a visit."""
    day = problem(
        [worker(1, skills=frozenset({"medication"})), worker(2),
         worker(3, skills=frozenset({"medication"}), shifts=(("16:00", "22:00"),))],
        [visit(1, required_skills=frozenset({"medication"})), visit(2),
         visit(3, declined_workers=frozenset({1}))],
    )
    assert eligible_carers(day, Parameters()) == {
        1: frozenset({1}), 2: frozenset({1, 2}), 3: frozenset({2}),
    }


def test_with_week_sets_teams_and_promises_and_clears_the_rest() -> None:
    day = problem([], [visit(1, client_id=1, planned_worker=4, planned_start=9),
                       visit(2, client_id=2, team_workers=frozenset({3}))])
    planned = with_week(day, WeekPlan({1: (6, 7)}, {1: (6, 28_800)}))
    first, second = planned.visits
    assert (first.team_workers, first.planned_worker, first.planned_start) == (
        frozenset({6, 7}), 6, 28_800
    )
    assert (second.team_workers, second.planned_worker, second.planned_start) == (
        frozenset(), None, None
    )


def test_a_sweep_moves_a_visit_to_the_carer_who_makes_the_rest_of_the_week() -> None:
    """Carer 1 alone works Monday and Wednesday; on Tuesday carer 2, who lives a
    little nearer, works too and gets the visit when each day is solved alone. With
    teams of one, the sweep gives Tuesday's visit to carer 1, the client's regular."""
    home = place(1, 1)
    regular = worker(1, home=place(1.6, 1.0))
    nearer = worker(2, home=place(1.3, 1.0))
    days = {
        f"day {k}": problem(
            [regular, nearer] if k == 2 else [regular],
            [visit(k, client_id=50, location=home)],
        )
        for k in (1, 2, 3)
    }
    params = Parameters()
    alone = route_week(days, params, seconds=1, sweeps=0, team_size=1)
    assert alone.promised[2][0] == 2, "solved alone, the nearer carer takes Tuesday"
    swept = route_week(days, params, seconds=1, sweeps=1, team_size=1)
    assert swept.teams == {50: (1,)}
    assert {v: w for v, (w, _) in swept.promised.items()} == {1: 1, 2: 1, 3: 1}


def _next_day(day: Problem) -> Problem:
    return replace(day, day=DAY + timedelta(days=1), origin=ORIGIN + timedelta(days=1))


def test_a_day_carries_what_the_days_before_routed() -> None:
    """Worker 1 was routed to 90 minutes of work ending at 21:30 yesterday: today
    their rest runs to 08:30 tomorrow's clock, their week and reference period hold
    the 90 minutes, and the client counts as recent; a worker routed nowhere keeps
    their history."""
    routed = {1: Routed(seconds=5400, last_end=ORIGIN + timedelta(seconds=at("21:30")))}
    routed[1].clients[50] = 2
    today = _next_day(problem(
        [worker(1, history=WorkerHistory(week_worked=3600, recent_clients=((50, 1), (60, 3)))),
         worker(2, history=WorkerHistory(week_worked=7200))],
        [],
    ))
    first, second = carried(today, routed).workers
    assert first.history.previous_shift_end == at("21:30") - 86_400
    assert first.history.week_worked == 3600 + 5400
    assert first.history.reference_worked == 5400
    assert dict(first.history.recent_clients) == {50: 3, 60: 3}
    assert second.history == WorkerHistory(week_worked=7200)


def test_a_timetable_keeps_the_rest_and_contracted_hours_between_its_days() -> None:
    """Worker 1 lives at the clients' door and is contracted for one hour a week;
    worker 2 lives further off. Solved alone, the second day's visit goes to worker
    1; after a visit ending at 21:30 the day before (no 11 hours' rest before 07:00),
    or after 45 minutes of work the day before (30 minutes past the contract), the
    week routing gives it to worker 2."""
    door = place(1, 1)
    near = worker(1, home=door, shifts=(("07:00", "22:00"),), contracted_seconds_per_week=3600)
    far = worker(2, home=place(4, 4), shifts=(("07:00", "22:00"),))

    def week(
        before: tuple[str, str, int] | None, after: tuple[str, str, int]
    ) -> dict[int, int]:
        """Who makes each visit: ``before`` the day before, ``after`` the day after
        (each a window for its start and minutes)."""
        days = {"b": _next_day(problem([near, far], [visit(
            2, client_id=51, location=door, window=after[:2], duration_minutes=after[2])]))}
        if before is not None:
            days["a"] = problem([near, far], [visit(
                1, client_id=50, location=door, window=before[:2], duration_minutes=before[2])])
        plan = route_week(days, Parameters(), seconds=0.5, sweeps=0)
        return {visit_id: worker_id for visit_id, (worker_id, _) in plan.promised.items()}

    assert week(None, ("07:00", "07:45", 20)) == {2: 1}
    late = ("21:00", "21:00", 30)
    assert week(late, ("07:00", "07:45", 20)) == {1: 1, 2: 2}, "no 11 hours' rest"
    assert week(None, ("12:00", "12:30", 30)) == {2: 1}
    long = ("12:00", "12:00", 45)
    assert week(long, ("12:00", "12:30", 30)) == {1: 1, 2: 2}, "past the contracted hour"


def test_the_weekly_job_routes_next_week_and_its_plan_is_kept_all_week(
    engine: Engine,
) -> None:
    """The weekly job run on Saturday routes the coming week: one routed plan per
    area with teams of at most three of the area's own carers and promises inside
    each visit's window, which the day's problem then carries; leave booked
    afterwards does not make the routed plan again."""
    generate_scenario(engine, workers=12, seed=5, first_day=MONDAY, days=7, areas=1)
    saturday = MONDAY - timedelta(days=2)
    assert next_monday(saturday) == MONDAY
    settings = JobSettings(options=PlanningOptions(processes=1), week_plan_seconds=0.3)
    assert plan_week_ahead(engine, settings, today=saturday) == 1
    with Session(engine) as session:
        records = session.exec(select(WeekPlanRecord)).all()
        inputs = read_week_inputs(session, [1], MONDAY)
    assert [(r.area_id, r.monday, r.routed) for r in records] == [(1, MONDAY, True)]
    record = records[0]
    assert record.fingerprint == fingerprint(inputs[1])
    area_workers = {w.id for w in inputs[1].workers}
    windows = {v.visit_id: v for c in inputs[1].clients for v in c.visits}
    assert record.teams and record.promised
    for _client, team in record.teams:
        assert 1 <= len(team) <= TEAM_SIZE and set(team) <= area_workers
    for visit_id, worker_id, start in record.promised:
        week_visit = windows[visit_id]
        assert week_visit.earliest_start <= start <= week_visit.latest_start
        assert worker_id in area_workers
    wednesday = MONDAY + timedelta(days=2)
    promised = {v: (w, s) for v, w, s in record.promised}
    # Leave booked after the plan was made changes its inputs: the routed plan stays.
    with Session(engine) as session:
        session.add(Absence(
            worker_id=record.teams[0][1][0], kind=AbsenceKind.LEAVE,
            starts_at=day_origin(wednesday), ends_at=day_origin(wednesday + timedelta(days=1)),
        ))
        session.commit()
    kept = keep_week_plans(engine, [1], wednesday)
    assert kept.promised == promised
    with Session(engine) as session:
        assert session.exec(select(WeekPlanRecord)).one().routed
        day = build_problem(session, wednesday, [1])
    carried = [v for v in day.visits if v.id in promised]
    assert carried
    assert all((v.planned_worker, v.planned_start) == promised[v.id] for v in carried)


def test_week_plan_command_names_a_bad_week(database_url: str) -> None:
    result = CliRunner().invoke(
        main, ["week-plan", "--week", "next tuesday"], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 2
    assert "--week" in result.output and "YYYY-MM-DD" in result.output


def test_week_plan_command_routes_the_named_week(engine: Engine, database_url: str) -> None:
    generate_scenario(engine, workers=8, seed=6, first_day=MONDAY, days=7, areas=1)
    result = CliRunner().invoke(
        main,
        ["week-plan", "--week", "2026-11-25", "--seconds", "0.5", "--processes", "1"],
        env={"DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    assert "week of 2026-11-23: plans made for 1 areas" in result.output
    with Session(engine) as session:
        record = session.exec(select(WeekPlanRecord)).one()
    assert record.routed and record.monday == MONDAY


