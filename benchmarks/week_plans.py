"""What the week's teams cost a day's plan, made afresh and kept.

    python -m benchmarks.week_plans                     # 500 and 5,000 workers, SQLite
    python -m benchmarks.week_plans --workers 1000 --database postgresql

For each size: generate the seeded national scenario with a whole week of visits
(Monday 23 – Sunday 29 November 2026) into a fresh database, then time, for
Tuesday, each step of loading the day that concerns the weekly teams:

- ``read``: reading what the plans are made from (:func:`scheduler.teams.read_week_inputs`);
- ``made``: making every area's plan in this process (what every day's load cost
  before plans were kept);
- ``first load``: the pipeline's load phase with no plan kept yet
  (:func:`scheduler.week_plans.keep_week_plans`, plans made on the pool given by
  ``--processes`` and kept, then :func:`scheduler.build.build_problem`);
- ``later load``: the same once the plans are kept (every later day of the week).

Wall-clock seconds, median of ``--repeat`` runs of each step (the making step once).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlmodel import Session, delete, select

from benchmarks.national.__main__ import drop_database, fresh_database
from scheduler.build import build_problem
from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from scheduler.db.models import WeekPlanRecord, Worker
from scheduler.executors import planning_executor
from scheduler.generate import ScenarioParameters, generate_scenario
from scheduler.teams import make_week_plan, read_week_inputs, travel_seconds
from scheduler.week_plans import keep_week_plans

MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)


def _timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def measure(workers: int, kind: str, folder: Path, processes: int, repeat: int) -> dict[str, float]:
    """Seconds of each step for a generated week of ``workers`` (see the module doc)."""
    url = fresh_database(kind, folder)
    engine = make_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        summary = generate_scenario(
            engine, workers=workers, seed=1, first_day=MONDAY, days=7,
            parameters=ScenarioParameters(uncovered_client_share=0.0),
        )
        generation = time.perf_counter() - started
        with Session(engine) as session:
            areas = sorted({w.area_id for w in session.exec(select(Worker)).all()})
            reads = [_timed(lambda: read_week_inputs(session, areas, MONDAY))
                     for _ in range(repeat)]
            inputs = read_week_inputs(session, areas, MONDAY)
        visits = sum(len(c.visits) for area in inputs.values() for c in area.clients)

        def make_all() -> None:
            for area in inputs.values():
                make_week_plan(area)
            travel_seconds.cache_clear()

        made = _timed(make_all)
        with planning_executor(processes=processes) as (executor, _):

            def load() -> None:
                """The pipeline's load phase (``scheduler.pipeline.solve_day``)."""
                week = keep_week_plans(engine, areas, TUESDAY, lambda: executor)
                with Session(engine) as session:
                    build_problem(session, TUESDAY, areas, week=week)

            first = _timed(load)
            later = [_timed(load) for _ in range(repeat)]
        with Session(engine) as session:
            session.exec(delete(WeekPlanRecord))
            session.commit()
        return {
            "workers": workers, "areas": len(areas), "week visits": visits,
            "generation": generation, "read": statistics.median(reads), "made": made,
            "first load": first, "later load": statistics.median(later),
            "day visits": summary.visits,
        }
    finally:
        engine.dispose()
        drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--processes", type=int, default=2,
                        help="processes making the first load's plans (default 2)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"| workers | areas | week's care-plan visits | read s | made in one process s "
          f"| first load s ({args.processes} processes) | later load s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for workers in args.workers:
            row = measure(workers, args.database, Path(folder), args.processes, args.repeat)
            print(f"| {row['workers']:,} | {row['areas']} | {row['week visits']:,} "
                  f"| {row['read']:.1f} | {row['made']:.1f} | {row['first load']:.1f} "
                  f"| {row['later load']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
