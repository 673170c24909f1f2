"""`make demo`'s preparation: the sample day it plans exercises every rule of the rota."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.build import build_problem
from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from scheduler.db.models import PlanRun, UnallocatedVisit, UserAccount
from scheduler.demo import prepare_demo
from scheduler.io import import_dataset
from scheduler.io.shift import sample_as_of, shift_dataset, weeks_between
from scheduler.visits import materialise_visits

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


def _day_as_seen(session: Session, day: date) -> tuple[list[tuple[str, tuple[str, ...]]], int]:
    """Each worker's skills valid on ``day`` and the number of visits, from the database."""
    problem = build_problem(session, day, [1])
    skills = sorted((w.name, tuple(sorted(w.skills))) for w in problem.workers)
    return skills, len(problem.visits)


def test_the_demo_a_year_on_sees_the_sample_as_on_the_day_it_was_made(
    engine: Engine, tmp_path: Path
) -> None:
    """Training, care plans and rosters move with the demo day, so the sample never decays."""
    later = DAY + timedelta(weeks=52)
    lines = list(prepare_demo(engine, SAMPLE, day=later, seconds=1))
    assert any("dates moved 52 weeks from 2026-11-24" in line for line in lines)
    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(reference)
    with Session(reference) as session:
        import_dataset(session, SAMPLE)
        materialise_visits(session, DAY, None)
        session.commit()
        expected = _day_as_seen(session, DAY)
    reference.dispose()
    with Session(engine) as session:
        seen = _day_as_seen(session, later)
    assert expected[1] > 100 and any(skills for _, skills in expected[0])
    assert seen == expected


def test_shifting_a_dataset_keeps_weekdays_wall_clock_times_and_birthdays(tmp_path: Path) -> None:
    """Whole weeks keep weekdays; absences keep their London time across a clock change."""
    shifted = shift_dataset(SAMPLE, tmp_path / "shifted", 30)
    original = (SAMPLE / "training.csv").read_text(encoding="utf-8-sig").splitlines()
    moved = (shifted / "training.csv").read_text(encoding="utf-8-sig").splitlines()
    first, second = original[1].split(","), moved[1].split(",")
    assert date.fromisoformat(second[2]) - date.fromisoformat(first[2]) == timedelta(weeks=30)
    people = (shifted / "workers.csv").read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    source = (SAMPLE / "workers.csv").read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    assert people[11] == source[11], "date of birth unchanged"
    (tmp_path / "winter").mkdir()
    (tmp_path / "winter" / "absences.csv").write_text(
        "worker_ref,kind,starts_at,ends_at,note\n"
        "EMP1,sickness,2026-12-01T09:00:00+00:00,2026-12-01T17:00:00+00:00,\n",
        encoding="utf-8-sig",
    )
    summer = shift_dataset(tmp_path / "winter", tmp_path / "summer", 26)
    row = (summer / "absences.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert "2027-06-01T09:00:00+01:00" in row, row
    assert sample_as_of(SAMPLE) == DAY and weeks_between(DAY, DAY + timedelta(days=13)) == 1
