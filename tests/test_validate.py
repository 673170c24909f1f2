"""The independent validator catches every kind of broken plan, on hand-made plans."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler.parameters import Parameters
from scheduler.problem import (
    DroppedVisit,
    PlannedBreak,
    PlannedVisit,
    Problem,
    Result,
    Shift,
    WorkerHistory,
)
from scheduler.validate import Violation, validate
from tests.solver.instances import at, place, problem, visit, worker


def small_day() -> Problem:
    """Worker 1 (07:00–15:00, medication, female) and worker 2 (split 07:00–10:00 and
    12:00–15:00, male); visit 1 needs medication (08:00–09:00), visit 2 is
    double-handed (12:00–13:00), visit 3 is time-critical at 10:00 (09:00–11:00)."""
    return problem(
        [
            worker(1, home=place(0, 0), skills=frozenset({"medication"})),
            worker(2, home=place(0, 0.5), gender="male",
                   shifts=(("07:00", "10:00"), ("12:00", "15:00"))),
        ],
        [
            visit(1, location=place(1, 0), window=("08:00", "09:00"),
                  required_skills=frozenset({"medication"})),
            visit(2, location=place(1.5, 0), window=("12:00", "13:00"), carers_required=2),
            visit(3, location=place(1, 0.5), window=("09:00", "11:00"), preferred="10:00",
                  time_critical=True),
        ],
    )


def planned(instance: Problem, worker_id: int, stops: list[tuple[int, str]]) -> list[PlannedVisit]:
    """A worker's stops (visit, HH:MM) with the right travel figures."""
    people = {w.id: w for w in instance.workers}
    places = {v.id: v for v in instance.visits}
    result, previous = [], people[worker_id].home
    for sequence, (visit_id, clock) in enumerate(stops):
        spec = places[visit_id]
        travel = instance.travel.seconds(previous, spec.location, "car")
        result.append(PlannedVisit(visit_id, worker_id, sequence, at(clock),
                                   at(clock) + spec.duration, travel))
        previous = spec.location
    return result


def lawful_plan(instance: Problem) -> Result:
    """Worker 1 does visits 1, 3 and 2; worker 2 joins them for visit 2 at 12:30."""
    assignments = planned(instance, 1, [(1, "08:00"), (3, "10:00"), (2, "12:30")]) + planned(
        instance, 2, [(2, "12:30")]
    )
    return Result(tuple(assignments), (), {}, "feasible", 0.0)


def rules(instance: Problem, result: Result, params: Parameters | None = None) -> set[str]:
    """The names of the rules broken."""
    return {v.rule for v in validate(instance, result, params)}


def with_assignment(result: Result, index: int, **changes: object) -> Result:
    """The result with one assignment changed."""
    items = list(result.assignments)
    items[index] = replace(items[index], **changes)  # type: ignore[arg-type]
    return replace(result, assignments=tuple(items))


def test_a_lawful_plan_passes() -> None:
    """The hand-made plan keeps every rule."""
    instance = small_day()
    assert validate(instance, lawful_plan(instance)) == []


def test_violation_is_plain_data() -> None:
    """A violation names the rule, the visit, the worker and what is wrong."""
    instance = small_day()
    broken = with_assignment(lawful_plan(instance), 0, start=at("07:00"), end=at("07:30"))
    found = [v for v in validate(instance, broken) if v.rule == "time_window"]
    assert found == [Violation("time_window", 1, 1, found[0].message)]
    assert "07:00" in found[0].message


# --- allocation ----------------------------------------------------------------------


def test_visit_neither_planned_nor_dropped() -> None:
    """Leaving out a visit altogether is caught."""
    instance = small_day()
    plan = lawful_plan(instance)
    missing = replace(plan, assignments=tuple(a for a in plan.assignments if a.visit_id != 3))
    assert "unaccounted" in rules(instance, missing)


