"""Travel times between places, per transport mode.

The default provider is the great-circle (haversine) distance, stretched by a
road factor and divided by the mode's speed, rounded up to whole seconds. It is
plain data, so a problem that carries it can be pickled to another process.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

EARTH_RADIUS_METRES = 6_371_008.8


@dataclass(frozen=True, slots=True)
class Point:
    """A place on the map, in decimal degrees (WGS84)."""

    latitude: float
    longitude: float


def haversine_metres(a: Point, b: Point) -> float:
    """Great-circle distance between two points, in metres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


DEFAULT_SPEEDS_KMH: dict[str, float] = {"car": 30.0, "walking": 4.8, "public_transport": 14.0}
DEFAULT_ROAD_FACTORS: dict[str, float] = {"car": 1.35, "walking": 1.25, "public_transport": 1.45}
DEFAULT_OVERHEAD_SECONDS: dict[str, int] = {"car": 120, "walking": 0, "public_transport": 300}


@dataclass(frozen=True)
class TravelModel:
    """Haversine × road factor ÷ speed, plus a fixed overhead per journey (parking,
    waiting at the stop), in whole seconds; zero between identical points.

    ``speeds_kmh``, ``road_factors`` and ``overhead_seconds`` map a transport mode
    (``car``, ``walking``, ``public_transport``) to km/h, a dimensionless factor,
    and seconds.
    """

    speeds_kmh: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SPEEDS_KMH))
    road_factors: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ROAD_FACTORS))
    overhead_seconds: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_OVERHEAD_SECONDS)
    )

    def __post_init__(self) -> None:
        for mode, speed in self.speeds_kmh.items():
            if speed <= 0:
                raise ValueError(f"speed for {mode!r} must be positive, got {speed}")
            if mode not in self.road_factors or mode not in self.overhead_seconds:
                raise ValueError(f"transport mode {mode!r} lacks a road factor or overhead")

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(sorted(self.speeds_kmh))

    def distance_metres(self, a: Point, b: Point, mode: str) -> int:
        """Road distance estimate in whole metres."""
        return round(haversine_metres(a, b) * self.road_factors[mode])

    def seconds(self, a: Point, b: Point, mode: str) -> int:
        """Travel time from ``a`` to ``b`` by ``mode``, in whole seconds."""
        if a == b:
            return 0
        metres = haversine_metres(a, b) * self.road_factors[mode]
        return math.ceil(metres / (self.speeds_kmh[mode] / 3.6)) + self.overhead_seconds[mode]

    def matrix(self, points: Sequence[Point], mode: str) -> list[list[int]]:
        """All-pairs travel times by ``mode``, in whole seconds."""
        return [[self.seconds(a, b, mode) for b in points] for a in points]
