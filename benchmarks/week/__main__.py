"""Simulate a week: the daily job plans each day, disruptions strike, re-plans follow.

    python -m benchmarks.week                     # 150 workers (a few areas), continuity on and off
    python -m benchmarks.week --workers 5000      # the national scenario (long)

Before the measured week (Monday to Sunday) the same simulation runs for
``--warm-up-days`` days, so that the week starts with the published history a
running service has (who visited whom in the last 14 days, the previous day's
finish); only Monday to Sunday are reported.

Each day: the job plans the day for every area (exactly as in production), then
at 10:00 each area suffers its disruptions — 3 % of workers on duty go off sick,
one urgent hospital discharge, 5 % of the remaining visits cancelled — and is
re-planned once with the least change. The whole week runs twice, side by side:
continuity of care on (default weights) and off (continuity weights 0).

Reported per day and for the week: distinct carers per client (clients with at
least two visits a day; a double-handed visit's second carer not counted),
travel share of paid time, unallocated visits, hard-rule violations found by the
independent validator (must be 0), and the share of the day's assignments that
disruption re-plans changed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from benchmarks.week.diagnose import breakdown, print_breakdown
from scheduler.changes import diff_runs
from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from scheduler.db.models import (
    Assignment,
    Client,
    PlanRun,
    PlanRunStatus,
    PublishedRota,
    UnallocatedVisit,
    Visit,
    VisitStatus,
)
from scheduler.disruptions import (
    CancelledVisit,
    Disruption,
    UrgentVisit,
    WorkerUnavailable,
    apply_disruptions,
)
from scheduler.generate import generate_scenario
from scheduler.generate.parameters import ScenarioParameters
from scheduler.job import JobSettings, plan_day_once, plan_week_ahead
from scheduler.parameters import Parameters
from scheduler.pipeline import PlanningOptions
from scheduler.visits import local_instant
from scheduler.week_job import ROUTED_SECONDS

MONDAY = date(2026, 11, 23)


@dataclass
class DayFigures:
    day: date
    visits: int = 0
    unallocated: int = 0
    travel_seconds: int = 0
    contact_seconds: int = 0
    violations: int = 0
    assignments_morning: int = 0
    assignments_changed: int = 0
    carers_changed: int = 0
    replan_seconds: float = 0.0
    carers_per_client: float = 0.0


def published_runs(session: Session, day: date) -> dict[int, int]:
    return {
        p.area_id: p.plan_run_id
        for p in session.exec(select(PublishedRota).where(PublishedRota.day == day))
    }


def area_assignments(session: Session, run_id: int, area_id: int) -> list[Assignment]:
    """The assignments of a run to the visits of one area."""
    return list(
        session.exec(
            select(Assignment)
            .join(Visit, col(Visit.id) == Assignment.visit_id)
            .where(Assignment.plan_run_id == run_id, Visit.area_id == area_id)
        ).all()
    )


def disruptions_for(
    session: Session, area_id: int, day: date, rng: random.Random, run_id: int
) -> list[Disruption]:
    """3 % of the area's routed workers sick from 10:00, one discharge, 5 % of later visits cancelled."""
    ten = local_instant(day, clock(10, 0))
    rows = area_assignments(session, run_id, area_id)
    workers = sorted({a.worker_id for a in rows})
    sick = rng.sample(workers, max(1, round(0.03 * len(workers)))) if workers else []
    later = sorted({a.visit_id for a in rows if a.start > ten and a.worker_id not in sick})
    cancelled = rng.sample(later, round(0.05 * len(later))) if later else []
    clients = session.exec(
        select(Client.id).where(Client.area_id == area_id).order_by(col(Client.id))
    ).all()
    found: list[Disruption] = [WorkerUnavailable(w, ten) for w in sick]
    found += [CancelledVisit(v) for v in cancelled]
    if clients:
        found.append(
            UrgentVisit(
                int(rng.choice(clients) or 0),
                local_instant(day, clock(13, 0)),
                local_instant(day, clock(16, 0)),
                45,
                priority=1,
            )
        )
    return found


