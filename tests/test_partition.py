"""Splitting a day into sub-problems: by area, then geographically, never splitting a visit."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from scheduler.partition import budgets, partition
from scheduler.problem import Problem, Shift, VisitSpec, WorkerSpec
from scheduler.travel import Point


def scattered_problem(
    *, areas: int, visits_per_area: int, workers_per_area: int, seed: int = 3
) -> Problem:
    """Areas around separate towns, each with visits and workers scattered within ~5 km."""
    rng = random.Random(seed)
    workers, visits = [], []
    for area in range(1, areas + 1):
        centre = Point(52.0 + area * 0.3, -1.5 + area * 0.2)
        for _ in range(workers_per_area):
            workers.append(
                WorkerSpec(
                    id=len(workers) + 1,
                    name=f"W{len(workers) + 1}",
                    area_id=area,
                    home=Point(
                        centre.latitude + rng.uniform(-0.04, 0.04),
                        centre.longitude + rng.uniform(-0.06, 0.06),
                    ),
                    transport_mode="car",
                    gender="female",
                    skills=frozenset({"hoisting"}),
                    shifts=(Shift(7 * 3600, 14 * 3600),),
                )
            )
        for _ in range(visits_per_area):
            start = rng.randrange(7 * 3600, 12 * 3600)
            visits.append(
                VisitSpec(
                    id=len(visits) + 1,
                    client_id=len(visits) + 1,
                    area_id=area,
                    location=Point(
                        centre.latitude + rng.uniform(-0.04, 0.04),
                        centre.longitude + rng.uniform(-0.06, 0.06),
                    ),
                    earliest_start=start,
                    latest_start=start + 3600,
                    preferred_start=start + 1800,
                    duration=1800,
                    carers_required=2 if rng.random() < 0.2 else 1,
                )
            )
    return Problem(
        day=date(2026, 11, 24),
        origin=datetime(2026, 11, 24, tzinfo=UTC),
        workers=tuple(workers),
        visits=tuple(visits),
    )


def test_every_visit_and_worker_lands_in_exactly_one_part() -> None:
    """Partitioning loses and duplicates nothing."""
    problem = scattered_problem(areas=3, visits_per_area=120, workers_per_area=12)
    parts = partition(problem, max_visits=50)
    visit_ids = [v.id for p in parts for v in p.problem.visits]
    worker_ids = [w.id for p in parts for w in p.problem.workers]
    assert sorted(visit_ids) == sorted(v.id for v in problem.visits)
    assert sorted(worker_ids) == sorted(w.id for w in problem.workers)


def test_parts_follow_areas_and_respect_the_size_limit() -> None:
    """No part mixes areas, and an oversized area is cut below the limit."""
    problem = scattered_problem(areas=2, visits_per_area=130, workers_per_area=12)
    small = partition(problem, max_visits=500)
    assert [p.key for p in small] == ["area-1", "area-2"]
    parts = partition(problem, max_visits=40)
    assert len(parts) >= 8
    for part in parts:
        assert len(part.problem.visits) <= 40
        assert {v.area_id for v in part.problem.visits} <= {part.area_id}
        assert {w.area_id for w in part.problem.workers} <= {part.area_id}
        assert part.problem.workers, "every part with visits gets workers"


def test_workers_are_shared_in_proportion_to_demand() -> None:
    """A split area's workers are divided roughly by the demand of each half."""
    problem = scattered_problem(areas=1, visits_per_area=200, workers_per_area=20)
    parts = partition(problem, max_visits=100)
    assert len(parts) == 2
    for part in parts:
        demand = sum(v.duration * v.carers_required for v in part.problem.visits)
        share = demand / sum(v.duration * v.carers_required for v in problem.visits)
        assert abs(len(part.problem.workers) / 20 - share) <= 0.15


def test_pinned_visits_stay_with_their_worker() -> None:
    """A visit pinned to a worker of another area goes to that worker's part."""
    base = scattered_problem(areas=2, visits_per_area=80, workers_per_area=8)
    far_worker = next(w for w in base.workers if w.area_id == 2)
    visits = list(base.visits)
    pinned = next(v for v in visits if v.area_id == 1 and v.carers_required == 1)
    visits[visits.index(pinned)] = VisitSpec(
        **{
            **{f: getattr(pinned, f) for f in pinned.__slots__},  # type: ignore[attr-defined]
            "pinned_workers": (far_worker.id,),
        }
    )
    problem = Problem(day=base.day, origin=base.origin, workers=base.workers, visits=tuple(visits))
    for max_visits in (500, 30):
        parts = partition(problem, max_visits=max_visits)
        holder = next(p for p in parts if any(v.id == pinned.id for v in p.problem.visits))
        assert far_worker.id in {w.id for w in holder.problem.workers}


def test_budgets_share_time_by_size_within_the_total() -> None:
    """Bigger parts get more time; run two at a time, the sum fits the budget."""
    problem = scattered_problem(areas=3, visits_per_area=60, workers_per_area=6)
    parts = partition(problem, max_visits=1000)
    shares = budgets(parts, total_seconds=30, slots=2, minimum=0.1, maximum=100)
    assert sum(shares.values()) == pytest.approx(60, rel=0.01)
    largest = max(parts, key=lambda p: p.size)
    assert shares[largest.key] == max(shares.values())
