"""Fuzzing the problem builder: random but structurally valid database content never crashes it.

A small generated scenario is perturbed within the documented invariants of
each row (availability ends after it starts, absences likewise, a visit's
earliest start ≤ preferred ≤ latest, 1–600 minutes, one or two carers, pins to
any worker, skills that exist or not, workers inactive or in another area, the
day and the fixed-before instant anywhere near) and the problem is built. No
exception may escape, and the problem must be well formed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scheduler.build import build_problem
from scheduler.db.models import (
    Absence,
    AbsenceKind,
    Area,
    AvailabilityPattern,
    TrainingRecord,
    Visit,
    Worker,
)
from scheduler.generate import generate_scenario

DAY = date(2026, 11, 24)
MINUTE = timedelta(minutes=1)
clock = st.times(min_value=time(0, 0), max_value=time(23, 59)).map(
    lambda t: t.replace(second=0, microsecond=0)
)
offset = st.integers(min_value=-36 * 60, max_value=36 * 60).map(lambda m: m * MINUTE)


@st.composite
def perturbations(
    draw: st.DrawFn, worker_ids: list[int], visit_ids: list[int], area_ids: list[int]
) -> dict:  # type: ignore[type-arg]
    """One random set of changes to the scenario, each row kept structurally valid."""
    workers = st.sampled_from(worker_ids)
    visits = st.sampled_from(visit_ids)
    skills = st.lists(
        st.sampled_from(["personal_care", "medication", "dementia_care", "hoist", "unheard_of"]),
        max_size=3,
        unique=True,
    )
    return {
        "day": DAY + timedelta(days=draw(st.integers(-1, 1))),
        "areas": draw(st.lists(st.sampled_from(area_ids), min_size=1, unique=True)),
        "fixed_before": draw(
            st.none() | offset.map(lambda d: datetime.combine(DAY, time(6), tzinfo=UTC) + d)
        ),
        "inactive": draw(st.lists(workers, max_size=3, unique=True)),
        "moved": draw(st.lists(st.tuples(workers, st.sampled_from(area_ids)), max_size=2)),
        "late_start": draw(st.lists(workers, max_size=2, unique=True)),
        "patterns": draw(
            st.lists(
                st.tuples(workers, st.integers(0, 6), clock, st.integers(1, 24 * 60 - 1)),
                max_size=6,
            )
        ),
        "drop_patterns": draw(st.lists(workers, max_size=3, unique=True)),
        "absences": draw(st.lists(st.tuples(workers, offset, st.integers(1, 48 * 60)), max_size=4)),
        "expired_training": draw(st.lists(workers, max_size=3, unique=True)),
        "visits": draw(
            st.lists(
                st.tuples(
                    visits,
                    offset,
                    st.integers(0, 6 * 60),
                    st.integers(0, 6 * 60),
                    st.integers(1, 600),
                    st.integers(1, 2),
                    st.booleans(),
                    skills,
                    st.none() | workers,
                    st.none() | workers,
                ),
                max_size=8,
            )
        ),
    }


def apply(session: Session, change: dict) -> None:  # type: ignore[type-arg]
    """Write one perturbation into the session (rolled back by the caller)."""
    for worker_id in change["inactive"]:
        worker = session.get(Worker, worker_id)
        assert worker is not None
        worker.active = False
    for worker_id, area_id in change["moved"]:
        worker = session.get(Worker, worker_id)
        assert worker is not None
        worker.area_id = area_id
    for worker_id in change["late_start"]:
        worker = session.get(Worker, worker_id)
        assert worker is not None
        worker.start_date = DAY
    for worker_id in change["drop_patterns"]:
        for pattern in session.exec(
            select(AvailabilityPattern).where(AvailabilityPattern.worker_id == worker_id)
        ):
            session.delete(pattern)
    for worker_id, weekday, start, minutes in change["patterns"]:
        end = datetime.combine(DAY, start) + minutes * MINUTE
        end_time = end.time() if end.date() == DAY else time(23, 59)
        if end_time > start:
            session.add(
                AvailabilityPattern(
                    worker_id=worker_id, weekday=weekday, start_time=start, end_time=end_time
                )
            )
    midnight = datetime.combine(DAY, time(0), tzinfo=UTC)
    for worker_id, shift, minutes in change["absences"]:
        starts = midnight + shift
        session.add(
            Absence(
                worker_id=worker_id,
                kind=AbsenceKind.SICKNESS,
                starts_at=starts,
                ends_at=starts + minutes * MINUTE,
            )
        )
    for worker_id in change["expired_training"]:
        for record in session.exec(
            select(TrainingRecord).where(TrainingRecord.worker_id == worker_id)
        ):
            record.expires_on = DAY - timedelta(days=1)
    for (
        visit_id,
        shift,
        to_preferred,
        to_latest,
        duration,
        carers,
        critical,
        skills,
        first,
        second,
    ) in change["visits"]:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        visit.earliest_start = midnight + shift
        visit.preferred_start = visit.earliest_start + to_preferred * MINUTE
        visit.latest_start = visit.preferred_start + to_latest * MINUTE
        visit.duration_minutes = duration
        visit.carers_required = carers
        visit.time_critical = critical
        visit.required_skills = skills
        visit.pinned_worker_id = first
        visit.pinned_second_worker_id = second if carers == 2 else None
        visit.version += 1
    session.flush()


def test_the_problem_builder_never_crashes(engine: Engine) -> None:
    """Hypothesis perturbs the scenario; every build returns a well-formed problem."""
    generate_scenario(engine, workers=8, seed=5, first_day=DAY, areas=2)
    with Session(engine) as session:
        worker_ids = [w for w in session.exec(select(Worker.id)) if w]
        visit_ids = [v for v in session.exec(select(Visit.id)) if v]
        area_ids = [a for a in session.exec(select(Area.id)) if a]
    assert worker_ids and visit_ids and len(area_ids) == 2
    sizes: list[int] = []

    @settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
    )
    @given(change=perturbations(worker_ids, visit_ids, area_ids))
    def build(change: dict) -> None:  # type: ignore[type-arg]
        with Session(engine) as session:
            try:
                apply(session, change)
                problem = build_problem(
                    session, change["day"], change["areas"], fixed_before=change["fixed_before"]
                )
            finally:
                session.rollback()
        sizes.append(len(problem.visits))
        ids = [v.id for v in problem.visits]
        assert len(ids) == len(set(ids))
        assert len({w.id for w in problem.workers}) == len(problem.workers)
        for visit in problem.visits:
            assert visit.duration > 0 and visit.carers_required in (1, 2)

    build()
    assert max(sizes) > 0, "no example built a problem with visits"