def simulate(
    workers: int,
    seed: int,
    budget: float,
    params: Parameters,
    folder: Path,
    label: str,
    *,
    warm_up_days: int = 0,
    scenario: ScenarioParameters | None = None,
    diagnose: bool = False,
    week_plan_seconds: float | None = ROUTED_SECONDS,
) -> tuple[list[DayFigures], list[int]]:
    """Plan, disrupt and re-plan each day; figures for Monday to Sunday and, for each
    client with at least two visits every day, their distinct carers in the week.

    ``week_plan_seconds``: the weekly job routes each week's plans on the Saturday
    before it (the first simulated week's before the first day), with that many
    solver seconds per solve; None leaves each week to the greedy plans its first
    day's plan makes."""
    engine = make_engine(f"sqlite:///{folder / f'week-{label}.db'}")
    upgrade(engine)
    first = MONDAY - timedelta(days=warm_up_days)
    generate_scenario(
        engine, workers=workers, seed=seed, first_day=first, days=7 + warm_up_days,
        parameters=scenario,
    )
    settings = JobSettings(
        params=params,
        options=PlanningOptions(time_budget_seconds=budget),
        week_plan_seconds=week_plan_seconds or ROUTED_SECONDS,
    )
    rng = random.Random(seed)
    days = []
    routed: set[date] = set()
    for offset in range(7 + warm_up_days):
        day = first + timedelta(days=offset)
        figures = DayFigures(day)
        if week_plan_seconds is not None:
            # The weekly job of a running service: each week was routed on the Saturday
            # before it (the first simulated week before the simulation starts).
            monday = day - timedelta(days=day.weekday())
            for week_of in (monday, monday + timedelta(days=7)):
                due = day == first if week_of == monday else day.weekday() == 5
                if due and week_of not in routed and week_of <= MONDAY:
                    started = time.monotonic()
                    plan_week_ahead(engine, settings, today=week_of - timedelta(days=2))
                    routed.add(week_of)
                    print(f"  {label}: week of {week_of} routed in "
                          f"{time.monotonic() - started:.0f} s", flush=True)
        plan_day_once(engine, day, settings=settings)
        with Session(engine) as session:
            morning = published_runs(session, day)
            figures.assignments_morning = sum(
                len(area_assignments(session, r, a)) for a, r in morning.items()
            )
            plans = {a: disruptions_for(session, a, day, rng, r) for a, r in morning.items()}
        started = time.monotonic()
        for area_id, found in plans.items():
            run = apply_disruptions(
                engine,
                area_id,
                day,
                found,
                now=local_instant(day, clock(10, 0)),
                params=params,
                options=PlanningOptions(time_budget_seconds=3, processes=1),
            )
            if run.status != PlanRunStatus.PUBLISHED:
                figures.violations += 1
        figures.replan_seconds = time.monotonic() - started
        with Session(engine) as session:
            final = published_runs(session, day)
            for area_id, run_id in final.items():
                changes = diff_runs(session, morning.get(area_id), run_id, [area_id])
                figures.assignments_changed += len(changes)
                figures.carers_changed += sum(
                    1 for c in changes if set(c.before_workers) != set(c.after_workers)
                )
                for a in area_assignments(session, run_id, area_id):
                    figures.travel_seconds += a.travel_seconds
                    figures.contact_seconds += int((a.end - a.start).total_seconds())
                figures.unallocated += len(
                    session.exec(
                        select(UnallocatedVisit.id).where(UnallocatedVisit.plan_run_id == run_id)
                    ).all()
                )
            figures.visits = len(
                session.exec(
                    select(Visit.id).where(
                        Visit.day == day, col(Visit.status) != VisitStatus.CANCELLED
                    )
                ).all()
            )
            failed = session.exec(
                select(PlanRun).where(PlanRun.day == day, PlanRun.status == PlanRunStatus.FAILED)
            ).all()
            figures.violations += sum(1 for r in failed if "validator" in r.error)
            wanted = demand(session, [day])
            daily = [
                len(regular_carers(teams))
                for client, teams in client_teams(session, [day]).items()
                if wanted[client] >= 2
            ]
            figures.carers_per_client = statistics.fmean(daily) if daily else 0.0
        print(
            f"  {label}: {day} planned ({figures.visits} visits, {figures.unallocated} unallocated,"
            f" {figures.assignments_changed} changed)",
            flush=True,
        )
        if day >= MONDAY:
            days.append(figures)
    week = [MONDAY + timedelta(days=k) for k in range(7)]
    if diagnose:
        print(f"  {label}: where the week's visits went (see benchmarks/week/diagnose.py)")
        print_breakdown(breakdown(engine, week))
    return days, distinct_carers(engine, week)


