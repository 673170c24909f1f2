"""Split a day into independent sub-problems that can be solved side by side.

First by area (each team plans its own patch); then an area with more than
``max_visits`` visits is cut geographically by recursive bisection of its visits
along the wider axis, and its workers go to the part whose visits lie nearest
their home, in proportion to each part's demand. A double-handed visit is one
:class:`VisitSpec`, so it never straddles a split; a visit pinned to a worker is
kept in that worker's part.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from scheduler.problem import Problem, VisitSpec, WorkerSpec
from scheduler.travel import Point, haversine_metres

DEFAULT_MAX_VISITS = 300


@dataclass(frozen=True)
class SubProblem:
    """A part of a day's problem: ``key`` names it (``area-12`` or ``area-12/1``)."""

    key: str
    area_id: int
    problem: Problem

    @property
    def size(self) -> int:
        """Work to solve: visits, counting a double-handed visit twice."""
        return sum(v.carers_required for v in self.problem.visits)


def _centroid(points: Sequence[Point]) -> Point:
    return Point(
        sum(p.latitude for p in points) / len(points),
        sum(p.longitude for p in points) / len(points),
    )


def bisect_visits(visits: Sequence[VisitSpec], max_visits: int) -> list[list[VisitSpec]]:
    """Cut ``visits`` into geographic groups of at most ``max_visits`` (balanced halves)."""
    if len(visits) <= max_visits:
        return [list(visits)]
    latitudes = [v.location.latitude for v in visits]
    longitudes = [v.location.longitude for v in visits]
    mid_latitude = math.radians(sum(latitudes) / len(latitudes))
    height = max(latitudes) - min(latitudes)
    width = (max(longitudes) - min(longitudes)) * math.cos(mid_latitude)
    if width >= height:
        ordered = sorted(visits, key=lambda v: (v.location.longitude, v.location.latitude, v.id))
    else:
        ordered = sorted(visits, key=lambda v: (v.location.latitude, v.location.longitude, v.id))
    parts = math.ceil(len(visits) / max_visits)
    cut = round(len(ordered) * (parts // 2) / parts)
    return bisect_visits(ordered[:cut], max_visits) + bisect_visits(ordered[cut:], max_visits)


def share_workers(
    workers: Sequence[WorkerSpec], groups: Sequence[Sequence[VisitSpec]]
) -> list[list[WorkerSpec]]:
    """Give each group of visits workers in proportion to its demand, nearest homes first."""
    demand = [sum(v.duration * v.carers_required for v in group) for group in groups]
    total = sum(demand) or 1
    quotas = [max(1, round(len(workers) * d / total)) if d else 0 for d in demand]
    centres = [_centroid([v.location for v in group]) for group in groups]
    pinned_part: dict[int, int] = {}
    for index, group in enumerate(groups):
        for visit in group:
            for worker_id in visit.pinned_workers:
                pinned_part.setdefault(worker_id, index)
    shares: list[list[WorkerSpec]] = [[] for _ in groups]
    free: list[WorkerSpec] = []
    for worker in workers:
        if worker.id in pinned_part:
            shares[pinned_part[worker.id]].append(worker)
        else:
            free.append(worker)
    # The other workers, greedily: closest (worker, part) pairs first, while quotas last.
    pairs = sorted(
        (haversine_metres(worker.home, centre), worker.id, index)
        for worker in free
        for index, centre in enumerate(centres)
    )
    placed: set[int] = set()
    by_id = {w.id: w for w in free}
    for _distance, worker_id, index in pairs:
        if worker_id in placed or len(shares[index]) >= quotas[index]:
            continue
        shares[index].append(by_id[worker_id])
        placed.add(worker_id)
    for worker in free:  # rounding left some over: nearest part takes them
        if worker.id not in placed:
            nearest = min(
                range(len(centres)), key=lambda i: haversine_metres(worker.home, centres[i])
            )
            shares[nearest].append(worker)
    return shares


def _keep_pins_with_workers(
    groups: list[list[VisitSpec]], shares: list[list[WorkerSpec]]
) -> list[list[VisitSpec]]:
    """Move a pinned visit into the part holding its (first) pinned worker."""
    part_of_worker = {w.id: i for i, share in enumerate(shares) for w in share}
    moved: list[list[VisitSpec]] = [[] for _ in groups]
    for index, group in enumerate(groups):
        for visit in group:
            target = index
            for worker_id in visit.pinned_workers:
                if worker_id in part_of_worker:
                    target = part_of_worker[worker_id]
                    break
            moved[target].append(visit)
    return moved


def partition(problem: Problem, *, max_visits: int = DEFAULT_MAX_VISITS) -> list[SubProblem]:
    """Independent sub-problems of ``problem``: one per area, split to at most ``max_visits``.

    Every visit and every worker lands in exactly one sub-problem. A worker goes
    with their own area; visits pinned to a worker of another area follow that worker.
    """
    if max_visits < 1:
        raise ValueError("max_visits must be at least 1")
    workers_by_area: dict[int, list[WorkerSpec]] = defaultdict(list)
    for worker in problem.workers:
        workers_by_area[worker.area_id].append(worker)
    area_of_worker = {w.id: w.area_id for w in problem.workers}
    visits_by_area: dict[int, list[VisitSpec]] = defaultdict(list)
    for visit in problem.visits:
        pinned_areas = [area_of_worker[w] for w in visit.pinned_workers if w in area_of_worker]
        visits_by_area[pinned_areas[0] if pinned_areas else visit.area_id].append(visit)
    parts: list[SubProblem] = []
    for area_id in sorted(set(workers_by_area) | set(visits_by_area)):
        workers = workers_by_area.get(area_id, [])
        visits = visits_by_area.get(area_id, [])
        groups = bisect_visits(visits, max_visits) if visits else [[]]
        if len(groups) == 1:
            shares = [list(workers)]
        else:
            shares = share_workers(workers, groups)
            groups = _keep_pins_with_workers(groups, shares)
        for index, (group, share) in enumerate(zip(groups, shares, strict=True)):
            key = f"area-{area_id}" if len(groups) == 1 else f"area-{area_id}/{index}"
            parts.append(
                SubProblem(
                    key=key,
                    area_id=area_id,
                    problem=replace(
                        problem,
                        workers=tuple(share),
                        visits=tuple(group),
                        name=f"{problem.day.isoformat()} {key}",
                    ),
                )
            )
    return parts


def budgets(
    parts: Sequence[SubProblem],
    total_seconds: float,
    slots: int,
    *,
    minimum: float = 0.5,
    maximum: float = 60.0,
) -> dict[str, float]:
    """Share ``total_seconds`` of wall time on ``slots`` parallel solvers by size.

    Each part gets time in proportion to its size so that, run ``slots`` at a
    time, the whole fits in the budget; clamped to [``minimum``, ``maximum``] seconds.
    """
    if not parts:
        return {}
    sizes = {p.key: max(1, p.size) for p in parts}
    capacity = total_seconds * max(1, slots)
    total_size = sum(sizes.values())
    return {
        key: min(maximum, max(minimum, capacity * size / total_size)) for key, size in sizes.items()
    }
