"""Home health care routing and scheduling (Mankowska et al. 2014) with OR-Tools.

Three steps, each keeping the best plan so far (judged by the exact objective,
:func:`~scheduler.bench.hhc_greedy.plan_objective`):

1. a feasible greedy plan, double-service patients booked on two caregivers at
   once (:mod:`~scheduler.bench.hhc_greedy`), so there is always a plan;
2. several short runs of guided local search on the routing model
   (:mod:`~scheduler.bench.hhc_routing`), each from a differently randomised
   greedy plan — synchronised visits make the local search stall where its start
   leads it, so fresh starts do better than one long run — then more guided
   local search from the best of them (measurements: ``docs/solver.md``);
3. large neighbourhood search with CP-SAT on the best plan: a few caregivers'
   routes at a time are re-assigned and re-sequenced exactly, with the maximum
   tardiness modelled (:mod:`~scheduler.bench.hhc_cpsat`).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from scheduler.bench.hhc_cpsat import reoptimise
from scheduler.bench.hhc_greedy import Sequences, greedy_plan, plan_objective
from scheduler.bench.hhc_routing import build_routing_model, improve_with_guided_local_search
from scheduler.bench.hhc_schedule import schedule, score
from scheduler.bench.mankowska import HhcInstance, Operation
from scheduler.bench.results import HhcResult


@dataclass(frozen=True, slots=True)
class HhcStrategy:
    """How the time is shared: ``local_search_share`` of it for guided local search, the
    rest for CP-SAT re-optimisation. Of the local search time, ``race_share`` goes to
    ``restarts`` short runs from different greedy plans and the remainder continues from
    the best of them (``race_share`` 1: independent runs only). Each CP-SAT step frees either
    ``freed_routes`` related routes or about ``freed_patients`` related patients (a size
    that grows while sub-problems are solved to optimality and shrinks when they are
    not), and is given at most ``repair_seconds``. No service may become later than the
    current plan's maximum tardiness, or ``lateness_floor`` × the mean width of the
    patients' windows (earliest start to due time) if that is more: plans that much
    later rarely pay, and the bound makes the sub-problems much quicker to solve."""

    local_search_share: float = 0.8
    restarts: int = 6
    race_share: float = 0.6
    rounds: int = 1
    freed_routes: int = 3
    freed_patients: int = 10
    repair_seconds: float = 1.0
    lateness_floor: float = 0.125
    reserve_seconds: float = 0.15

    def __post_init__(self) -> None:
        if not 0 <= self.local_search_share <= 1 or not 0 <= self.race_share <= 1:
            raise ValueError("local_search_share and race_share must be in [0, 1]")
        if min(self.restarts, self.rounds, self.freed_routes, self.freed_patients) < 1:
            raise ValueError(
                "restarts, rounds, freed_routes and freed_patients must be positive"
            )
        if self.repair_seconds <= 0:
            raise ValueError("repair_seconds must be positive")


def _related_patients(
    instance: HhcInstance, count: int, rng: random.Random
) -> list[int]:
    """A random patient and the ``count`` − 1 patients nearest to it in place and due time."""
    patients = list(instance.patients)
    seed = rng.choice(patients)

    def closeness(patient: int) -> float:
        return (
            instance.distance[seed][patient]
            + 0.5 * abs(instance.due[seed] - instance.due[patient])
            + 5 * rng.random()
        )

    return sorted(patients, key=closeness)[:count]


def _related_routes(
    instance: HhcInstance,
    sequences: Sequences,
    seed_route: int,
    count: int,
    rng: random.Random,
) -> list[int]:
    """``seed_route`` and the routes nearest to it: sharing double-service patients,
    then serving patients close in place and time."""
    patients_of = [{op.patient for op in sequence} for sequence in sequences]
    mine = patients_of[seed_route]

    def closeness(route: int) -> float:
        shared = len(mine & patients_of[route])
        if not patients_of[route] or not mine:
            return 1e9 - shared
        nearest = min(
            instance.distance[a][b]
            + abs(instance.due[a] - instance.due[b]) * 0.5
            for a in mine
            for b in patients_of[route]
        )
        return nearest - 1000 * shared + rng.random() * 10

    others = sorted((r for r in range(len(sequences)) if r != seed_route), key=closeness)
    return [seed_route, *others[: count - 1]]


def _guided_run(instance: HhcInstance, origin: Sequences, seconds: float) -> tuple[
    Sequences | None, float | None
]:
    """One guided local search run of ``seconds`` from ``origin``: (plan, objective)."""
    model = build_routing_model(instance, max(0.5, seconds))
    improved = improve_with_guided_local_search(model, origin, seconds)
    if improved is None:
        return None, None
    return improved, plan_objective(instance, improved)


def _guided_restarts(
    instance: HhcInstance,
    start: Sequences,
    until: float,
    restarts: int,
    rng: random.Random,
    race_share: float = 0.6,
) -> tuple[Sequences, float]:
    """Guided local search from several starts, then more of it on the winner.

    The first ``race_share`` of the time up to ``until`` is shared by ``restarts``
    short runs, the first from ``start``, the others from randomised greedy plans;
    the rest continues from the best plan they found. The plan a run ends with
    depends far more on where it starts than on how long it runs (synchronised
    visits trap the one-node moves), so many short runs beat one long one."""
    best, best_value = start, plan_objective(instance, start)
    assert best_value is not None
    race_until = time.perf_counter() + (until - time.perf_counter()) * (
        race_share if restarts > 1 else 0.0
    )
    for restart in range(restarts if restarts > 1 else 0):
        remaining = race_until - time.perf_counter()
        if remaining < 0.05:
            break
        origin = start if restart == 0 else greedy_plan(instance, rng)
        if origin is None:
            continue
        improved, value = _guided_run(instance, origin, remaining / (restarts - restart))
        if improved is not None and value is not None and value < best_value:
            best, best_value = improved, value
    remaining = until - time.perf_counter()
    if remaining >= 0.05:
        improved, value = _guided_run(instance, best, remaining)
        if improved is not None and value is not None and value < best_value:
            best, best_value = improved, value
    return best, best_value


def _max_tardiness(instance: HhcInstance, plan: Sequences) -> float:
    timed = schedule(instance, plan)
    return score(instance, timed).max_tardiness if timed is not None else 0.0


def _large_neighbourhood_search(
    instance: HhcInstance,
    plan: Sequences,
    until: float,
    strategy: HhcStrategy,
    rng: random.Random,
) -> tuple[Sequences, float, bool]:
    """CP-SAT steps on ``plan`` up to ``until``: (best plan, its objective, whether the
    whole instance was solved to optimality)."""
    best, best_value = plan, plan_objective(instance, plan)
    assert best_value is not None
    patients_count = len(instance.patients)
    size = min(strategy.freed_patients, patients_count)
    width = sum(instance.due[p] - instance.earliest[p] for p in instance.patients)
    floor = strategy.lateness_floor * width / max(1, patients_count)
    iteration = 0
    while until - time.perf_counter() > 0.05:
        iteration += 1
        whole = size >= patients_count
        caregivers: list[int] | None = None
        if whole or iteration % 2:
            chosen = instance.patients if whole else _related_patients(instance, size, rng)
            freed_ops = {Operation(p, s) for p in chosen for s in instance.services_of(p)}
        else:
            caregivers = _related_routes(
                instance, best, rng.randrange(len(best)), strategy.freed_routes, rng
            )
            freed_ops = {op for route in caregivers for op in best[route]}
        outcome = reoptimise(
            instance,
            best,
            freed_ops,
            min(strategy.repair_seconds, until - time.perf_counter()),
            caregivers=caregivers,
            seed=iteration,
            lateness_cap=None if whole else max(floor, _max_tardiness(instance, best)),
        )
        if outcome.sequences is not None:
            value = plan_objective(instance, outcome.sequences)
            if value is not None and value <= best_value + 1e-9:
                best, best_value = outcome.sequences, value
        if whole and outcome.optimal:
            return best, best_value, True
        if caregivers is None:
            size = min(patients_count, size + 1) if outcome.optimal else max(2, size - 1)
    return best, best_value, False


def solve_hhc(
    instance: HhcInstance,
    seconds: float,
    seed: int = 0,
    strategy: HhcStrategy | None = None,
) -> HhcResult:
    """The best plan found within ``seconds`` of wall-clock time (one core)."""
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    strategy = strategy or HhcStrategy()
    started = time.perf_counter()
    deadline = started + seconds - strategy.reserve_seconds
    rng = random.Random(seed)
    first = greedy_plan(instance)
    if first is None:
        raise RuntimeError(f"{instance.name}: no feasible plan found by the greedy builder")
    best, best_value = first, plan_objective(instance, first)
    assert best_value is not None
    length = (deadline - started) / strategy.rounds
    for round_number in range(strategy.rounds):
        round_end = started + length * (round_number + 1)
        origin = best if round_number == 0 else greedy_plan(instance, rng) or best
        searched_until = time.perf_counter() + (round_end - time.perf_counter()) * (
            strategy.local_search_share
        )
        plan, _ = _guided_restarts(
            instance, origin, searched_until, max(1, strategy.restarts // strategy.rounds), rng,
            strategy.race_share,
        )
        plan, value, solved = _large_neighbourhood_search(
            instance, plan, round_end, strategy, rng
        )
        if value < best_value:
            best, best_value = plan, value
        if solved:
            break

    timed = schedule(instance, best)
    assert timed is not None
    return HhcResult(
        instance.name,
        tuple(tuple(route) for route in timed),
        score(instance, timed),
        time.perf_counter() - started,
    )
