"""The daily job: exactly once per (area, day), crash-safe publishing, catch-up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from scheduler.claims import ClaimLost, claim, complete, fail_abandoned_runs, release_failed
from scheduler.db.engine import session_scope
from scheduler.db.models import (
    Assignment,
    ClaimStatus,
    PlanClaim,
    PlanRun,
    PlanRunArea,
    PlanRunStatus,
    PublishedRota,
)
from scheduler.db.types import utc_now
from scheduler.generate import generate_scenario
from scheduler.io import import_dataset
from scheduler.job import due_days
from scheduler.pipeline import FAULT_POINTS, PlanningOptions, plan_day
from scheduler.visits import materialise_visits

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FIRST_DAY = date(2026, 11, 23)
ROUNDS = 6


def homecare(
    database_url: str, *args: str, fault: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real ``homecare`` command against the test database."""
    env = {**os.environ, "DATABASE_URL": database_url, "HOMECARE_PROCESSES": "1"}
    env.pop("HOMECARE_FAULT_AT", None)
    if fault:
        env["HOMECARE_FAULT_AT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "scheduler.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_due_days_include_tomorrow_only_after_the_daily_time() -> None:
    """Before 16:00 only today is due; from 16:00 tomorrow is due too (London time)."""
    morning = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 BST
    evening = datetime(2026, 7, 1, 15, 30, tzinfo=UTC)  # 16:30 BST
    assert due_days(morning, time(16, 0)) == [date(2026, 7, 1)]
    assert due_days(evening, time(16, 0)) == [date(2026, 7, 1), date(2026, 7, 2)]


def test_a_claim_has_one_holder_until_released_or_expired(engine: Engine) -> None:
    """Claims exclude each other; failed or expired claims can be taken; fencing stops a loser."""
    generate_scenario(engine, workers=20, seed=2, first_day=FIRST_DAY, areas=1)
    day = FIRST_DAY
    assert claim(engine, 1, day, "a")
    assert not claim(engine, 1, day, "b")
    release_failed(engine, [1], day, "a")
    assert claim(engine, 1, day, "b")
    assert claim(engine, 1, day, "c", now=utc_now() + timedelta(hours=1))  # b's lease ran out
    with pytest.raises(ClaimLost), session_scope(engine) as session:
        complete(session, [1], day, "b", plan_run_id=0)
    with Session(engine) as session:
        row = session.get(PlanClaim, (1, day))
        assert row is not None and row.owner == "c" and row.attempts == 3


def test_two_scheduler_processes_plan_each_area_and_day_exactly_once(
    engine: Engine, database_url: str
) -> None:
    """Two job processes racing over several days: every (area, day) planned once, none missed."""
    generate_scenario(engine, workers=60, seed=5, first_day=FIRST_DAY, days=ROUNDS, areas=3)
    for offset in range(ROUNDS):
        day = (FIRST_DAY + timedelta(days=offset)).isoformat()
        env = {**os.environ, "DATABASE_URL": database_url, "HOMECARE_PROCESSES": "1"}
        args = [
            sys.executable,
            "-m",
            "scheduler.cli",
            "scheduler",
            "--once",
            "--date",
            day,
            "--time-budget",
            "1",
        ]
        racers = [
            subprocess.Popen(
                args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outputs = [racer.communicate(timeout=240) for racer in racers]
        assert all(racer.returncode == 0 for racer in racers), outputs
    with Session(engine) as session:
        rows = session.exec(
            select(PlanRunArea.area_id, PlanRun.day, func.count())
            .join(PlanRun, col(PlanRun.id) == PlanRunArea.plan_run_id)
            .where(PlanRun.trigger == "scheduled", col(PlanRun.status) == PlanRunStatus.PUBLISHED)
            .group_by(col(PlanRunArea.area_id), col(PlanRun.day))
        ).all()
        claims = session.exec(select(PlanClaim)).all()
    planned = {(area, day): count for area, day, count in rows}
    expected = {(area, FIRST_DAY + timedelta(days=d)) for area in (1, 2, 3) for d in range(ROUNDS)}
    assert set(planned) == expected, "an (area, day) was missed"
    assert set(planned.values()) == {1}, "an (area, day) was planned twice"
    assert {c.status for c in claims} == {ClaimStatus.DONE}


@pytest.mark.parametrize("fault", FAULT_POINTS)
def test_a_killed_planner_leaves_the_published_rota_intact(
    engine: Engine, database_url: str, fault: str
) -> None:
    """SIGKILL after the draft, in publishing or before commit: old rota intact, next run works."""
    with session_scope(engine) as session:
        import_dataset(session, SAMPLE)
    with Session(engine) as session:
        materialise_visits(session, FIRST_DAY)
        session.commit()
    first = plan_day(engine, FIRST_DAY, options=PlanningOptions(time_budget_seconds=1))
    with Session(engine) as session:
        before = sorted(
            (a.visit_id, a.worker_id, a.start)
            for a in session.exec(select(Assignment).where(Assignment.plan_run_id == first.id))
        )
    killed = homecare(
        database_url, "plan", "--date", FIRST_DAY.isoformat(), "--time-budget", "1", fault=fault
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    with Session(engine) as session:
        pointer = session.exec(select(PublishedRota)).one()
        assert pointer.plan_run_id == first.id
        after = sorted(
            (a.visit_id, a.worker_id, a.start)
            for a in session.exec(select(Assignment).where(Assignment.plan_run_id == first.id))
        )
        assert after == before
        dead = session.exec(select(PlanRun).where(PlanRun.id != first.id)).one()
        assert dead.status != PlanRunStatus.PUBLISHED
    assert fail_abandoned_runs(engine, now=utc_now() + timedelta(minutes=10)) == 1
    with Session(engine) as session:
        assert session.get(PlanRun, dead.id).status == PlanRunStatus.FAILED  # type: ignore[union-attr]
    following = plan_day(engine, FIRST_DAY, options=PlanningOptions(time_budget_seconds=1))
    assert following.status == PlanRunStatus.PUBLISHED
    with Session(engine) as session:
        assert session.exec(select(PublishedRota)).one().plan_run_id == following.id


def test_a_killed_scheduled_run_is_retried_once_its_lease_runs_out(
    engine: Engine, database_url: str
) -> None:
    """The job dies after writing its draft; the next pass re-claims the day and publishes it."""
    generate_scenario(engine, workers=20, seed=2, first_day=FIRST_DAY, areas=1)
    args = (
        "scheduler",
        "--once",
        "--date",
        FIRST_DAY.isoformat(),
        "--time-budget",
        "1",
        "--lease-seconds",
        "2",
    )
    killed = homecare(database_url, *args, fault="after_draft")
    assert killed.returncode == -signal.SIGKILL
    import time as clock

    clock.sleep(2.5)
    retried = homecare(database_url, *args)
    assert retried.returncode == 0, retried.stderr[-2000:]
    with Session(engine) as session:
        runs = session.exec(select(PlanRun).order_by(col(PlanRun.id))).all()
        assert [r.status for r in runs] == [PlanRunStatus.FAILED, PlanRunStatus.PUBLISHED]
        assert session.get(PlanClaim, (1, FIRST_DAY)).status == ClaimStatus.DONE  # type: ignore[union-attr]


RACE_SCRIPT = """
import json, random, sys, time
from datetime import date, timedelta
from scheduler.claims import claim
from scheduler.db.engine import make_engine
url, owner, start_at, days = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
engine = make_engine(url)
while time.time() < start_at:
    time.sleep(0.005)
pairs = [(area, offset) for offset in range(days) for area in (1, 2)]
random.Random(owner).shuffle(pairs)
won = []
for area, offset in pairs:
    day = date(2026, 11, 23) + timedelta(days=offset)
    if claim(engine, area, day, owner):
        won.append([area, day.isoformat()])
print(json.dumps(won))
"""


def test_two_processes_racing_for_many_claims_win_each_exactly_once(
    engine: Engine, database_url: str
) -> None:
    """Many more rounds than the full job race, cheaply: two processes claim the same
    200 (area, day) pairs at the same moment, each in its own random order, so
    they meet on many pairs; each pair has exactly one winner."""
    generate_scenario(engine, workers=10, seed=2, first_day=FIRST_DAY, areas=2)
    days = 100
    start_at = f"{datetime.now(UTC).timestamp() + 3:.3f}"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACE_SCRIPT, database_url, owner, start_at, str(days)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for owner in ("racer-a", "racer-b")
    ]
    outputs = [racer.communicate(timeout=240) for racer in racers]
    assert all(racer.returncode == 0 for racer in racers), outputs
    won = [{(area, day) for area, day in json.loads(out)} for out, _ in outputs]
    expected = {
        (area, (FIRST_DAY + timedelta(days=d)).isoformat()) for area in (1, 2) for d in range(days)
    }
    print(f"racer a won {len(won[0])}, racer b won {len(won[1])}")
    assert not won[0] & won[1], "a pair was claimed twice"
    assert won[0] | won[1] == expected, "a pair was missed"
    with Session(engine) as session:
        owners = {(c.area_id, c.day.isoformat()): c.owner for c in session.exec(select(PlanClaim))}
    assert all(owners[pair] == ("racer-a" if pair in won[0] else "racer-b") for pair in expected)
