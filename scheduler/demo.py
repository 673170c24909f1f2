"""The quickstart: load the sample area, plan a day, and create a login per role."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.accounts import create_user
from scheduler.db.engine import session_scope
from scheduler.db.migrate import upgrade
from scheduler.db.models import Area, Role, UserAccount, Visit, Worker
from scheduler.io.shift import sample_as_of, shift_dataset, weeks_between

DEMO_PASSWORD = "demo-password"


def ensure_demo_users(engine: Engine, *, password: str = DEMO_PASSWORD) -> list[str]:
    """One account per role on the first area (idempotent); lines describing each login."""
    with session_scope(engine) as session:
        area = session.exec(select(Area).order_by(col(Area.id))).first()
        if area is None:
            raise RuntimeError("load some data first: there is no area")
        worker = session.exec(
            select(Worker).where(Worker.area_id == area.id).order_by(col(Worker.id))
        ).first()
        wanted: dict[str, dict[str, Any]] = {
            "admin": {"role": Role.ADMIN},
            "manager": {"role": Role.MANAGER, "region_id": area.region_id},
            "coordinator": {"role": Role.COORDINATOR, "area_ids": [area.id]},
            "worker": {"role": Role.WORKER, "worker_id": worker.id if worker else None},
        }
        lines = []
        for username, scope in wanted.items():
            exists = session.exec(
                select(UserAccount).where(UserAccount.username == username)
            ).first()
            if exists is None:
                create_user(session, username=username, password=password, **scope)
            lines.append(f"  {scope['role'].value:<12} username {username:<12} password {password}")
        return lines


def pin_a_familiar_carer(engine: Engine, day: date) -> str | None:
    """Pin one visit of ``day`` to the carer who visited that client the day before,
    as a coordinator would; returns a line saying which, or None if none fits."""
    from scheduler.build import build_problem, published_plan

    with Session(engine) as session:
        area_ids = [a for a in session.exec(select(Area.id)).all() if a]
        problem = build_problem(session, day, area_ids)
        yesterday = published_plan(session, area_ids, day - timedelta(days=1))
        yesterday_visits = session.exec(
            select(Visit).where(col(Visit.id).in_(list(yesterday)))
        ).all()
    carer_of = {v.client_id: yesterday[v.id or 0][0][0] for v in yesterday_visits}
    workers = {w.id: w for w in problem.workers}
    for visit in problem.visits:
        worker = workers.get(carer_of.get(visit.client_id, -1))
        if worker is None or visit.carers_required != 1 or visit.pinned_workers:
            continue
        if not visit.required_skills <= worker.skills or worker.id in visit.declined_workers:
            continue
        if not any(
            s.start <= visit.earliest_start and visit.earliest_start + visit.duration <= s.end
            for s in worker.shifts
        ):
            continue
        with session_scope(engine) as session:
            row = session.get(Visit, visit.id)
            assert row is not None
            row.pinned_worker_id = worker.id
            row.version += 1
            session.add(row)
        return f"pinned visit {visit.id} to {worker.name}, who came to this client yesterday"
    return None


def prepare_demo(engine: Engine, sample: Path, *, day: date, seconds: float) -> Iterator[str]:
    """Migrate, load ``sample`` if the database is empty, plan the day before ``day``
    (so rest, weekly hours and continuity have history), pin one visit as a
    coordinator would, and plan ``day``; yield progress lines."""
    from scheduler.io import import_dataset
    from scheduler.pipeline import PlanningOptions, plan_day
    from scheduler.visits import materialise_visits

    upgrade(engine)
    yield f"database: {engine.url.render_as_string(hide_password=True)}"
    with session_scope(engine) as session:
        if session.exec(select(Area)).first() is None:
            as_of = sample_as_of(sample)
            weeks = weeks_between(as_of, day) if as_of else 0
            with tempfile.TemporaryDirectory(prefix="homecare-sample-") as folder:
                current = shift_dataset(sample, Path(folder), weeks)
                reports = import_dataset(session, current)
            counts = ", ".join(f"{kind} {report.rows}" for kind, report in reports.items())
            moved = f" (dates moved {weeks} weeks from {as_of})" if weeks else ""
            yield f"loaded the sample area from {sample}{moved}: {counts}"
    options = PlanningOptions(time_budget_seconds=seconds)
    for planned_day in (day - timedelta(days=1), day):
        with Session(engine) as session:
            made = materialise_visits(session, planned_day, None)
            session.commit()
        if planned_day == day:
            pinned = pin_a_familiar_carer(engine, day)
            if pinned:
                yield pinned
        run = plan_day(engine, planned_day, options=options, trigger="demo")
        figures = run.figures
        yield (
            f"{planned_day.isoformat()}: made {made} visits; plan run {run.id} "
            f"{run.status.value}: {figures.get('allocated')} of {figures.get('visits')} "
            f"visits allocated, travel share {figures.get('travel_share')}"
        )
    yield "objective by component: " + ", ".join(
        f"{name} {value}" for name, value in sorted(run.objective.items())
    )
    yield "logins (one per role):"
    yield from ensure_demo_users(engine)
