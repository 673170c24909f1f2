"""Every dropped visit carries a reason a coordinator can act on, found by diagnosis."""

from __future__ import annotations

from scheduler.parameters import Parameters
from scheduler.problem import Problem, WorkerHistory
from scheduler.solver.reasons import hhmm
from tests.solver.instances import at, place, problem, solve_checked, visit, worker

PEG = frozenset({"peg_feeding"})


def reason_of(instance: Problem, visit_id: int = 1) -> tuple[str, str]:
    """The (code, words) of a visit's drop."""
    result = solve_checked(instance)
    dropped = {item.visit_id: item for item in result.dropped}
    return dropped[visit_id].reason_code, dropped[visit_id].reason


def test_clock_format() -> None:
    """Seconds from midnight read as HH:MM, past midnight with the day."""
    assert hhmm(at("07:30")) == "07:30"
    assert hhmm(at("23:59") + 120) == "00:01 (+1d)"


def test_nobody_has_the_skill() -> None:
    """A PEG-feeding visit in a team without PEG feeding."""
    code, words = reason_of(problem([worker(1)], [visit(1, required_skills=PEG)]))
    assert code == "skills"
    assert words == "no worker with peg_feeding is working today"


def test_skilled_worker_off_shift() -> None:
    """The only PEG-trained worker works the afternoon; the visit is 07:30–08:30."""
    instance = problem(
        [worker(1), worker(2, skills=PEG, shifts=(("14:00", "22:00"),))],
        [visit(1, required_skills=PEG, window=("07:30", "08:30"))],
    )
    code, words = reason_of(instance)
    assert code == "on_shift"
    assert words == "no worker with peg_feeding on shift 07:30–09:00"


def test_every_qualified_worker_declined() -> None:
    """The client declined both workers."""
    instance = problem([worker(1), worker(2)], [visit(1, declined_workers=frozenset({1, 2}))])
    assert reason_of(instance) == (
        "declined_carers", "every qualified worker is declined by the client"
    )


def test_no_carer_of_the_required_gender() -> None:
    """A strict request for a male carer in an all-female team."""
    instance = problem([worker(1)], [visit(1, carer_gender="male", carer_gender_strict=True)])
    code, words = reason_of(instance)
    assert code == "strict_carer_gender" and "male carer" in words


def test_qualified_workers_fully_booked() -> None:
    """One worker: a 90-minute visit fixed at 07:30 and a less important one to start
    07:30–08:30 that cannot fit around it."""
    instance = problem(
        [worker(1)],
        [visit(1, window=("07:30", "07:30"), priority=1, duration_minutes=90),
         visit(2, window=("07:30", "08:30"), priority=4, location=place(1, 1.1))],
    )
    assert reason_of(instance, 2) == (
        "fully_booked", "qualified workers are fully booked 07:30–09:00"
    )


def test_only_one_qualified_worker_for_a_double_up() -> None:
    """A double-handed hoisting visit with one hoist-trained worker."""
    hoist = frozenset({"hoisting"})
    instance = problem(
        [worker(1, skills=hoist), worker(2)],
        [visit(1, required_skills=hoist, carers_required=2)],
    )
    code, words = reason_of(instance)
    assert code == "no_second_carer"
    assert words.startswith("only one qualified worker (Worker 1)")


def test_no_pair_free_together() -> None:
    """Two workers, one busy 08:00–09:30 and the other 09:30–11:00; the double-up
    needs them both 08:00–11:00 for an hour."""
    instance = problem(
        [worker(1), worker(2)],
        [visit(1, window=("08:00", "10:00"), carers_required=2, duration_minutes=60,
               priority=5),
         visit(2, window=("08:00", "08:00"), duration_minutes=90, pinned_workers=(1,),
               location=place(1.5, 0), priority=1),
         visit(3, window=("09:30", "09:30"), duration_minutes=90, pinned_workers=(2,),
               location=place(1.5, 0), priority=1)],
    )
    code, words = reason_of(instance)
    assert code == "no_pair_free"
    assert words == "no pair of qualified workers free together 08:00–11:00"


def test_no_working_time_left() -> None:
    """The only worker has used up their contracted hours."""
    tired = worker(1, history=WorkerHistory(week_worked=37 * 3600))
    code, words = reason_of(problem([tired], [visit(1)]))
    assert code == "working_time_left"
    assert "contracted hours" in words


def test_time_critical_window_impossible() -> None:
    """A time-critical visit whose window ends an hour before its prescribed time."""
    instance = problem(
        [worker(1)],
        [visit(1, window=("07:00", "07:30"), preferred="09:00", time_critical=True)],
    )
    code, words = reason_of(instance)
    assert code == "window" and "time-critical" in words


def test_working_time_limit_reason() -> None:
    """The only worker would work over ten hours to do both visits."""
    instance = problem(
        [worker(1, home=place(1, 1), shifts=(("06:00", "22:00"),))],
        [visit(1, window=("06:30", "06:30"), priority=1),
         visit(2, window=("20:00", "20:00"), priority=4)],
    )
    result = solve_checked(instance, Parameters())
    assert [(d.visit_id, d.reason_code) for d in result.dropped] == [(2, "working_time_limits")]