def test_dropped_without_reason_and_also_assigned() -> None:
    """A drop needs a reason, and a visit cannot be both dropped and assigned."""
    instance = small_day()
    plan = replace(lawful_plan(instance), dropped=(DroppedVisit(3, "x", " "),))
    assert {"dropped_reason", "assigned_and_dropped"} <= rules(instance, plan)


def test_double_handed_with_one_carer() -> None:
    """A double-handed visit with only one carer is caught."""
    instance = small_day()
    plan = lawful_plan(instance)
    single = replace(plan, assignments=plan.assignments[:-1])
    assert "carers_required" in rules(instance, single)


def test_same_carer_twice() -> None:
    """The same worker as both carers of a double-handed visit is caught."""
    instance = small_day()
    plan = lawful_plan(instance)
    twice = replace(plan, assignments=(*plan.assignments[:-1],
                                       replace(plan.assignments[2], sequence=3)))
    assert {"carer_twice", "carers_required"} <= rules(instance, twice)


def test_unknown_visit_and_worker() -> None:
    """Assignments to visits or workers not in the problem are caught."""
    instance = small_day()
    plan = lawful_plan(instance)
    stranger = PlannedVisit(99, 1, 9, at("14:00"), at("14:30"), 0)
    ghost = PlannedVisit(3, 42, 0, at("10:00"), at("10:30"), 0)
    found = rules(instance, replace(plan, assignments=(*plan.assignments, stranger, ghost)))
    assert {"unknown_visit", "unknown_worker"} <= found


# --- visit rules ---------------------------------------------------------------------


def test_time_critical_tolerance() -> None:
    """A time-critical visit 50 minutes late is caught though inside its window."""
    instance = small_day()
    late = with_assignment(lawful_plan(instance), 1, start=at("10:50"), end=at("11:20"))
    assert "time_critical" in rules(instance, late)


def test_skills_declined_and_strict_gender() -> None:
    """The wrong worker for the client is caught on each count."""
    instance = small_day()
    visits = list(instance.visits)
    visits[0] = replace(visits[0], declined_workers=frozenset({1}), carer_gender="male",
                        carer_gender_strict=True, required_skills=frozenset({"peg_feeding"}))
    changed = replace(instance, visits=tuple(visits))
    assert {"skills", "declined_carer", "carer_gender"} <= rules(changed, lawful_plan(instance))


def test_pinned_and_fixed() -> None:
    """A visit pinned to worker 2 but given to worker 1 is caught, and so is a fixed
    visit moved from its published start."""
    instance = small_day()
    visits = list(instance.visits)
    visits[0] = replace(visits[0], pinned_workers=(2,))
    visits[2] = replace(visits[2], fixed=True, published_workers=(1,),
                        published_start=at("09:55"))
    assert {"pinned", "fixed"} <= rules(replace(instance, visits=tuple(visits)),
                                        lawful_plan(instance))


def test_double_handed_carers_out_of_step() -> None:
    """Carers of a double-handed visit starting ten minutes apart are caught."""
    instance = small_day()
    plan = with_assignment(lawful_plan(instance), 3, start=at("12:40"), end=at("13:10"))
    assert "double_handed_sync" in rules(instance, plan)
    loose = Parameters(double_handed_sync_tolerance_seconds=600)
    assert "double_handed_sync" not in rules(instance, plan, loose)


def test_wrong_duration() -> None:
    """A visit cut short is caught."""
    instance = small_day()
    assert "duration" in rules(instance, with_assignment(lawful_plan(instance), 0,
                                                         end=at("08:20")))


# --- route rules ---------------------------------------------------------------------


def test_overlap_and_travel_time() -> None:
    """Two visits at once, or without time to travel between them, are caught."""
    instance = small_day()
    overlapping = with_assignment(lawful_plan(instance), 1, start=at("08:10"), end=at("08:40"))
    assert "overlap" in rules(instance, overlapping)
    rushed = with_assignment(lawful_plan(instance), 1, start=at("08:31"), end=at("09:01"))
    assert "travel_time" in rules(instance, rushed)


