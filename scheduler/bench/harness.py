"""Run a solver over benchmark files and collect one JSON object per instance.

Each instance gets the same wall-clock limit and one core. Instances run one
after another in this process, or ``jobs`` at a time in separate processes
(``spawn``: OR-Tools must never run two searches in one process). Results come
back in the order of the files given.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

Family = Literal["solomon", "hhc"]
SOLVERS = ("ortools", "pyvrp", "vroom")


@dataclass(frozen=True, slots=True)
class Task:
    """One instance to solve: which family, which solver, the file, the time limit."""

    family: Family
    solver: str
    path: str
    seconds: float
    seed: int = 0


def _solver(family: Family, name: str) -> Callable[..., Any]:
    """The solve function of ``name`` for ``family``."""
    if name not in SOLVERS:
        raise ValueError(f"unknown solver {name!r}; choose from {', '.join(SOLVERS)}")
    from scheduler.bench import peers

    if family == "solomon":
        if name == "ortools":
            from scheduler.bench.vrptw import solve_vrptw

            return solve_vrptw
        return peers.solve_vrptw_pyvrp if name == "pyvrp" else peers.solve_vrptw_vroom
    if name == "ortools":
        from scheduler.bench.hhc_solver import solve_hhc

        return solve_hhc
    return peers.solve_hhc_pyvrp if name == "pyvrp" else peers.solve_hhc_vroom


def run_task(task: Task) -> dict[str, Any]:
    """Read the instance, solve it, and return its JSON object."""
    if task.family == "solomon":
        from scheduler.bench.solomon import read_solomon

        # Instances are named after their file, as the checkers name them.
        instance = replace(read_solomon(task.path), name=Path(task.path).stem)
        result = _solver("solomon", task.solver)(instance, task.seconds, task.seed)
    else:
        from scheduler.bench.mankowska import read_mankowska

        result = _solver("hhc", task.solver)(read_mankowska(task.path), task.seconds, task.seed)
    return dict(result.to_json())


def run(tasks: Sequence[Task], jobs: int = 1) -> Iterator[dict[str, Any]]:
    """Solve each task (``jobs`` at a time in separate processes when above 1), in order."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if jobs == 1 or len(tasks) == 1:
        for task in tasks:
            yield run_task(task)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(run_task, tasks)
