"""The planning core of the NHS homecare rota service.

Sub-packages: ``db`` (persistence), ``solver`` (the OR-Tools model), ``generate``
(realistic scenarios), ``io`` (import and export). The solver takes a plain
:class:`scheduler.problem.Problem` and returns a plain :class:`scheduler.problem.Result`.
"""
