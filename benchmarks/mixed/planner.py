"""The planning side of the mixed load: the job process's pending-plan step in a loop.

    python -m benchmarks.mixed.planner DATABASE_URL SECONDS PLAN_SECONDS

Runs :func:`scheduler.services.planning.run_pending_plan_runs` (what
``homecare scheduler`` does every few seconds for plans asked for through the
API) until ``SECONDS`` have passed, each plan with ``PLAN_SECONDS`` of solver time
in one process. The real job process is not used because its catch-up would also
plan whatever today is on the clock, which would make runs differ by date.
"""

from __future__ import annotations

import sys
import time

from scheduler.db.engine import make_engine
from scheduler.services.planning import run_pending_plan_runs


def main(argv: list[str]) -> int:
    """Plan pending runs until the time is up; print how many ran."""
    url, seconds, plan_seconds = argv[0], float(argv[1]), float(argv[2])
    engine = make_engine(url)
    deadline = time.monotonic() + seconds
    ran = 0
    while time.monotonic() < deadline:
        done = run_pending_plan_runs(engine, limit=1, time_limit_seconds=plan_seconds, processes=1)
        ran += len(done)
        if not done:
            time.sleep(1.0)
    print(f"planner: {ran} plan run(s)")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
