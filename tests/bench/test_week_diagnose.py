"""The week benchmark's ``--diagnose`` breakdown, on a generated week with no plans yet."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine

from benchmarks.week.diagnose import breakdown
from scheduler.generate import generate_scenario


def test_breakdown_counts_every_visit_once_against_the_timetable(engine: Engine) -> None:
    """Nothing is planned: every reported visit counts as unallocated in the morning
    and at the end, most have a promise, and the promised carer is on duty for most
    of those (only absences take them away); the greedy week plan promises visits
    to team carers only."""
    monday = date(2026, 11, 23)
    generate_scenario(engine, workers=20, seed=4, first_day=monday, days=7, areas=1)
    counts = breakdown(engine, [monday + timedelta(days=k) for k in range(7)])
    assert counts["visits"] > 0
    assert counts["morning: unallocated"] == counts["visits"]
    assert counts["final: unallocated"] == counts["visits"]
    assert 0.5 * counts["visits"] <= counts["promised"] <= counts["visits"]
    assert counts["promised to a team carer"] == counts["promised"]
    assert 0.8 * counts["promised"] <= counts["promised carer on duty"] <= counts["promised"]
