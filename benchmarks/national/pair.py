"""One sub-problem solved twice, for the quality check (importable by spawned processes)."""

from __future__ import annotations

from scheduler.parameters import Parameters
from scheduler.planner import solve_problem
from scheduler.problem import Problem, Result


def solve_pair(problem: Problem, short: float, long: float) -> tuple[Result, Result]:
    """``problem`` solved with ``short`` and then ``long`` seconds, in this process."""
    params = Parameters()
    return solve_problem(problem, params, short, 0), solve_problem(problem, params, long, 0)
