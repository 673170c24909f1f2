"""The benchmark searches end to end: tiny instances, and one short real solve each,
checked by the shared independent checkers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.bench.cli import bench
from scheduler.bench.hhc_cpsat import reoptimise
from scheduler.bench.hhc_greedy import plan_objective
from scheduler.bench.hhc_solver import HhcStrategy, solve_hhc
from scheduler.bench.mankowska import Operation, read_mankowska
from scheduler.bench.solomon import read_solomon, route_breach
from scheduler.bench.vrptw import VrptwStrategy, solve_vrptw, vehicle_bound
from tests.bench.instances import (
    BENCHMARKS,
    FOUR_CUSTOMERS,
    THREE_PATIENTS,
    shared_checker,
    write,
)

HAND_OPTIMUM = (40 + 2 * 14.142136) / 3


def test_cpsat_reoptimisation_finds_the_hand_checked_optimum(tmp_path: Path) -> None:
    """Freeing every operation of a poor plan gives the optimum worked out by hand."""
    instance = read_mankowska(write(tmp_path, "tiny3.txt", THREE_PATIENTS))
    poor = [[Operation(3, 0)], [Operation(1, 0), Operation(2, 1), Operation(3, 1)]]
    outcome = reoptimise(instance, poor, set(instance.operations()), 5.0)
    assert outcome.optimal and outcome.sequences is not None
    assert plan_objective(instance, outcome.sequences) == pytest.approx(HAND_OPTIMUM, abs=1e-3)


def test_cpsat_keeps_the_order_of_operations_not_freed(tmp_path: Path) -> None:
    """Operations left in place keep their caregiver and their order."""
    instance = read_mankowska(write(tmp_path, "tiny3.txt", THREE_PATIENTS))
    plan = [[Operation(3, 0)], [Operation(2, 1), Operation(3, 1), Operation(1, 0)]]
    outcome = reoptimise(instance, plan, {Operation(1, 0)}, 5.0)
    assert outcome.sequences is not None
    kept = [op for op in outcome.sequences[1] if op != Operation(1, 0)]
    assert kept == [Operation(2, 1), Operation(3, 1)]
    assert Operation(3, 0) in outcome.sequences[0]


def test_hhc_solver_reaches_the_optimum_of_a_tiny_instance(tmp_path: Path) -> None:
    """The whole search on three patients returns a feasible optimum."""
    instance = read_mankowska(write(tmp_path, "tiny3.txt", THREE_PATIENTS))
    result = solve_hhc(instance, 1.0, strategy=HhcStrategy(local_search_share=0.3, restarts=1))
    assert result.score.feasible
    assert result.score.objective == pytest.approx(HAND_OPTIMUM, abs=1e-3)


def test_racing_restarts_reach_the_optimum_within_the_time_limit(tmp_path: Path) -> None:
    """Several short guided runs, then more on the best, then CP-SAT: still the optimum,
    and the whole search keeps to its wall-clock limit."""
    instance = read_mankowska(write(tmp_path, "tiny3.txt", THREE_PATIENTS))
    strategy = HhcStrategy(local_search_share=0.6, restarts=3, race_share=0.5)
    result = solve_hhc(instance, 1.0, seed=3, strategy=strategy)
    assert result.score.feasible
    assert result.score.objective == pytest.approx(HAND_OPTIMUM, abs=1e-3)
    assert result.wall_seconds <= 1.05


def test_hhc_strategy_refuses_shares_outside_zero_to_one() -> None:
    """A race share above one is a mistake, not a longer race."""
    with pytest.raises(ValueError, match="race_share"):
        HhcStrategy(race_share=1.5)


def test_vrptw_solver_finds_two_routes_on_four_customers(tmp_path: Path) -> None:
    """Capacity 30 for demand 50 needs two routes; east and west apart is shortest."""
    instance = read_solomon(write(tmp_path, "TINY4.txt", FOUR_CUSTOMERS))
    result = solve_vrptw(instance, 1.0, strategy=VrptwStrategy(first_share=0.3))
    assert result.vehicles == 2
    assert sorted(sorted(route) for route in result.routes) == [[1, 2], [3, 4]]
    assert all(route_breach(instance, list(route)) is None for route in result.routes)
    assert result.distance == pytest.approx(80.0)


def test_vrptw_fresh_final_phase_keeps_the_best_plan(tmp_path: Path) -> None:
    """With a fresh iterated local search for the last phase the optimum still comes back."""
    instance = read_solomon(write(tmp_path, "TINY4.txt", FOUR_CUSTOMERS))
    result = solve_vrptw(instance, 1.0, strategy=VrptwStrategy(first_share=0.3, final="ils"))
    assert result.vehicles == 2
    assert result.distance == pytest.approx(80.0)
    with pytest.raises(ValueError, match="final"):
        VrptwStrategy(final="tabu")


def test_vrptw_vehicle_bound_is_demand_over_capacity(tmp_path: Path) -> None:
    """Demand 50 at capacity 30 needs at least two vehicles; the solver reaches the bound."""
    instance = read_solomon(write(tmp_path, "TINY4.txt", FOUR_CUSTOMERS))
    assert sum(instance.demand) == 50 and instance.capacity == 30
    assert vehicle_bound(instance) == 2
    result = solve_vrptw(instance, 1.0)
    assert result.vehicles == vehicle_bound(instance)


def test_vrptw_strategy_refuses_bad_distance_share_and_lambda() -> None:
    """The share kept for the distance phase is in [0, 1); the GLS lambda is positive."""
    with pytest.raises(ValueError, match="distance_share"):
        VrptwStrategy(distance_share=1.0)
    with pytest.raises(ValueError, match="gls_lambda"):
        VrptwStrategy(gls_lambda=0)


def test_time_limits_must_be_positive(tmp_path: Path) -> None:
    """A zero time limit is refused with a clear error."""
    instance = read_solomon(write(tmp_path, "TINY4.txt", FOUR_CUSTOMERS))
    with pytest.raises(ValueError, match="seconds"):
        solve_vrptw(instance, 0)


def test_hhc_command_output_passes_the_shared_checker() -> None:
    """``homecare bench hhc --json`` on a real 10-patient instance: checked feasible."""
    path = BENCHMARKS / "mankowska" / "instances" / "InstanzCPLEX_HCSRP_10_1.txt"
    run = CliRunner().invoke(bench, ["hhc", str(path), "--seconds", "1.5", "--json"])
    assert run.exit_code == 0, run.output
    record = json.loads(run.output.strip().splitlines()[-1])
    assert {"instance", "objective", "distance", "tardiness", "max_tardiness",
            "wall_seconds", "routes"} <= set(record)
    assert record["instance"] == path.stem and record["wall_seconds"] < 3
    checker = shared_checker("mankowska")
    checked = checker.check(checker.read(str(path)), record["routes"])
    assert checked["feasible"], checked["errors"]
    assert checked["objective"] == pytest.approx(record["objective"], abs=1e-2)


def test_solomon_command_output_passes_the_shared_checker() -> None:
    """``homecare bench solomon --json`` on a real 100-customer instance: checked feasible."""
    path = BENCHMARKS / "solomon" / "C101.txt"
    run = CliRunner().invoke(bench, ["solomon", str(path), "--seconds", "1.5", "--json"])
    assert run.exit_code == 0, run.output
    record = json.loads(run.output.strip().splitlines()[-1])
    assert {"instance", "vehicles", "distance", "wall_seconds", "routes"} <= set(record)
    checker = shared_checker("solomon")
    checked = checker.check(checker.read(str(path)), record["routes"])
    assert checked["feasible"], checked["errors"]
    assert checked["vehicles"] == record["vehicles"]
    assert checked["distance"] == pytest.approx(record["distance"], abs=0.05)
