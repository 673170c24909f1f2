"""PyVRP and VROOM through the same harness; instances run in separate processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.bench.harness import Task, run
from scheduler.bench.mankowska import read_mankowska
from scheduler.bench.peers import (
    solve_hhc_pyvrp,
    solve_hhc_vroom,
    solve_vrptw_pyvrp,
    solve_vrptw_vroom,
)
from scheduler.bench.solomon import read_solomon, route_breach
from tests.bench.instances import FOUR_CUSTOMERS, THREE_PATIENTS, write


@pytest.mark.parametrize("solve", [solve_vrptw_pyvrp, solve_vrptw_vroom])
def test_peers_solve_a_tiny_vrptw(tmp_path: Path, solve) -> None:  # type: ignore[no-untyped-def]
    """Each peer serves every customer with two feasible routes."""
    instance = read_solomon(write(tmp_path, "TINY4.txt", FOUR_CUSTOMERS))
    result = solve(instance, 0.3)
    assert result.vehicles == 2
    assert sorted(c for route in result.routes for c in route) == [1, 2, 3, 4]
    assert all(route_breach(instance, list(route)) is None for route in result.routes)


@pytest.mark.parametrize("solve", [solve_hhc_pyvrp, solve_hhc_vroom])
def test_peers_plans_are_timed_and_scored_by_our_checker(tmp_path: Path, solve) -> None:  # type: ignore[no-untyped-def]
    """A peer's plan comes back timed exactly, with its rule breaches named if any."""
    instance = read_mankowska(write(tmp_path, "tiny3.txt", THREE_PATIENTS))
    result = solve(instance, 0.3)
    assert len(result.routes) == instance.caregivers
    assert result.score.feasible or result.score.errors


def test_two_instances_in_two_processes_come_back_in_order(tmp_path: Path) -> None:
    """With two jobs, each instance is solved in its own process; results keep file order."""
    first = write(tmp_path, "TINY4.txt", FOUR_CUSTOMERS)
    second = write(tmp_path, "TINY4B.txt", FOUR_CUSTOMERS)
    tasks = [Task("solomon", "ortools", str(path), 0.5) for path in (first, second)]
    records = list(run(tasks, jobs=2))
    assert [record["instance"] for record in records] == ["TINY4", "TINY4B"]
    assert all(record["vehicles"] == 2 for record in records)


def test_unknown_solver_is_refused(tmp_path: Path) -> None:
    """Asking for a solver the harness does not know is a clear error."""
    path = write(tmp_path, "TINY4.txt", FOUR_CUSTOMERS)
    with pytest.raises(ValueError, match="unknown solver"):
        list(run([Task("solomon", "gurobi", str(path), 0.5)]))
