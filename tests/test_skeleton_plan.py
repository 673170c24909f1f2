"""The walking skeleton: the sample area from files to a published, validated, served rota."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from scheduler.accounts import create_user
from scheduler.build import build_problem
from scheduler.db.engine import session_scope
from scheduler.db.models import (
    Assignment,
    PlanRun,
    PlanRunStatus,
    PublishedRota,
    Role,
    UnallocatedVisit,
    Visit,
)
from scheduler.io import import_dataset
from scheduler.pipeline import PlanFailed, PlanningOptions, plan_day
from scheduler.validate import validate
from scheduler.visits import materialise_visits

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DAY = date(2026, 11, 24)
SECONDS = 3.0


@pytest.fixture
def sample(engine: Engine) -> Engine:
    """The committed sample area loaded, with the visits of DAY made from its care plans."""
    with session_scope(engine) as session:
        import_dataset(session, SAMPLE)
    with Session(engine) as session:
        assert materialise_visits(session, DAY) > 100
        session.commit()
    return engine


def test_sample_area_is_planned_validated_and_published(sample: Engine) -> None:
    """Planning the sample day publishes a run whose plan the validator accepts."""
    run = plan_day(sample, DAY, options=PlanningOptions(time_budget_seconds=SECONDS))
    assert run.status == PlanRunStatus.PUBLISHED
    with Session(sample) as session:
        visits = session.exec(select(func.count()).select_from(Visit).where(Visit.day == DAY)).one()
        assigned = session.exec(
            select(func.count(func.distinct(Assignment.visit_id))).where(
                Assignment.plan_run_id == run.id
            )
        ).one()
        dropped = session.exec(
            select(UnallocatedVisit).where(UnallocatedVisit.plan_run_id == run.id)
        ).all()
        pointer = session.exec(select(PublishedRota)).one()
        assert pointer.plan_run_id == run.id
        assert assigned + len(dropped) == visits
        assert assigned >= 0.8 * visits
        assert all(d.reason for d in dropped)
        assert run.figures["visits"] == visits
        assert set(run.objective) >= {"travel"}
        problem = build_problem(session, DAY, [pointer.area_id])
    assert problem.visits and problem.workers


def test_stored_assignments_respect_windows_skills_and_shifts(sample: Engine) -> None:
    """Read back, every stop starts in its window, by a qualified worker on shift."""
    run = plan_day(sample, DAY, options=PlanningOptions(time_budget_seconds=SECONDS))
    with Session(sample) as session:
        pointer = session.exec(select(PublishedRota)).one()
        problem = build_problem(session, DAY, [pointer.area_id])
        rows = session.exec(
            select(Assignment, Visit)
            .join(Visit, col(Visit.id) == Assignment.visit_id)
            .where(Assignment.plan_run_id == run.id)
        ).all()
    workers = {w.id: w for w in problem.workers}
    assert rows
    for assignment, visit in rows:
        assert visit.earliest_start <= assignment.start <= visit.latest_start
        assert assignment.end - assignment.start == timedelta(minutes=visit.duration_minutes)
        worker = workers[assignment.worker_id]
        assert set(visit.required_skills) <= worker.skills
        start = int((assignment.start - problem.origin).total_seconds())
        end = int((assignment.end - problem.origin).total_seconds())
        assert any(s.start <= start and end <= s.end for s in worker.shifts)


def test_replanning_publishes_a_new_version_and_keeps_the_old(sample: Engine) -> None:
    """A second plan of the same day supersedes the first, which stays stored."""
    first = plan_day(sample, DAY, options=PlanningOptions(time_budget_seconds=1.0))
    second = plan_day(sample, DAY, options=PlanningOptions(time_budget_seconds=1.0))
    with Session(sample) as session:
        assert session.exec(select(PublishedRota)).one().plan_run_id == second.id
        old = session.get(PlanRun, first.id)
        assert old is not None and old.status == PlanRunStatus.SUPERSEDED
        assert (
            session.exec(
                select(func.count())
                .select_from(Assignment)
                .where(Assignment.plan_run_id == first.id)
            ).one()
            > 0
        )


def test_the_rota_is_served_over_http(sample: Engine, client) -> None:  # type: ignore[no-untyped-def]
    """A coordinator fetches the published rota of the sample area by HTTP."""
    run = plan_day(sample, DAY, options=PlanningOptions(time_budget_seconds=1.0))
    with session_scope(sample) as session:
        pointer = session.exec(select(PublishedRota)).one()
        create_user(
            session,
            username="c",
            password="pw-123456",
            role=Role.COORDINATOR,
            area_ids=[pointer.area_id],
        )
        area_id = pointer.area_id
    token = client.post(
        "/api/v1/auth/token", json={"username": "c", "password": "pw-123456"}
    ).get_json()["token"]
    response = client.get(
        f"/api/v1/areas/{area_id}/rota?date={DAY}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["plan_run_id"] == run.id
    stops = [stop for worker in body["workers"] for stop in worker["stops"]]
    assert (
        len(stops)
        == run.figures["allocated"] + sum(1 for s in stops if s["carers_required"] == 2) // 2
    )
    first = datetime.fromisoformat(stops[0]["start"])
    assert first.utcoffset() is not None
    assert len(body["unallocated"]) == run.figures["unallocated"]
    assert all(u["reason"] for u in body["unallocated"])


def test_a_plan_the_validator_rejects_is_not_published(
    sample: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the independent validator finds a violation, the run fails and nothing is published."""
    import scheduler.pipeline as pipeline
    from scheduler.validate import Violation

    def strict(problem, result, params=None):  # type: ignore[no-untyped-def]
        return [*validate(problem, result, params), Violation("test", None, None, "forced")]

    monkeypatch.setattr(pipeline, "validate", strict)
    with pytest.raises(PlanFailed, match="forced"):
        plan_day(sample, DAY, options=PlanningOptions(time_budget_seconds=0.5))
    with Session(sample) as session:
        assert session.exec(select(PublishedRota)).all() == []
        run = session.exec(select(PlanRun)).one()
        assert run.status == PlanRunStatus.FAILED and "forced" in run.error