def client_teams(session: Session, days: list[date]) -> dict[int, list[tuple[int, ...]]]:
    """The carers of each published visit on ``days``, by client."""
    carers: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    pointers = session.exec(select(PublishedRota).where(col(PublishedRota.day).in_(days))).all()
    for pointer in pointers:
        rows = session.exec(
            select(Assignment, Visit)
            .join(Visit, col(Visit.id) == Assignment.visit_id)
            .where(Assignment.plan_run_id == pointer.plan_run_id, Visit.area_id == pointer.area_id)
        ).all()
        per_visit: dict[int, list[int]] = defaultdict(list)
        client_of: dict[int, int] = {}
        for assignment, visit in rows:
            per_visit[visit.id or 0].append(assignment.worker_id)
            client_of[visit.id or 0] = visit.client_id
        for visit_id, team in per_visit.items():
            carers[client_of[visit_id]].append(tuple(sorted(team)))
    return carers


def demand(session: Session, days: list[date]) -> Counter[int]:
    """The fewest visits (cancelled ones included) each client has on any of ``days``."""
    per_day: dict[date, Counter[int]] = {day: Counter() for day in days}
    for visit in session.exec(select(Visit).where(col(Visit.day).in_(days))):
        per_day[visit.day][visit.client_id] += 1
    clients = set().union(*per_day.values()) if per_day else set()
    return Counter({c: min(per_day[day][c] for day in days) for c in clients})


def regular_carers(teams: list[tuple[int, ...]]) -> set[int]:
    """One carer per visit: the one the client sees most (a second carer not counted)."""
    seen = Counter(w for team in teams for w in team)
    return {max(team, key=lambda w: (seen[w], -w)) for team in teams}


def distinct_carers(engine: Engine, days: list[date]) -> list[int]:
    """Distinct carers over ``days`` of each client with at least two visits every day."""
    with Session(engine) as session:
        teams = client_teams(session, days)
        wanted = demand(session, days)
    return [len(regular_carers(t)) for client, t in teams.items() if wanted[client] >= 2]


