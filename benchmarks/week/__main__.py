"""Simulate a week: the daily job plans each day, disruptions strike, re-plans follow.

    python -m benchmarks.week                     # 150 workers (a few areas), continuity on and off
    python -m benchmarks.week --workers 5000      # the national scenario (long)

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
from scheduler.job import JobSettings, plan_day_once
from scheduler.parameters import Parameters
from scheduler.pipeline import PlanningOptions
from scheduler.visits import local_instant

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
    replan_seconds: float = 0.0


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
    workers: int, seed: int, budget: float, params: Parameters, folder: Path, label: str
) -> tuple[list[DayFigures], list[int]]:
    engine = make_engine(f"sqlite:///{folder / f'week-{label}.db'}")
    upgrade(engine)
    generate_scenario(engine, workers=workers, seed=seed, first_day=MONDAY, days=7)
    settings = JobSettings(params=params, options=PlanningOptions(time_budget_seconds=budget))
    rng = random.Random(seed)
    days = []
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        figures = DayFigures(day)
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
                figures.assignments_changed += len(
                    diff_runs(session, morning.get(area_id), run_id, [area_id])
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
        days.append(figures)
        print(
            f"  {label}: {day} planned ({figures.visits} visits, {figures.unallocated} unallocated)",
            flush=True,
        )
    return days, distinct_carers(engine)


def distinct_carers(engine: Engine) -> list[int]:
    """Distinct carers in the week of each client with at least two visits a day."""
    with Session(engine) as session:
        pointers = session.exec(select(PublishedRota)).all()
        visits_per_client: Counter[int] = Counter()
        carers: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        for pointer in pointers:
            rows = session.exec(
                select(Assignment, Visit)
                .join(Visit, col(Visit.id) == Assignment.visit_id)
                .where(
                    Assignment.plan_run_id == pointer.plan_run_id, Visit.area_id == pointer.area_id
                )
            ).all()
            per_visit: dict[int, list[int]] = defaultdict(list)
            client_of: dict[int, int] = {}
            for assignment, visit in rows:
                per_visit[visit.id or 0].append(assignment.worker_id)
                client_of[visit.id or 0] = visit.client_id
            for visit_id, team in per_visit.items():
                carers[client_of[visit_id]].append(tuple(sorted(team)))
        for visit in session.exec(select(Visit).where(col(Visit.status) != VisitStatus.CANCELLED)):
            visits_per_client[visit.client_id] += 1
    result = []
    for client, teams in carers.items():
        if visits_per_client[client] < 14:
            continue
        seen = Counter(w for team in teams for w in team)
        regulars = {max(team, key=lambda w: (seen[w], -w)) for team in teams}
        result.append(len(regulars))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=150)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20.0, help="daily plan wall-time budget, s")
    args = parser.parse_args()
    on = Parameters()
    off = replace(
        on,
        continuity_not_preferred_cost=0,
        continuity_unfamiliar_cost=0,
        continuity_extra_carer_cost=0,
    )
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = {
            label: simulate(args.workers, args.seed, args.budget, params, Path(tmp), label)
            for label, params in (("continuity on", on), ("continuity off", off))
        }
    results = {label: days for label, (days, _) in outcomes.items()}
    days_carers = [carers for _, carers in outcomes.values()]
    print(
        "\n| day | run | visits | unallocated | travel share | violations | changed by re-plans | re-plan s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for index in range(7):
        for label, days in results.items():
            d = days[index]
            share = d.travel_seconds / max(1, d.travel_seconds + d.contact_seconds)
            changed = d.assignments_changed / max(1, d.assignments_morning)
            print(
                f"| {d.day:%a %d %b} | {label} | {d.visits} | {d.unallocated} | {share:.1%} | {d.violations} "
                f"| {changed:.1%} | {d.replan_seconds:.1f} |"
            )
    print(
        "\n| run | clients (≥2 visits/day) | median distinct carers | mean | travel hours | unallocated | violations |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for (label, days), carers in zip(results.items(), days_carers, strict=True):
        travel = sum(d.travel_seconds for d in days) / 3600
        print(
            f"| {label} | {len(carers)} | {statistics.median(carers) if carers else 0} "
            f"| {statistics.fmean(carers) if carers else 0:.2f} | {travel:.1f} "
            f"| {sum(d.unallocated for d in days)} | {sum(d.violations for d in days)} |"
        )
    on_carers, off_carers = (statistics.fmean(c) if c else 0 for c in days_carers)
    on_travel, off_travel = (sum(d.travel_seconds for d in days) for days in results.values())
    print(
        f"\ncontinuity on: {1 - on_carers / max(off_carers, 1e-9):.1%} fewer distinct carers per client "
        f"(mean), for {on_travel / max(off_travel, 1) - 1:+.1%} travel"
    )


if __name__ == "__main__":
    main()
