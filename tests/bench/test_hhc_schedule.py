"""Timing and scoring home health care plans, and the published solutions reproduced."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from scheduler.bench.hhc_greedy import greedy_plan, plan_objective
from scheduler.bench.hhc_schedule import ScheduledOperation, earliest_starts, schedule, score
from scheduler.bench.mankowska import Operation, read_mankowska
from tests.bench.instances import BENCHMARKS, THREE_PATIENTS, write

A, B, C3_0, C3_1 = Operation(1, 0), Operation(2, 1), Operation(3, 0), Operation(3, 1)


@pytest.fixture
def three(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The three-patient instance of :mod:`tests.bench.instances`."""
    return read_mankowska(write(tmp_path, "tiny3.txt", THREE_PATIENTS))


def test_earliest_starts_wait_for_the_partner(three) -> None:  # type: ignore[no-untyped-def]
    """Both services of a synchronised patient start together, the earlier carer waiting."""
    starts = earliest_starts(three, [[C3_0], [A, C3_1, B]])
    assert starts is not None
    # caregiver 1 reaches patient 3 at 10 + 5 + 10 = 25; caregiver 0 could at 14.14
    assert starts[C3_0] == pytest.approx(25.0) and starts[C3_1] == pytest.approx(25.0)
    assert starts[B] == pytest.approx(40.0)


def test_sequences_that_cannot_keep_a_gap_are_refused(three) -> None:  # type: ignore[no-untyped-def]
    """Both services on one caregiver cannot start together: no timing exists."""
    assert earliest_starts(three, [[A], [C3_1, C3_0, B]]) is None
    assert schedule(three, [[A], [C3_1, C3_0, B]]) is None


def test_score_of_a_hand_checked_optimum(three) -> None:  # type: ignore[no-untyped-def]
    """The optimum worked out by hand: 68.284 of travel, nobody late."""
    timed = schedule(three, [[A, C3_0], [B, C3_1]])
    assert timed is not None
    result = score(three, timed)
    assert result.feasible
    assert result.distance == pytest.approx(20 + 20 + 2 * 14.142136)
    assert result.tardiness == 0 and result.max_tardiness == 0
    assert result.objective == pytest.approx(result.distance / 3)


def test_score_names_each_broken_rule(three) -> None:  # type: ignore[no-untyped-def]
    """Unqualified carer, missing service, early start and broken gap are all reported."""
    routes = [
        [ScheduledOperation(2, 1, 10.0), ScheduledOperation(3, 0, 30.0)],
        [ScheduledOperation(3, 1, 0.5)],
    ]
    errors = " | ".join(score(three, routes).errors)
    assert "not qualified" in errors
    assert "patient 1: services [0] not done" in errors
    assert "starts too early" in errors
    assert "gap" in errors


def test_tardiness_counts_per_service_and_its_maximum(three) -> None:  # type: ignore[no-untyped-def]
    """Total tardiness adds every late start; the maximum takes the latest."""
    timed = schedule(three, [[C3_0], [A, B, C3_1]])
    assert timed is not None
    result = score(three, timed)
    # caregiver 1 reaches patient 3 at 10 + 5 + 14.142 + 5 + 10 = 44.142 (due 40), and
    # caregiver 0 waits for it: both services are 4.142 late
    assert result.feasible
    assert result.max_tardiness == pytest.approx(4.142136)
    assert result.tardiness == pytest.approx(2 * 4.142136)


def test_greedy_plan_is_feasible_and_its_objective_is_the_score(three) -> None:  # type: ignore[no-untyped-def]
    """The greedy builder books both services together and keeps every rule."""
    plan = greedy_plan(three)
    assert plan is not None
    timed = schedule(three, plan)
    assert timed is not None
    result = score(three, timed)
    assert result.feasible
    assert plan_objective(three, plan) == pytest.approx(result.objective)


def test_published_solutions_reproduce_their_objective() -> None:
    """Recomputing Ceschia et al.'s best solutions gives their published objective."""
    folder = BENCHMARKS / "mankowska"
    published = {
        row["file"].removesuffix(".txt"): float(row["ceschia2024_sa"])
        for row in csv.DictReader((folder / "bks.csv").open())
    }
    solutions = sorted((folder / "solutions").glob("sol-*.json"))
    assert len(solutions) == 30
    for path in solutions:
        stem = path.name.removeprefix("sol-").rsplit("-", 1)[0]
        instance = read_mankowska(folder / "instances" / f"{stem}.txt")
        routes: list[list[ScheduledOperation]] = [[] for _ in range(instance.caregivers)]
        for route in json.loads(path.read_text())["routes"]:
            caregiver = int(route["caregiver_id"][1:]) - 1
            routes[caregiver] = [
                ScheduledOperation(
                    int(stop["patient"][1:]), int(stop["service"][1:]) - 1, stop["arrival_time"]
                )
                for stop in route.get("locations", [])
            ]
        result = score(instance, routes)
        assert result.feasible, (stem, result.errors)
        assert result.objective == pytest.approx(published[stem], abs=2e-3), stem