def share(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole`` (one decimal)."""
    return f"{part / whole:.1%}" if whole else "–"


def report(results: dict[str, tuple[list[DayFigures], list[int]]]) -> None:
    """Print the day and week tables (Markdown) and the comparison of the runs."""
    print(
        "\n| day | run | visits | carers per client | travel share | unallocated | violations "
        "| changed by re-plans | of which carer | re-plan s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for index in range(7):
        for label, (days, _) in results.items():
            d = days[index]
            print(
                f"| {d.day:%a %d %b} | {label} | {d.visits} | {d.carers_per_client:.2f} "
                f"| {share(d.travel_seconds, d.travel_seconds + d.contact_seconds)} "
                f"| {d.unallocated} | {d.violations} "
                f"| {share(d.assignments_changed, d.assignments_morning)} "
                f"| {share(d.carers_changed, d.assignments_morning)} | {d.replan_seconds:.1f} |"
            )
    print(
        "\n| week | clients (≥2 visits every day) | median distinct carers | mean "
        "| with ≤ 3 | travel hours | travel share | unallocated | violations "
        "| changed by re-plans | of which carer |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, (days, carers) in results.items():
        travel = sum(d.travel_seconds for d in days)
        contact = sum(d.contact_seconds for d in days)
        morning = sum(d.assignments_morning for d in days)
        print(
            f"| {label} | {len(carers)} | {statistics.median(carers) if carers else 0} "
            f"| {statistics.fmean(carers) if carers else 0:.2f} "
            f"| {share(sum(1 for c in carers if c <= 3), len(carers))} | {travel / 3600:.1f} "
            f"| {share(travel, travel + contact)} | {sum(d.unallocated for d in days)} "
            f"| {sum(d.violations for d in days)} "
            f"| {share(sum(d.assignments_changed for d in days), morning)} "
            f"| {share(sum(d.carers_changed for d in days), morning)} |"
        )
    if len(results) == 2:
        (on_days, on_carers), (off_days, off_carers) = results.values()
        if on_carers and off_carers:
            on_travel = sum(d.travel_seconds for d in on_days)
            off_travel = sum(d.travel_seconds for d in off_days)
            median = 1 - statistics.median(on_carers) / statistics.median(off_carers)
            mean = 1 - statistics.fmean(on_carers) / statistics.fmean(off_carers)
            print(
                f"\ncontinuity on: {median:.1%} fewer distinct carers per client (median), "
                f"{mean:.1%} (mean), for {on_travel / max(off_travel, 1) - 1:+.1%} travel"
            )
    for label, (_, carers) in results.items():
        spread = sorted(Counter(carers).items())
        print(f"{label}: clients by distinct carers "
              + ", ".join(f"{count} carers {clients}" for count, clients in spread))


def overridden(params: Parameters, settings: list[str]) -> Parameters:
    """``params`` with each ``NAME=VALUE`` applied (the value read as the field's type)."""
    changes: dict[str, object] = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        current = getattr(params, name.strip(), None)
        if current is None or not value:
            raise SystemExit(f"--set {setting!r}: expected NAME=VALUE with a Parameters field")
        kind = type(current)
        changes[name.strip()] = value.strip().lower() in ("1", "true") if kind is bool else kind(
            value.strip()
        )
    return replace(params, **changes)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=150)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20.0, help="daily plan wall-time budget, s")
    parser.add_argument(
        "--warm-up-days", type=int, default=3,
        help="days simulated before Monday to give the week its history (not reported)",
    )
    parser.add_argument(
        "--utilisation", type=float, default=ScenarioParameters().utilisation,
        help="the generator's demand as a share of on-duty availability",
    )
    parser.add_argument(
        "--runs", default="on,off", help="which runs: on (continuity), off (weight 0), or both"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="override a solver parameter in both runs (repeatable), e.g. continuity_team_cost=0",
    )
    parser.add_argument(
        "--week-plan-seconds", type=float, default=ROUTED_SECONDS,
        help="solver seconds per solve of the weekly job routing the week; 0: no weekly job",
    )
    parser.add_argument(
        "--diagnose", action="store_true",
        help="also print where each run's visits went relative to the team timetable",
    )
    args = parser.parse_args()
    on = overridden(Parameters(), args.set)
    off = replace(
        on,
        continuity_not_preferred_cost=0,
        continuity_unfamiliar_cost=0,
        continuity_extra_carer_cost=0,
        continuity_team_cost=0,
        continuity_new_carer_cost=0,
    )
    scenario = replace(ScenarioParameters(), utilisation=args.utilisation)
    wanted = [run.strip() for run in args.runs.split(",")]
    runs = [(f"continuity {run}", on if run == "on" else off) for run in wanted]
    print(f"week from {MONDAY}, {args.warm_up_days} warm-up days, {vars(args)}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        results = {
            label: simulate(
                args.workers, args.seed, args.budget, params, Path(tmp), label,
                warm_up_days=args.warm_up_days, scenario=scenario, diagnose=args.diagnose,
                week_plan_seconds=args.week_plan_seconds or None,
            )
            for label, params in runs
        }
    report(results)


if __name__ == "__main__":
    main()
