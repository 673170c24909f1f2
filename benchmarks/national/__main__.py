"""Plan one day for the whole national workforce, end to end, and print its figures.

    python -m benchmarks.national                      # 5,000 workers, SQLite
    python -m benchmarks.national --database postgresql
    python -m benchmarks.national --scaling 1000 2500 5000 10000
    python -m benchmarks.national --quality 10         # sampled sub-problems vs 60 s each
    python -m benchmarks.national --week               # a whole week in the database

Each run generates the seeded scenario into a fresh database, then runs the
production pipeline (load, partition, solve, seams, validate, publish) and
prints: the day's capacity against demand per hour, how many visits no qualified
worker (pair) of their area, or of their sub-problem, is on shift for at all (so
at most the rest can be allocated), workers on duty, visits, allocated %,
unallocated by reason, travel hours and travel share of paid time, wall time per
phase, peak memory.

The scenario's capacity covers its demand visit by visit: ``--uncovered-share``
(default 0) is the generator's share of clients drawn without regard to their
team's training and rosters (``ScenarioParameters.uncovered_client_share``,
whose own default is 0.01); give 0.01 to plan the generator's default scenario.

``--week`` generates the whole week (Monday 23 – Sunday 29 November) instead of
one day, as a running service's database holds it, and plans Tuesday — the first
plan of the week, which makes and keeps the areas' week plans in its load phase
(:mod:`scheduler.week_plans`) — then Wednesday, a later plan that reads them back.

The time budget grows with the day: ``--seconds-per-visit`` (0.018 s) per visit,
capped at ``--max-budget`` (540 s, so the run stays within 10 minutes); ``--budget``
fixes it instead.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.national.capacity import capacity_table, coverage, hourly_loads
from benchmarks.national.pair import solve_pair
from benchmarks.national.sample import SampledPart, save_sample
from scheduler.build import build_problem
from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from scheduler.generate import GenerationSummary, ScenarioParameters, generate_scenario
from scheduler.parameters import Parameters
from scheduler.partition import partition
from scheduler.pipeline import PlanningOptions, plan_day
from scheduler.planner import FIRST_PASS_SHARE, share_of_remaining
from scheduler.teams import WeekPlan
from scheduler.validate import validate

DAY = date(2026, 11, 24)
MONDAY = DAY - timedelta(days=DAY.weekday())
NO_WEEK_PLAN = WeekPlan({}, {})
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def peak_memory_mb() -> float:
    """Peak resident memory of this process and its (finished) children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def fresh_database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'national-{uuid.uuid4().hex[:6]}.db'}"
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with make_engine(POSTGRES).begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{POSTGRES}?options=-csearch_path%3D{schema}"


def drop_database(url: str) -> None:
    """Drop the PostgreSQL schema ``fresh_database`` made for ``url`` (SQLite: nothing)."""
    if not url.startswith(POSTGRES):
        return
    schema = url.rsplit("%3D", 1)[1]
    with make_engine(POSTGRES).begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def day_budget(visits: int, seconds_per_visit: float, cap: float) -> float:
    """The planning budget for a day of ``visits``: per visit, capped (seconds)."""
    return round(min(cap, max(30.0, seconds_per_visit * visits)), 1)


def run_day(
    workers: int,
    seed: int,
    budget: float | None,
    kind: str,
    folder: Path,
    per_visit: tuple[float, float] = (0.018, 540.0),
    uncovered_share: float = 0.0,
    week: bool = False,
) -> dict[str, object]:
    """Generate, then plan one day end to end; the figures of the run.

    ``budget`` None: ``day_budget`` of the day's visits with ``per_visit``
    (seconds per visit, cap). ``uncovered_share``: the scenario's
    ``uncovered_client_share``. ``week``: generate the whole week and plan the
    next day too (figures under ``later``)."""
    url = fresh_database(kind, folder)
    engine = make_engine(url)
    try:
        return _plan_generated_day(
            engine, workers, seed, budget, kind, per_visit, uncovered_share, week
        )
    finally:
        engine.dispose()
        drop_database(url)


def _generate(
    engine: Engine, workers: int, seed: int, uncovered_share: float, week: bool = False
) -> GenerationSummary:
    """The seeded national scenario for ``DAY`` (``week``: for ``DAY``'s whole week) in
    ``engine``'s empty, migrated database."""
    return generate_scenario(
        engine,
        workers=workers,
        seed=seed,
        first_day=MONDAY if week else DAY,
        days=7 if week else 1,
        parameters=ScenarioParameters(uncovered_client_share=uncovered_share),
    )


