"""Does the day's rostered capacity cover its demand, hour by hour?

Supply in an hour is the on-duty minutes of the workers available that day
(absences taken out) that fall in it. Demand is each visit's minutes per carer
plus a travel allowance, placed at the middle of its start window. Hours are
local (minutes from the day's local midnight); figures in carer-minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.problem import Problem

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
