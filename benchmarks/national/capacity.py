"""Does the day's rostered capacity cover its demand, hour by hour?

Supply in an hour is the on-duty minutes of the workers available that day
(absences taken out) that fall in it. Demand is each visit's minutes per carer
plus a travel allowance, placed at the middle of its start window. Hours are
local (minutes from the day's local midnight); figures in carer-minutes.

:func:`coverage` then asks, visit by visit, whether any qualified worker (pair) of
the visit's area, and of its sub-problem, could take it at all under the solver's
eligibility rules: the visits none could are the most the plan must leave out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scheduler.parameters import Parameters
from scheduler.partition import partition
from scheduler.problem import Problem
from scheduler.solver import eligibility
from scheduler.solver.data import start_range, worker_day

TRAVEL_ALLOWANCE_SECONDS = 9 * 60
"""Travel assumed per carer per visit (the generator's default allowance)."""


@dataclass(frozen=True)
class HourLoad:
    """One local hour: on-duty and demanded carer-minutes."""

    hour: int
    supply: float
    demand: float

    @property
    def ratio(self) -> float:
        """Demand over supply (0 when nobody is on duty and nothing is asked)."""
        if self.supply == 0:
            return float("inf") if self.demand else 0.0
        return self.demand / self.supply


def _spread(into: list[float], start: int, end: int, weight: float) -> None:
    """Add ``weight`` × the minutes of [start, end) seconds to each hour they touch."""
    second = max(0, start)
    while second < end:
        hour = min(23, second // 3600)
        stop = min(end, (hour + 1) * 3600) if hour < 23 else end
        into[hour] += (stop - second) / 60 * weight
        second = stop


def hourly_loads(problem: Problem) -> list[HourLoad]:
    """Supply and demand for each of the 24 local hours of ``problem``'s day."""
    supply = [0.0] * 24
    demand = [0.0] * 24
    for worker in problem.workers:
        for shift in worker.shifts:
            _spread(supply, shift.start, shift.end, 1.0)
    for visit in problem.visits:
        middle = (visit.earliest_start + visit.latest_start) // 2
        _spread(
            demand,
            middle,
            middle + visit.duration + TRAVEL_ALLOWANCE_SECONDS,
            float(visit.carers_required),
        )
    return [HourLoad(h, supply[h], demand[h]) for h in range(24)]


def capacity_table(loads: list[HourLoad]) -> str:
    """A markdown table of the hours with anyone on duty or anything asked."""
    lines = [
        "| hour | on duty (carer-min) | demand (carer-min) | demand / supply |",
        "|---|---:|---:|---:|",
    ]
    for load in loads:
        if load.supply or load.demand:
            lines.append(
                f"| {load.hour:02d}:00 | {load.supply:,.0f} | {load.demand:,.0f} "
                f"| {load.ratio:.2f} |"
            )
    busiest = max(loads, key=lambda load: load.ratio)
    total_supply = sum(load.supply for load in loads)
    total_demand = sum(load.demand for load in loads)
    lines.append(
        f"\nbusiest hour {busiest.hour:02d}:00 at {busiest.ratio:.2f}; whole day "
        f"{total_demand / total_supply:.2f} of on-duty time"
    )
    return "\n".join(lines)


@dataclass(frozen=True)
class Coverage:
    """How many visits of a day no qualified worker could take at all.

    A visit is *coverable* when each of its carer slots has a worker who passes every
    eligibility rule of the solver (skills valid today, not declined, strict gender,
    pins, working time left, on shift across some start in its window) and, for a
    double-handed visit, two different such workers. ``by_rule`` counts the
    uncoverable visits by the first rule that leaves no worker (as the solver's
    drop reasons do). ``area`` is over the workers of the visit's area, ``parts``
    over those of its sub-problem after the partition (an area above the split size
    is cut in two, and so are its workers).
    """

    visits: int
    area: dict[str, int]
    parts: dict[str, int]

    @property
    def area_uncoverable(self) -> int:
        """Visits no worker (pair) of their area could take."""
        return sum(self.area.values())

    @property
    def parts_uncoverable(self) -> int:
        """Visits no worker (pair) of their sub-problem could take."""
        return sum(self.parts.values())

    def text(self) -> str:
        """Two lines for the benchmark's output, with the highest share allocatable."""
        lines = []
        for label, counts, total in (
            ("area", self.area, self.area_uncoverable),
            ("sub-problem", self.parts, self.parts_uncoverable),
        ):
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda i: -i[1]))
            best = 100 * (self.visits - total) / self.visits if self.visits else 100.0
            lines.append(
                f"visits with no qualified worker (pair) on shift in their {label}: {total} "
                f"of {self.visits} (at most {best:.2f} % allocatable){': ' + reasons if reasons else ''}"
            )
        return "\n".join(lines)


def _uncoverable(problem: Problem, params: Parameters) -> dict[str, int]:
    """The visits of ``problem`` that none of its workers can take, by first failing rule."""
    days = [worker_day(w, params, problem.travel.modes) for w in problem.workers]
    counts: dict[str, int] = {}
    for visit in problem.visits:
        lo, hi, why = start_range(visit, params)
        if why:
            counts["window"] = counts.get("window", 0) + 1
            continue
        able: list[set[int]] = []
        failed = ""
        for slot in range(visit.carers_required):
            candidates = list(range(len(days)))
            for name, rule in eligibility.RULES:
                candidates = [i for i in candidates if rule(days[i], visit, slot, lo, hi)]
                if not candidates:
                    failed = failed or name
                    break
            able.append(set(candidates))
        if not failed and visit.carers_required == 2 and len(able[0] | able[1]) < 2:
            failed = "no_second_carer"
        if failed:
            counts[failed] = counts.get(failed, 0) + 1
    return counts


def coverage(problem: Problem, params: Parameters | None = None) -> Coverage:
    """Which visits of the day's ``problem`` no qualified worker could take, by area
    and by sub-problem (see :class:`Coverage`)."""
    params = params or Parameters()
    by_area: dict[str, int] = {}
    by_part: dict[str, int] = {}
    areas = sorted({w.area_id for w in problem.workers} | {v.area_id for v in problem.visits})
    for area_id in areas:
        area_problem = replace(
            problem,
            workers=tuple(w for w in problem.workers if w.area_id == area_id),
            visits=tuple(v for v in problem.visits if v.area_id == area_id),
        )
        for name, count in _uncoverable(area_problem, params).items():
            by_area[name] = by_area.get(name, 0) + count
    for part in partition(problem):
        for name, count in _uncoverable(part.problem, params).items():
            by_part[name] = by_part.get(name, 0) + count
    return Coverage(len(problem.visits), by_area, by_part)
