"""`make demo`'s preparation: the sample day it plans exercises every rule of the rota."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.build import build_problem
from scheduler.db.models import PlanRun, UnallocatedVisit, UserAccount
from scheduler.demo import prepare_demo

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DAY = date(2026, 11, 24)


def test_the_demo_day_uses_every_rule_and_explains_its_drops(engine: Engine) -> None:
    """Two days are planned; the second has every rule's ingredients, reasons and costs."""
    lines = list(prepare_demo(engine, SAMPLE, day=DAY, seconds=2))
    assert any("pinned visit" in line for line in lines)
    with Session(engine) as session:
        problem = build_problem(session, DAY, [1])
        run = session.exec(select(PlanRun).order_by(col(PlanRun.id).desc())).first()
        assert run is not None and run.status.value == "published"
        dropped = session.exec(
            select(UnallocatedVisit).where(UnallocatedVisit.plan_run_id == run.id)
        ).all()
        roles = {u.role.value for u in session.exec(select(UserAccount))}
    visits, workers = problem.visits, problem.workers
    assert any(v.time_critical for v in visits), "time-critical medicine calls"
    assert any(v.required_skills for v in visits), "skills"
    assert any(len(w.shifts) == 2 for w in workers), "split shifts"
    assert any(v.carers_required == 2 for v in visits), "double-handed visits"
    assert any(v.declined_workers for v in visits), "declined carers"
    assert any(v.carer_gender != "any" and v.carer_gender_strict for v in visits), "strict gender"
    assert any(v.carer_gender != "any" and not v.carer_gender_strict for v in visits), "soft gender"
    assert len({w.transport_mode for w in workers}) >= 2, "travel by more than one mode"
    assert any(w.shifts[-1].end - w.shifts[0].start > 6 * 3600 for w in workers), "rest breaks"
    assert any(w.history.previous_shift_end is not None for w in workers), "11 hours' rest"
    assert any(w.history.week_worked > 0 for w in workers), "weekly hours"
    assert any(w.minimum_seconds_per_week > 0 for w in workers), "contracted minimum"
    assert any(v.preferred_workers for v in visits), "preferred carers"
    assert any(w.history.recent_clients for w in workers), "continuity from recent visits"
    assert any(v.pinned_workers for v in visits), "a pinned assignment"
    assert all(d.reason for d in dropped), "every dropped visit has a reason"
    assert {"travel", "lateness", "continuity", "dropped", "wage", "fairness"} <= set(run.objective)
    assert roles == {"admin", "manager", "coordinator", "worker"}
