"""The OR-Tools routing model of the rota: :func:`solve` turns a Problem into a Result.

The only package that imports ``ortools``. One model per process at a time.
"""

from scheduler.solver.search import solve

__all__ = ["solve"]
