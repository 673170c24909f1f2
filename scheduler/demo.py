"""The quickstart: load the sample area, plan a day, and create a login per role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.accounts import create_user
from scheduler.db.engine import session_scope
from scheduler.db.migrate import upgrade
from scheduler.db.models import Area, Role, UserAccount, Worker

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


def prepare_demo(engine: Engine, sample: Path, *, day: date, seconds: float) -> Iterator[str]:
    """Migrate, load ``sample`` if the database is empty, plan ``day``; yield progress lines."""
    from scheduler.io import import_dataset
    from scheduler.pipeline import PlanningOptions, plan_day
    from scheduler.visits import materialise_visits

    upgrade(engine)
    yield f"database: {engine.url.render_as_string(hide_password=True)}"
    with session_scope(engine) as session:
        if session.exec(select(Area)).first() is None:
            reports = import_dataset(session, sample)
            counts = ", ".join(f"{kind} {report.rows}" for kind, report in reports.items())
            yield f"loaded the sample area from {sample}: {counts}"
    with Session(engine) as session:
        made = materialise_visits(session, day, None)
        session.commit()
    yield f"made {made} visits for {day.isoformat()} from care plans"
    run = plan_day(
        engine, day, options=PlanningOptions(time_budget_seconds=seconds), trigger="demo"
    )
    figures = run.figures
    yield (
        f"plan run {run.id} {run.status.value}: {figures.get('allocated')} of "
        f"{figures.get('visits')} visits allocated, travel share {figures.get('travel_share')}"
    )
    yield "logins (one per role):"
    yield from ensure_demo_users(engine)