def test_wrong_travel_figure() -> None:
    """A travel figure that is not the mode's travel time is caught."""
    instance = small_day()
    assert "travel_figure" in rules(instance, with_assignment(lawful_plan(instance), 0,
                                                              travel=1))


def test_visit_in_a_split_shift_gap() -> None:
    """Worker 2's visit in the gap between their shifts is caught."""
    instance = small_day()
    plan = lawful_plan(instance)
    gap = planned(instance, 2, [(2, "11:00")])
    moved = replace(plan, assignments=(*plan.assignments[:3], *gap))
    assert "shift" in rules(instance, moved)


def test_first_visit_unreachable_on_shift() -> None:
    """A first visit at 07:01, with no time on shift to travel from home, is caught."""
    instance = small_day()
    early = with_assignment(lawful_plan(instance), 0, start=at("07:01"), end=at("07:31"))
    assert "shift" in rules(instance, early)


def test_sequence_must_follow_time() -> None:
    """Sequence numbers out of time order are caught."""
    instance = small_day()
    plan = with_assignment(lawful_plan(instance), 0, sequence=5)
    assert "sequence" in rules(instance, plan)


def test_break_overlapping_a_visit() -> None:
    """A break during a visit is caught."""
    instance = small_day()
    plan = replace(lawful_plan(instance), breaks=(PlannedBreak(1, at("08:10"), at("08:30")),))
    assert "break" in rules(instance, plan)


# --- working time --------------------------------------------------------------------


def long_day() -> tuple[Problem, Result]:
    """Worker 1 alone: visits at 07:30 and 14:00 (over six hours' work, idle between)."""
    instance = problem(
        [worker(1, home=place(0, 0))],
        [visit(1, location=place(1, 0), window=("07:30", "07:30")),
         visit(2, location=place(1, 0), window=("14:00", "14:00"))],
    )
    stops = planned(instance, 1, [(1, "07:30"), (2, "14:00")])
    return instance, Result(tuple(stops), (), {}, "feasible", 0.0)


def test_rest_break_is_needed_after_six_hours() -> None:
    """Idle time is not a break; a planned 20-minute break inside the day is."""
    instance, plan = long_day()
    assert "rest_break" in rules(instance, plan)
    rested = replace(plan, breaks=(PlannedBreak(1, at("10:00"), at("10:20")),))
    assert "rest_break" not in rules(instance, rested)


def test_split_shift_gap_counts_as_a_break() -> None:
    """A gap of an hour between split shifts is a break."""
    instance, plan = long_day()
    shifts = (Shift(at("07:00"), at("10:00")), Shift(at("11:00"), at("15:00")))
    split = replace(instance, workers=(replace(instance.workers[0], shifts=shifts),))
    assert "rest_break" not in rules(split, plan)


def test_daily_rest() -> None:
    """Starting less than eleven hours after finishing is caught."""
    instance = small_day()
    tired = replace(instance, workers=(
        replace(instance.workers[0], history=WorkerHistory(previous_shift_end=-3600)),
        instance.workers[1],
    ))
    assert "daily_rest" in rules(tired, lawful_plan(instance))


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"young_worker": True, "history": WorkerHistory(week_worked=39 * 3600),
          "contracted_seconds_per_week": 48 * 3600}, "young_weekly_limit"),
        ({"history": WorkerHistory(reference_days=118,
                                   reference_worked=48 * 17 * 3600 - 3600)}, "weekly_average"),
        ({"history": WorkerHistory(week_worked=36 * 3600)}, "contracted_hours"),
    ],
)
def test_weekly_limits(fields: dict[str, object], rule: str) -> None:
    """Going over a weekly limit is caught."""
    instance = small_day()
    limited = replace(instance, workers=(replace(instance.workers[0], **fields),  # type: ignore[arg-type]
                                         instance.workers[1]))
    assert rule in rules(limited, lawful_plan(instance))


def test_daily_limit() -> None:
    """Working longer than the daily limit is caught."""
    instance = small_day()
    assert "daily_limit" in rules(instance, lawful_plan(instance),
                                  Parameters(daily_limit_seconds=3 * 3600))
