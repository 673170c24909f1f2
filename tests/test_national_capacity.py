"""The national benchmark's hour-by-hour capacity against demand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from benchmarks.national.__main__ import POSTGRES, drop_database, fresh_database
from benchmarks.national.capacity import capacity_table, coverage, hourly_loads
from scheduler.db.engine import make_engine
from scheduler.problem import Problem, Shift, VisitSpec, WorkerSpec
from scheduler.travel import Point


def test_supply_and_demand_are_counted_in_the_hours_they_fall_in() -> None:
    """A worker on 08:00–10:00 gives 60 carer-minutes to each of those hours; a
    double-handed 30-minute visit whose window is centred on 08:45 asks 2 × (30 + 9)
    minutes, 15 × 2 in the 08:00 hour and 24 × 2 in the 09:00 hour."""
    worker = WorkerSpec(
        id=1,
        name="W1",
        area_id=1,
        home=Point(52.0, -1.5),
        transport_mode="car",
        gender="female",
        skills=frozenset(),
        shifts=(Shift(8 * 3600, 10 * 3600),),
    )
    visit = VisitSpec(
        id=1,
        client_id=1,
        area_id=1,
        location=Point(52.0, -1.5),
        earliest_start=8 * 3600 + 15 * 60,
        latest_start=9 * 3600 + 15 * 60,
        preferred_start=8 * 3600 + 45 * 60,
        duration=1800,
        carers_required=2,
    )
    problem = Problem(
        day=date(2026, 11, 24),
        origin=datetime(2026, 11, 24, tzinfo=UTC),
        workers=(worker,),
        visits=(visit,),
    )
    loads = hourly_loads(problem)
    assert [(h.hour, h.supply) for h in loads if h.supply] == [(8, 60.0), (9, 60.0)]
    assert [(h.hour, h.demand) for h in loads if h.demand] == [(8, 30.0), (9, 48.0)]
    assert loads[9].ratio == 0.8
    assert "busiest hour 09:00 at 0.80" in capacity_table(loads)


def test_the_national_benchmark_drops_the_postgresql_schema_it_made(tmp_path: Path) -> None:
    """`fresh_database` makes a schema for the run; `drop_database` leaves none behind."""
    url = fresh_database("postgresql", tmp_path)
    schema = url.rsplit("%3D", 1)[1]
    engine = make_engine(POSTGRES)
    query = text("SELECT count(*) FROM pg_namespace WHERE nspname = :name")
    with engine.connect() as connection:
        assert connection.execute(query, {"name": schema}).scalar_one() == 1
    drop_database(url)
    drop_database(fresh_database("sqlite", tmp_path))  # SQLite: nothing to drop, no error
    with engine.connect() as connection:
        assert connection.execute(query, {"name": schema}).scalar_one() == 0
    engine.dispose()


def test_coverage_counts_the_visits_no_qualified_worker_could_take() -> None:
    """Two carers on 08:00–12:00 (one with insulin, one male), one on 17:00–21:00: a
    10:00 visit is coverable; a 14:00 one is not (no one on shift), nor one needing
    PEG feeding (no holder), nor an insulin one asking strictly for a male carer (the
    holder is female), nor a double-handed insulin one (one holder only); a
    double-handed one without skills is."""

    def worker(worker_id: int, gender: str, skills: set[str], start: int, end: int) -> WorkerSpec:
        return WorkerSpec(
            id=worker_id,
            name=f"W{worker_id}",
            area_id=1,
            home=Point(52.0, -1.5),
            transport_mode="car",
            gender=gender,
            skills=frozenset(skills),
            shifts=(Shift(start * 3600, end * 3600),),
        )

    def visit(visit_id: int, hour: int, **extra: object) -> VisitSpec:
        return VisitSpec(
            id=visit_id,
            client_id=visit_id,
            area_id=1,
            location=Point(52.0, -1.5),
            earliest_start=hour * 3600,
            latest_start=hour * 3600 + 1800,
            preferred_start=hour * 3600,
            duration=1800,
            **extra,  # type: ignore[arg-type]
        )

    problem = Problem(
        day=date(2026, 11, 24),
        origin=datetime(2026, 11, 24, tzinfo=UTC),
        workers=(
            worker(1, "female", {"insulin"}, 8, 12),
            worker(2, "male", set(), 8, 12),
            worker(3, "female", set(), 17, 21),
        ),
        visits=(
            visit(1, 10),
            visit(2, 14),
            visit(3, 10, required_skills=frozenset({"peg_feeding"})),
            visit(
                4,
                10,
                required_skills=frozenset({"insulin"}),
                carer_gender="male",
                carer_gender_strict=True,
            ),
            visit(5, 10, required_skills=frozenset({"insulin"}), carers_required=2),
            visit(6, 10, carers_required=2),
        ),
    )
    found = coverage(problem)
    expected = {"on_shift": 1, "skills": 1, "strict_carer_gender": 1, "no_second_carer": 1}
    assert found.area == expected
    assert found.parts == expected
    assert found.area_uncoverable == 4
    assert "4 of 6 (at most 33.33 % allocatable)" in found.text()