def _plan_generated_day(
    engine: Engine,
    workers: int,
    seed: int,
    budget: float | None,
    kind: str,
    per_visit: tuple[float, float],
    uncovered_share: float,
    week: bool = False,
) -> dict[str, object]:
    """``run_day``'s work on a fresh, empty database."""
    upgrade(engine)
    started = time.monotonic()
    summary = _generate(engine, workers, seed, uncovered_share, week)
    generated = time.monotonic() - started
    areas = list(range(1, summary.areas + 1))
    with Session(engine) as session:
        # The capacity table needs no week plans (the plan below makes them).
        day_problem = build_problem(session, DAY, areas, week=NO_WEEK_PLAN)
    print(f"\n## Capacity against demand, {workers} workers, {DAY}\n")
    print(f"uncovered client share {uncovered_share}")
    print(capacity_table(hourly_loads(day_problem)))
    cover = coverage(day_problem)
    print(cover.text(), flush=True)
    day_visits = len(day_problem.visits)
    del day_problem
    if week:
        # Building the problem above made no plan of the week: the first plan below does.
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT COUNT(*) FROM weekplan")).scalar_one()
        assert kept == 0, "week plans kept before the first plan"
    fixed = budget
    if budget is None:
        budget = day_budget(day_visits if week else summary.visits, *per_visit)
    started = time.monotonic()
    run = plan_day(engine, DAY, options=PlanningOptions(time_budget_seconds=budget))
    wall = time.monotonic() - started
    later: dict[str, object] = {}
    if week:
        later = _plan_later_day(engine, DAY + timedelta(days=1), areas, fixed, per_visit)
    figures = dict(run.figures)
    paid = float(figures["travel_hours"]) + float(figures["contact_hours"])
    with engine.connect() as connection:
        without_reason = connection.execute(
            text(
                "SELECT COUNT(*) FROM unallocatedvisit WHERE plan_run_id = :run"
                " AND (reason = '' OR reason IS NULL OR reason_code = '')"
            ),
            {"run": run.id},
        ).scalar_one()
    return {
        "workers": workers,
        "database": kind,
        "on_duty": figures["workers_on_duty"],
        "visits": figures["visits"],
        "allocated_pct": round(100 * int(figures["allocated"]) / max(1, int(figures["visits"])), 2),
        "unallocated_by_reason": figures["unallocated_by_reason"],
        "travel_hours": figures["travel_hours"],
        "travel_share": round(float(figures["travel_hours"]) / paid, 4) if paid else 0.0,
        "unallocated_without_reason": without_reason,
        "uncoverable": cover.parts_uncoverable,
        "uncovered_share": uncovered_share,
        "sub_problems": figures["sub_problems"],
        "budget_s": budget,
        "generate_s": round(generated, 1),
        "plan_wall_s": round(wall, 1),
        "phases_s": figures.get("phase_seconds", {}),
        "status": run.status.value,
        "peak_mb": round(peak_memory_mb()),
        "summary": summary,
        "later": later,
    }


def _plan_later_day(
    engine: Engine,
    day: date,
    areas: list[int],
    budget: float | None,
    per_visit: tuple[float, float],
) -> dict[str, object]:
    """Plan ``day``, a later day of the week whose plans the first plan kept; its figures.
    ``budget`` None: ``day_budget`` of the day's visits."""
    if budget is None:
        with Session(engine) as session:
            visits = len(build_problem(session, day, areas, week=NO_WEEK_PLAN).visits)
        budget = day_budget(visits, *per_visit)
    started = time.monotonic()
    run = plan_day(engine, day, options=PlanningOptions(time_budget_seconds=budget))
    wall = time.monotonic() - started
    figures = dict(run.figures)
    return {
        "day": day.isoformat(),
        "status": run.status.value,
        "visits": figures["visits"],
        "allocated_pct": round(100 * int(figures["allocated"]) / max(1, int(figures["visits"])), 2),
        "unallocated_by_reason": figures["unallocated_by_reason"],
        "budget_s": budget,
        "plan_wall_s": round(wall, 1),
        "phases_s": figures.get("phase_seconds", {}),
    }


def print_day(row: dict[str, object]) -> None:
    print(f"\n## {row['workers']} workers on {row['database']}: {row['status']}")
    for key in (
        "on_duty",
        "visits",
        "allocated_pct",
        "sub_problems",
        "uncovered_share",
        "uncoverable",
        "unallocated_without_reason",
        "budget_s",
        "travel_hours",
        "travel_share",
        "generate_s",
        "plan_wall_s",
        "peak_mb",
    ):
        print(f"{key:<24} {row[key]}")
    print(f"{'scenario':<24} {row['summary']}")
    print(f"{'phases (s)':<24} {row['phases_s']}")
    print(f"{'unallocated by reason':<24} {row['unallocated_by_reason']}")
    later = row.get("later")
    if later:
        print(f"{'later plan of the week':<24} {later}")


