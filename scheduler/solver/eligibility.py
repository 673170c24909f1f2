"""Who may take which visit: one predicate per hard rule, each named as the rule.

Each predicate answers for one worker-day and one carer slot of a visit (slot 0 or
1; a double-handed visit has two). A fixed visit (already started) keeps its
published workers whatever the other matching rules now say; it still has to fit
the worker's shifts. Times are seconds from the origin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scheduler.problem import VisitSpec

if TYPE_CHECKING:
    from scheduler.solver.data import WorkerDay


def fixed_visits(day: WorkerDay, visit: VisitSpec, slot: int, lo: int, hi: int) -> bool:
    """A fixed visit stays with its published worker for this slot."""
    if not visit.fixed:
        return True
    return slot < len(visit.published_workers) and visit.published_workers[slot] == day.worker.id


def pinned_workers(day: WorkerDay, visit: VisitSpec, slot: int, lo: int, hi: int) -> bool:
    """A pinned slot goes to its pinned worker; an unpinned slot not to a pinned one."""
    if visit.fixed or not visit.pinned_workers:
        return True
    if slot < len(visit.pinned_workers):
        return visit.pinned_workers[slot] == day.worker.id
    return day.worker.id not in visit.pinned_workers


def skills(day: WorkerDay, visit: VisitSpec, slot: int, lo: int, hi: int) -> bool:
    """The worker holds every skill the visit requires (training valid today)."""
    return visit.fixed or visit.required_skills <= day.worker.skills


def declined_carers(day: WorkerDay, visit: VisitSpec, slot: int, lo: int, hi: int) -> bool:
    """The client has not declined the worker."""
    return visit.fixed or day.worker.id not in visit.declined_workers


def strict_carer_gender(day: WorkerDay, visit: VisitSpec, slot: int, lo: int, hi: int) -> bool:
    """A strict gender preference is met."""
    if visit.fixed or not visit.carer_gender_strict or visit.carer_gender == "any":
        return True
    return day.worker.gender == visit.carer_gender


def working_time_left(day: WorkerDay, visit: VisitSpec, slot: int, lo: int, hi: int) -> bool:
    """The worker is free to work today (daily rest, limits) for at least this visit."""
    return not day.unavailable and day.cap >= visit.duration


def on_shift(day: WorkerDay, visit: VisitSpec, slot: int, lo: int, hi: int) -> bool:
    """Some start in [lo, hi] puts the whole visit inside one of the worker's shifts."""
    return any(
        max(lo, shift.start) <= min(hi, shift.end - visit.duration) for shift in day.shifts
    )


Rule = Callable[["WorkerDay", VisitSpec, int, int, int], bool]

#: The eligibility rules in the order a coordinator would check them.
RULES: tuple[tuple[str, Rule], ...] = (
    ("fixed_visits", fixed_visits),
    ("pinned_workers", pinned_workers),
    ("skills", skills),
    ("declined_carers", declined_carers),
    ("strict_carer_gender", strict_carer_gender),
    ("working_time_left", working_time_left),
    ("on_shift", on_shift),
)


def first_failed_rule(day: WorkerDay, visit: VisitSpec, slot: int, lo: int, hi: int) -> str:
    """The name of the first rule that stops the worker taking the slot, or ''."""
    for name, rule in RULES:
        if not rule(day, visit, slot, lo, hi):
            return name
    return ""
