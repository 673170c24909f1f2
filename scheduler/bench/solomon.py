"""Read Solomon (1987) VRPTW instances and score routes on them.

The file format: a name line, a ``VEHICLE`` block (fleet size and capacity) and a
``CUSTOMER`` table of seven columns — number, x, y, demand, ready time, due date,
service time. Customer 0 is the depot; its due date closes the horizon. The
published conventions: Euclidean distance in double precision, travel time equal
to distance, service before leaving, waiting allowed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SolomonInstance:
    """A VRPTW instance; index 0 is the depot, 1..n the customers in file order."""

    name: str
    fleet: int
    capacity: int
    x: tuple[float, ...]
    y: tuple[float, ...]
    demand: tuple[int, ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]

    @property
    def customers(self) -> int:
        """Number of customers (the depot excluded)."""
        return len(self.x) - 1

    def distance(self, i: int, j: int) -> float:
        """Euclidean distance between two locations (also the travel time)."""
        return math.hypot(self.x[i] - self.x[j], self.y[i] - self.y[j])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_solomon(path: str | Path) -> SolomonInstance:
    """Read a Solomon instance file; raises ``ValueError`` if it is not one."""
    path = Path(path)
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"{path}: empty file")
    fleet = capacity = None
    rows: list[list[float]] = []
    for parts in lines[1:]:
        if not all(_is_number(part) for part in parts):
            continue
        numbers = [float(part) for part in parts]
        if len(numbers) == 2 and fleet is None:
            fleet, capacity = int(numbers[0]), int(numbers[1])
        elif len(numbers) == 7:
            rows.append(numbers)
    if fleet is None or capacity is None or not rows:
        raise ValueError(f"{path}: not a Solomon instance (no VEHICLE or CUSTOMER block)")
    rows.sort(key=lambda row: row[0])
    if [int(row[0]) for row in rows] != list(range(len(rows))):
        raise ValueError(f"{path}: customers must be numbered 0 (depot), 1, 2, …")
    columns = list(zip(*rows, strict=True))
    return SolomonInstance(
        name=lines[0][0],
        fleet=fleet,
        capacity=capacity,
        x=tuple(columns[1]),
        y=tuple(columns[2]),
        demand=tuple(int(value) for value in columns[3]),
        ready=tuple(columns[4]),
        due=tuple(columns[5]),
        service=tuple(columns[6]),
    )


def route_distance(instance: SolomonInstance, route: list[int]) -> float:
    """Length of one route from the depot through ``route`` (customer numbers) and back."""
    stops = [0, *route, 0]
    return sum(instance.distance(a, b) for a, b in itertools.pairwise(stops))


def route_breach(instance: SolomonInstance, route: list[int]) -> str | None:
    """Why a route is not feasible (capacity, a late start, a late return), or None."""
    load = sum(instance.demand[customer] for customer in route)
    if load > instance.capacity:
        return f"load {load} over capacity {instance.capacity}"
    time, previous = 0.0, 0
    for customer in route:
        time = max(
            time + instance.service[previous] + instance.distance(previous, customer),
            instance.ready[customer],
        )
        if time > instance.due[customer] + 1e-9:
            return f"customer {customer} starts at {time:.3f}, after its due date"
        previous = customer
    back = time + instance.service[previous] + instance.distance(previous, 0)
    if back > instance.due[0] + 1e-9:
        return f"back at the depot at {back:.3f}, after it closes"
    return None
