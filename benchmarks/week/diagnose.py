"""Where continuity of care is lost over the week: a breakdown of the published plans.

For the visits of clients with at least two visits every day (the clients the
week benchmark reports), compared with the week's teams and timetable the day
plans were given (:func:`scheduler.week_plans.week_plan`: the kept plan, routed
by the weekly job or greedy):

- promised: the timetable gave the visit to a carer at all (to one of the team:
  the week's own routes left it with a team carer);
- on duty: that carer is rostered and not absent at the promised time that day;
- morning: the day's plan (before disruptions) gave it to the promised carer, to
  another team carer, or to someone outside the team;
- final: the same after the disruption re-plan;
- outside the team: whether that carer had already served the client earlier in
  the week (a repeat) or was new to them this week.

Counts are visits (a double-handed visit's regular carer only, as in the benchmark).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.build import worker_shifts
from scheduler.db.models import (
    Absence,
    Area,
    Assignment,
    PlanRun,
    PublishedRota,
    Visit,
    VisitStatus,
    Worker,
)
from scheduler.week_plans import week_plan


def _runs_assignments(session: Session, run_ids: list[int]) -> dict[int, tuple[int, ...]]:
    """Visit id → the carers of the runs' assignments."""
    found: dict[int, list[int]] = defaultdict(list)
    for a in session.exec(select(Assignment).where(col(Assignment.plan_run_id).in_(run_ids))):
        found[a.visit_id].append(a.worker_id)
    return {v: tuple(sorted(w)) for v, w in found.items()}


def breakdown(engine: Engine, days: list[date]) -> Counter[str]:
    """Counts of where the week's visits went relative to the team timetable (see module)."""
    counts: Counter[str] = Counter()
    with Session(engine) as session:
        areas = [a for a in session.exec(select(Area.id)).all() if a]
        plan = week_plan(session, areas, days[0])
        workers = list(session.exec(select(Worker)).all())
        per_day: dict[date, Counter[int]] = {d: Counter() for d in days}
        visits = {
            v.id or 0: v for v in session.exec(select(Visit).where(col(Visit.day).in_(days)))
        }
        for v in visits.values():
            per_day[v.day][v.client_id] += 1
        wanted = {
            c for c in set().union(*per_day.values())
            if min(per_day[d][c] for d in days) >= 2
        }
        seen: dict[int, set[int]] = defaultdict(set)
        for day in days:
            shifts = worker_shifts(session, workers, day)
            morning_ids = [
                r.id or 0 for r in session.exec(
                    select(PlanRun).where(PlanRun.day == day, PlanRun.trigger == "scheduled")
                )
            ]
            final_ids = [
                p.plan_run_id
                for p in session.exec(select(PublishedRota).where(PublishedRota.day == day))
            ]
            morning = _runs_assignments(session, morning_ids)
            final = _runs_assignments(session, final_ids)
            sick = {
                a.worker_id for a in session.exec(
                    select(Absence).where(Absence.note == "reported during the day")
                ) if a.starts_at.date() == day
            }
            day_visits = sorted(
                (v for v in visits.values() if v.day == day and v.client_id in wanted),
                key=lambda v: (v.preferred_start, v.id or 0),
            )
            for visit in day_visits:
                vid = visit.id or 0
                if visit.status == VisitStatus.CANCELLED:
                    counts["cancelled"] += 1
                    continue
                counts["visits"] += 1
                team = set(plan.teams.get(visit.client_id, ()))
                promise = plan.promised.get(vid)
                if promise is not None:
                    counts["promised"] += 1
                    worker, start = promise
                    if worker in team:
                        counts["promised to a team carer"] += 1
                    end = start + visit.duration_minutes * 60
                    if any(s.start <= start and end <= s.end for s in shifts.get(worker, ())):
                        counts["promised carer on duty"] += 1
                before, after = morning.get(vid), final.get(vid)
                if before and after and before != after:
                    reason = "morning carer sick" if set(before) & sick else "other"
                    counts[f"re-plan changed carer: {reason}"] += 1
                for label, carers in (("morning", before), ("final", after)):
                    if not carers:
                        counts[f"{label}: unallocated"] += 1
                        continue
                    if promise is not None and promise[0] in carers:
                        counts[f"{label}: promised carer"] += 1
                    elif team & set(carers):
                        counts[f"{label}: other team carer"] += 1
                    else:
                        counts[f"{label}: outside team"] += 1
                        if label == "final":
                            if set(carers) & seen[visit.client_id]:
                                counts["final outside team: seen this week"] += 1
                            else:
                                counts["final outside team: new this week"] += 1
                    if label == "final":
                        seen[visit.client_id].update(carers)
    return counts


def print_breakdown(counts: Counter[str]) -> None:
    """The breakdown as lines: count and share of the visits."""
    total = counts["visits"] or 1
    for key in (
        "visits", "promised", "promised to a team carer", "promised carer on duty",
        "morning: promised carer", "morning: other team carer", "morning: outside team",
        "morning: unallocated",
        "final: promised carer", "final: other team carer", "final: outside team",
        "final: unallocated",
        "final outside team: seen this week", "final outside team: new this week", "cancelled",
        "re-plan changed carer: morning carer sick", "re-plan changed carer: other",
    ):
        print(f"  {key}: {counts[key]} ({counts[key] / total:.1%})")