def quality(
    workers: int,
    seed: int,
    budget: float | None,
    samples: int,
    long_seconds: float,
    folder: Path,
    uncovered_share: float = 0.0,
    save_to: Path | None = None,
) -> None:
    """Sampled sub-problems: the production share of the budget against ``long_seconds``.

    The production share is what the first pass hands a part at the start of the
    run (its size's fraction of budget × 90 % × 2 solvers, less 1 s overhead each).
    Two sub-problems are solved at once, each in its own process (one core each).
    The scenario is the day run's (``uncovered_share``, default 0). ``save_to``: also
    write the sample with its long solves there, for :mod:`benchmarks.national.sample`.
    """
    engine = make_engine(fresh_database("sqlite", folder))
    upgrade(engine)
    summary = _generate(engine, workers, seed, uncovered_share)
    with Session(engine) as session:
        problem = build_problem(session, DAY, list(range(1, summary.areas + 1)))
    parts = partition(problem)
    total = budget if budget is not None else day_budget(summary.visits, 0.018, 540.0)
    slots = 2
    total_size = sum(p.size for p in parts)
    shares = {
        p.key: share_of_remaining(
            p.size, total_size, len(parts), total * FIRST_PASS_SHARE * slots, 1.0
        )
        for p in parts
    }
    params = Parameters()
    sample = random.Random(seed).sample(parts, min(samples, len(parts)))
    print(f"\nbudget {total} s for {summary.visits} visits in {len(parts)} sub-problems")
    print(
        "\n| sub-problem | visits | budget s | dropped | objective "
        "| dropped (long) | objective (long) | gap % |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    gaps = []
    saved: list[SampledPart] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=slots, mp_context=context) as pool:
        futures = [
            pool.submit(solve_pair, part.problem, shares[part.key], long_seconds) for part in sample
        ]
        for part, future in zip(sample, futures, strict=True):
            short, long = future.result()
            saved.append(
                SampledPart(
                    part.key,
                    part.problem,
                    shares[part.key],
                    long.objective["total"],
                    len(long.dropped),
                )
            )
            assert not validate(part.problem, short, params)
            assert not validate(part.problem, long, params)
            a, b = short.objective["total"], long.objective["total"]
            gap = 100 * (a - b) / b if b else 0.0
            gaps.append(gap)
            print(
                f"| {part.key} | {len(part.problem.visits)} | {shares[part.key]:.1f} "
                f"| {len(short.dropped)} | {a} "
                f"| {len(long.dropped)} | {b} | {gap:.2f} |",
                flush=True,
            )
    gaps.sort()
    print(f"\nmedian gap {statistics.median(gaps):.2f} %, worst {gaps[-1]:.2f} %")
    if save_to is not None:
        save_sample(save_to, saved)
        print(f"sample saved to {save_to}: python -m benchmarks.national.sample {save_to}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--budget", type=float, default=None, help="fixed planning wall-time budget, s"
    )
    parser.add_argument("--seconds-per-visit", type=float, default=0.018)
    parser.add_argument("--max-budget", type=float, default=540.0)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scaling", type=int, nargs="*", help="worker counts for a scaling series")
    parser.add_argument("--quality", type=int, default=0, help="sampled sub-problems to check")
    parser.add_argument("--long-seconds", type=float, default=60.0)
    parser.add_argument(
        "--save-sample",
        type=Path,
        default=None,
        help="with --quality: save the sample and its long solves (benchmarks.national.sample)",
    )
    parser.add_argument(
        "--uncovered-share",
        type=float,
        default=0.0,
        help="share of clients drawn without regard to their team (generator default 0.01)",
    )
    parser.add_argument(
        "--week",
        action="store_true",
        help="generate the whole week and plan Tuesday (the first plan) then Wednesday",
    )
    args = parser.parse_args()
    os.environ.setdefault("HOMECARE_PROCESSES", str(len(os.sched_getaffinity(0))))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.quality:
            quality(
                args.workers,
                args.seed,
                args.budget,
                args.quality,
                args.long_seconds,
                folder,
                args.uncovered_share,
                args.save_sample,
            )
            return
        counts = args.scaling or [args.workers]
        rows = []
        for count in counts:
            row = run_day(
                count,
                args.seed,
                args.budget,
                args.database,
                folder,
                (args.seconds_per_visit, args.max_budget),
                args.uncovered_share,
                args.week,
            )
            print_day(row)
            rows.append(row)
        if len(rows) > 1:
            print(
                "\n| workers | visits | uncoverable | budget s | allocated % | plan wall s "
                "| × previous |"
            )
            print("|---:|---:|---:|---:|---:|---:|---:|")
            previous = None
            for row in rows:
                ratio = f"{float(row['plan_wall_s']) / previous:.2f}" if previous else "–"  # type: ignore[arg-type]
                print(
                    f"| {row['workers']} | {row['visits']} | {row['uncoverable']} "
                    f"| {row['budget_s']} "
                    f"| {row['allocated_pct']} "
                    f"| {row['plan_wall_s']} | {ratio} |"
                )
                previous = float(row["plan_wall_s"])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
