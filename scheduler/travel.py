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
    overhead_seconds: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_OVERHEAD_SECONDS))

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


@dataclass(frozen=True)
class OsrmTableTravel(TravelModel):
    """Travel times from an OSRM-style ``/table/v1/{profile}/...`` service, in whole seconds.

    ``base_url`` is the service root (e.g. ``http://127.0.0.1:5000``); ``profiles``
    maps a transport mode to the service's profile (default ``driving`` for every
    mode). Each journey adds the mode's ``overhead_seconds`` (parking, waiting at
    the stop), as in :class:`TravelModel`. Matrices are fetched in blocks of at
    most ``max_table_size`` places and remembered, so :meth:`seconds` for places
    already fetched makes no request. Where the service finds no route, the
    haversine estimate of :class:`TravelModel` is used instead.
    """

    base_url: str = "http://127.0.0.1:5000"
    profiles: dict[str, str] = field(default_factory=dict)
    max_table_size: int = 100
    timeout_seconds: float = 30.0
    _durations: dict[tuple[Point, Point, str], float] = field(
        default_factory=dict, compare=False, repr=False
    )

    def profile(self, mode: str) -> str:
        """The service profile used for ``mode``."""
        return self.profiles.get(mode, "driving")

    def _fetch(self, sources: Sequence[Point], destinations: Sequence[Point], mode: str) -> None:
        import json
        import urllib.request

        places = list(sources) + list(destinations)
        coordinates = ";".join(f"{p.longitude:.6f},{p.latitude:.6f}" for p in places)
        source_ids = ";".join(str(k) for k in range(len(sources)))
        destination_ids = ";".join(str(len(sources) + k) for k in range(len(destinations)))
        url = (
            f"{self.base_url.rstrip('/')}/table/v1/{self.profile(mode)}/{coordinates}"
            f"?sources={source_ids}&destinations={destination_ids}&annotations=duration"
        )
        with urllib.request.urlopen(url, timeout=self.timeout_seconds) as response:
            body = json.load(response)
        if body.get("code") != "Ok":
            raise RuntimeError(f"travel-time service answered {body.get('code')!r} for {url}")
        for a, row in zip(sources, body["durations"], strict=True):
            for b, value in zip(destinations, row, strict=True):
                # -1 marks "no route found", so that it is not asked for again.
                self._durations[(a, b, mode)] = -1.0 if value is None else float(value)

    def _ensure(self, points: Sequence[Point], mode: str) -> None:
        unique = list(dict.fromkeys(points))
        missing = [
            a for a in unique if any((a, b, mode) not in self._durations for b in unique if a != b)
        ]
        if not missing:
            return
        size = max(1, self.max_table_size // 2)
        for i in range(0, len(missing), size):
            for j in range(0, len(unique), size):
                self._fetch(missing[i : i + size], unique[j : j + size], mode)

    def seconds(self, a: Point, b: Point, mode: str) -> int:
        """Travel time from ``a`` to ``b`` by ``mode``, in whole seconds."""
        if a == b:
            return 0
        if (a, b, mode) not in self._durations:
            self._ensure([a, b], mode)
        duration = self._durations.get((a, b, mode), -1.0)
        if duration < 0:
            return TravelModel.seconds(self, a, b, mode)
        return math.ceil(duration) + self.overhead_seconds[mode]

    def matrix(self, points: Sequence[Point], mode: str) -> list[list[int]]:
        """All-pairs travel times by ``mode``, in whole seconds (fetched in blocks)."""
        self._ensure(points, mode)
        return [[self.seconds(a, b, mode) for b in points] for a in points]
