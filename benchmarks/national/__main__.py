"""Plan one day for the whole national workforce, end to end, and print its figures.

    python -m benchmarks.national                      # 5,000 workers, SQLite, 480 s budget
    python -m benchmarks.national --database postgresql
    python -m benchmarks.national --scaling 1000 2500 5000 10000
    python -m benchmarks.national --quality 10         # sampled sub-problems vs 60 s each

Each run generates the seeded scenario into a fresh database, then runs the
production pipeline (load, partition, solve, seams, validate, publish) and
prints: workers on duty, visits, allocated %, unallocated by reason, travel
hours and travel share of paid time, wall time per phase, peak memory.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from scheduler.build import build_problem
from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from scheduler.generate import generate_scenario
from scheduler.parameters import Parameters
from scheduler.partition import partition
from scheduler.pipeline import PlanningOptions, plan_day
from scheduler.planner import solve_problem
from scheduler.validate import validate

DAY = date(2026, 11, 24)
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


def run_day(workers: int, seed: int, budget: float, kind: str, folder: Path) -> dict[str, object]:
    """Generate, then plan one day end to end; the figures of the run."""
    url = fresh_database(kind, folder)
    engine = make_engine(url)
    upgrade(engine)
    started = time.monotonic()
    summary = generate_scenario(engine, workers=workers, seed=seed, first_day=DAY)
    generated = time.monotonic() - started
    started = time.monotonic()
    run = plan_day(engine, DAY, options=PlanningOptions(time_budget_seconds=budget))
    wall = time.monotonic() - started
    figures = dict(run.figures)
    paid = float(figures["travel_hours"]) + float(figures["contact_hours"])
    return {
        "workers": workers,
        "database": kind,
        "on_duty": figures["workers_on_duty"],
        "visits": figures["visits"],
        "allocated_pct": round(100 * int(figures["allocated"]) / max(1, int(figures["visits"])), 2),
        "unallocated_by_reason": figures["unallocated_by_reason"],
        "travel_hours": figures["travel_hours"],
        "travel_share": round(float(figures["travel_hours"]) / paid, 4) if paid else 0.0,
        "sub_problems": figures["sub_problems"],
        "generate_s": round(generated, 1),
        "plan_wall_s": round(wall, 1),
        "phases_s": figures.get("phase_seconds", {}),
        "status": run.status.value,
        "peak_mb": round(peak_memory_mb()),
        "summary": summary,
    }


def print_day(row: dict[str, object]) -> None:
    print(f"\n## {row['workers']} workers on {row['database']}: {row['status']}")
    for key in (
        "on_duty",
        "visits",
        "allocated_pct",
        "sub_problems",
        "travel_hours",
        "travel_share",
        "generate_s",
        "plan_wall_s",
        "peak_mb",
    ):
        print(f"{key:<24} {row[key]}")
    print(f"{'phases (s)':<24} {row['phases_s']}")
    print(f"{'unallocated by reason':<24} {row['unallocated_by_reason']}")


def quality(
    workers: int, seed: int, budget: float, samples: int, long_seconds: float, folder: Path
) -> None:
    """Sampled sub-problems: the production budget share against ``long_seconds`` each."""
    engine = make_engine(fresh_database("sqlite", folder))
    upgrade(engine)
    generate_scenario(engine, workers=workers, seed=seed, first_day=DAY)
    with Session(engine) as session:
        problem = build_problem(session, DAY, [a for a in range(1, 10_000)])
    parts = partition(problem)
    from scheduler.partition import budgets

    shares = budgets(parts, budget * 0.75, 2)
    params = Parameters()
    print(
        "\n| sub-problem | visits | budget s | dropped | objective "
        "| dropped (long) | objective (long) | gap % |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    gaps = []
    for part in random.Random(seed).sample(parts, min(samples, len(parts))):
        short = solve_problem(part.problem, params, shares[part.key], 0)
        long = solve_problem(part.problem, params, long_seconds, 0)
        assert not validate(part.problem, short, params) and not validate(
            part.problem, long, params
        )
        a, b = sum(short.objective.values()), sum(long.objective.values())
        gap = 100 * (a - b) / b if b else 0.0
        gaps.append(gap)
        print(
            f"| {part.key} | {len(part.problem.visits)} | {shares[part.key]:.1f} "
            f"| {len(short.dropped)} | {a} "
            f"| {len(long.dropped)} | {b} | {gap:.2f} |"
        )
    gaps.sort()
    print(f"\nmedian gap {gaps[len(gaps) // 2]:.2f} %, worst {gaps[-1]:.2f} %")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=480.0, help="planning wall-time budget, s")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scaling", type=int, nargs="*", help="worker counts for a scaling series")
    parser.add_argument("--quality", type=int, default=0, help="sampled sub-problems to check")
    parser.add_argument("--long-seconds", type=float, default=60.0)
    args = parser.parse_args()
    os.environ.setdefault("HOMECARE_PROCESSES", str(len(os.sched_getaffinity(0))))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.quality:
            quality(args.workers, args.seed, args.budget, args.quality, args.long_seconds, folder)
            return
        counts = args.scaling or [args.workers]
        rows = []
        for count in counts:
            budget = args.budget * count / args.workers if args.scaling else args.budget
            row = run_day(count, args.seed, budget, args.database, folder)
            print_day(row)
            rows.append(row)
        if len(rows) > 1:
            print("\n| workers | visits | allocated % | plan wall s | × previous |")
            print("|---:|---:|---:|---:|---:|")
            previous = None
            for row in rows:
                ratio = f"{float(row['plan_wall_s']) / previous:.2f}" if previous else "–"  # type: ignore[arg-type]
                print(
                    f"| {row['workers']} | {row['visits']} | {row['allocated_pct']} "
                    f"| {row['plan_wall_s']} | {ratio} |"
                )
                previous = float(row["plan_wall_s"])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
