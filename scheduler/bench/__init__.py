"""The optimiser measured on published benchmarks, beside other solvers.

Readers for the Solomon VRPTW and Mankowska et al. home health care formats,
our OR-Tools searches for each, PyVRP and VROOM as peers (optional extra
``bench``), and the ``homecare bench`` commands. Nothing here is used by the
service itself; the homecare solver lives in :mod:`scheduler.solver`.
"""
