"""Random small days, solved briefly: the validator finds nothing and every drop says why.

Hypothesis draws a few workers (split shifts, skills, transport modes, young
workers, working-time history) and up to 40 visits (double-handed, time-critical,
skills, declined and preferred carers, strict gender, pinned and fixed visits).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.problem import Problem, Shift, VisitSpec, WorkerHistory, WorkerSpec
from scheduler.solver import solve
from scheduler.validate import validate
from tests.solver.instances import DAY, ORIGIN, place

SKILLS = ("medication", "peg_feeding", "hoisting")
FIVE_MINUTES = 300


@st.composite
def workers(draw: st.DrawFn, count: int) -> list[WorkerSpec]:
    """``count`` workers with one or two shifts and some history."""
    result = []
    for worker_id in range(1, count + 1):
        start = draw(st.integers(6 * 12, 12 * 12)) * FIVE_MINUTES
        length = draw(st.integers(2 * 12, 10 * 12)) * FIVE_MINUTES
        shifts = [Shift(start, start + length)]
        if draw(st.booleans()):
            gap = draw(st.integers(1, 5 * 12)) * FIVE_MINUTES
            second = draw(st.integers(1 * 12, 6 * 12)) * FIVE_MINUTES
            shifts.append(Shift(start + length + gap, start + length + gap + second))
        previous = draw(st.one_of(st.none(), st.integers(-6 * 12, 0).map(lambda m: m * 300)))
        result.append(WorkerSpec(
            id=worker_id,
            name=f"Worker {worker_id}",
            area_id=1,
            home=place(draw(st.floats(-2, 2)), draw(st.floats(-2, 2))),
            transport_mode=draw(st.sampled_from(("car", "car", "walking", "public_transport"))),
            gender=draw(st.sampled_from(("female", "male"))),
            skills=frozenset(draw(st.sets(st.sampled_from(SKILLS)))),
            shifts=tuple(shifts),
            hourly_pay_pence=draw(st.integers(1100, 2000)),
            contracted_seconds_per_week=draw(st.integers(10, 48)) * 3600,
            minimum_seconds_per_week=draw(st.integers(0, 20)) * 3600,
            opted_out_of_48h=draw(st.booleans()),
            young_worker=draw(st.integers(0, 9)) == 0,
            history=WorkerHistory(
                previous_shift_end=previous,
                week_worked=draw(st.integers(0, 30)) * 3600,
                reference_worked=draw(st.integers(0, 800)) * 3600,
                reference_days=draw(st.integers(0, 118)),
                recent_clients=tuple(
                    (client, 2) for client in draw(st.sets(st.integers(1, 8), max_size=3))
                ),
            ),
        ))
    return result


@st.composite
def visits(draw: st.DrawFn, count: int, worker_ids: list[int]) -> list[VisitSpec]:
    """``count`` visits with every kind of requirement, some pinned or fixed."""
    result = []
    for visit_id in range(1, count + 1):
        earliest = draw(st.integers(6 * 12, 21 * 12)) * FIVE_MINUTES
        latest = earliest + draw(st.integers(0, 3 * 12)) * FIVE_MINUTES
        preferred = draw(st.integers(earliest // FIVE_MINUTES, latest // FIVE_MINUTES)) * 300
        carers = 2 if draw(st.integers(0, 4)) == 0 else 1
        gender = draw(st.sampled_from(("any", "any", "female", "male")))
        chosen = draw(st.permutations(worker_ids))
        pinned: tuple[int, ...] = ()
        fixed, published, published_start = False, (), None
        kind = draw(st.integers(0, 19))
        if kind == 0:
            pinned = tuple(chosen[: draw(st.integers(1, min(carers, len(chosen))))])
        elif kind == 1 and len(chosen) >= carers:
            fixed, published = True, tuple(chosen[:carers])
            published_start = preferred
        elif kind == 2 and len(chosen) >= carers:
            published, published_start = tuple(chosen[:carers]), preferred
        result.append(VisitSpec(
            id=visit_id,
            client_id=draw(st.integers(1, 8)),
            area_id=1,
            location=place(draw(st.floats(-2, 2)), draw(st.floats(-2, 2))),
            earliest_start=earliest,
            latest_start=latest,
            preferred_start=preferred,
            duration=draw(st.sampled_from((15, 30, 30, 45, 60))) * 60,
            required_skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=2))),
            carers_required=carers,
            time_critical=draw(st.integers(0, 6)) == 0,
            priority=draw(st.integers(1, 5)),
            carer_gender=gender,
            carer_gender_strict=gender != "any" and draw(st.booleans()),
            declined_workers=frozenset(draw(st.sets(st.sampled_from(worker_ids), max_size=1))),
            preferred_workers=frozenset(draw(st.sets(st.sampled_from(worker_ids), max_size=1))),
            pinned_workers=pinned,
            published_workers=published,
            published_start=published_start,
            fixed=fixed,
        ))
    return result


@st.composite
def small_days(draw: st.DrawFn) -> Problem:
    """A day of 1–4 workers and 1–40 visits."""
    team = draw(workers(draw(st.integers(1, 4))))
    planned = draw(visits(draw(st.integers(1, 40)), [w.id for w in team]))
    return Problem(day=DAY, origin=ORIGIN, workers=tuple(team), visits=tuple(planned),
                   name="hypothesis")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(small_days())
def test_random_days_are_planned_lawfully(day: Problem) -> None:
    """Any small day is planned without breaking a hard rule, every visit is either
    planned or dropped with a reason."""
    result = solve(day, time_limit_seconds=0.4)
    assert validate(day, result) == []
    assert all(item.reason for item in result.dropped)
    planned = {a.visit_id for a in result.assignments}
    dropped = {item.visit_id for item in result.dropped}
    assert planned | dropped == {v.id for v in day.visits}
    assert not planned & dropped
