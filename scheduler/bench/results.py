"""What a benchmark solve returns, and its JSON line for ``homecare bench … --json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scheduler.bench.hhc_schedule import HhcScore, ScheduledOperation


@dataclass(frozen=True, slots=True)
class VrptwResult:
    """Routes for a Solomon instance (customer numbers in visiting order, depot left out).

    ``vehicles`` and ``distance`` (real-valued Euclidean) are worked out from the
    routes by the harness; ``wall_seconds`` is the solve's wall-clock time.
    """

    instance: str
    routes: tuple[tuple[int, ...], ...]
    distance: float
    wall_seconds: float
    solver: str = "ortools"

    @property
    def vehicles(self) -> int:
        """Routes that serve at least one customer."""
        return sum(1 for route in self.routes if route)

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed for this result."""
        return {
            "instance": self.instance,
            "vehicles": self.vehicles,
            "distance": round(self.distance, 2),
            "wall_seconds": round(self.wall_seconds, 2),
            "solver": self.solver,
            "routes": [list(route) for route in self.routes if route],
        }


@dataclass(frozen=True, slots=True)
class HhcResult:
    """A timed plan for a Mankowska instance, one route per caregiver in file order."""

    instance: str
    routes: tuple[tuple[ScheduledOperation, ...], ...]
    score: HhcScore
    wall_seconds: float
    solver: str = "ortools"

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed for this result."""
        return {
            "instance": self.instance,
            "objective": round(self.score.objective, 3),
            "distance": round(self.score.distance, 3),
            "tardiness": round(self.score.tardiness, 3),
            "max_tardiness": round(self.score.max_tardiness, 3),
            "feasible": self.score.feasible,
            "wall_seconds": round(self.wall_seconds, 2),
            "solver": self.solver,
            "routes": [
                [
                    {"patient": op.patient, "service": op.service, "start": round(op.start, 6)}
                    for op in route
                ]
                for route in self.routes
            ],
        }
