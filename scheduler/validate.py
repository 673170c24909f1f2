"""An independent check of a plan against every hard rule; shares no code with the solver.

:func:`validate` takes a :class:`Problem` and any :class:`Result` (from the
solver, a coordinator's edits, an import) and lists every breach as a
:class:`Violation`. Its reading of a worker's day: they leave home at the latest
time that still leaves enough on-shift time, outside their breaks, to travel to
the first visit, and are back at the earliest such time after the last one;
journeys between visits must fit in the on-shift time between them outside
breaks. Working time is the on-shift time of that day less its rest breaks.
Times are seconds from the origin, durations seconds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scheduler.parameters import Parameters
from scheduler.problem import PlannedBreak, PlannedVisit, Problem, Result, VisitSpec, WorkerSpec

Interval = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Violation:
    """One breach of a hard rule: the rule's name, the visit and worker concerned
    (None when not about one), and a sentence saying what is wrong."""

    rule: str
    visit_id: int | None
    worker_id: int | None
    message: str


def _clock(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text if days == 0 else f"{text}{days:+d}d"


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], blocked: list[Interval]) -> list[Interval]:
    result = list(intervals)
    for a, b in blocked:
        result = [
            piece
            for start, end in result
            for piece in ((start, min(end, a)), (max(start, b), end))
            if piece[0] < piece[1]
        ]
    return result


def _overlap(intervals: list[Interval], start: int, end: int) -> int:
    return sum(max(0, min(b, end) - max(a, start)) for a, b in intervals)


def _latest_departure(free: list[Interval], arrive: int, travel: int) -> int | None:
    remaining = travel
    if remaining <= 0:
        return arrive
    for start, end in reversed(free):
        if start >= arrive:
            continue
        usable = min(end, arrive) - start
        if usable >= remaining:
            return min(end, arrive) - remaining
        remaining -= usable
    return None


def _earliest_return(free: list[Interval], leave: int, travel: int) -> int | None:
    remaining = travel
    if remaining <= 0:
        return leave
    for start, end in free:
        if end <= leave:
            continue
        usable = end - max(start, leave)
        if usable >= remaining:
            return max(start, leave) + remaining
        remaining -= usable
    return None


class _Checker:
    """Collects violations while walking through the plan."""

    def __init__(self, problem: Problem, result: Result, params: Parameters) -> None:
        self.problem = problem
        self.result = result
        self.params = params
        self.violations: list[Violation] = []
        self.visits = {visit.id: visit for visit in problem.visits}
        self.workers = {worker.id: worker for worker in problem.workers}

    def add(self, rule: str, visit_id: int | None, worker_id: int | None, message: str) -> None:
        self.violations.append(Violation(rule, visit_id, worker_id, message))

    # --- visits -----------------------------------------------------------------

    def allocation(self) -> dict[int, list[PlannedVisit]]:
        """Each visit with exactly its number of distinct carers, or dropped with a reason."""
        by_visit: dict[int, list[PlannedVisit]] = defaultdict(list)
        for planned in self.result.assignments:
            if planned.visit_id not in self.visits:
                self.add("unknown_visit", planned.visit_id, planned.worker_id,
                         f"visit {planned.visit_id} is not in the problem")
                continue
            if planned.worker_id not in self.workers:
                self.add("unknown_worker", planned.visit_id, planned.worker_id,
                         f"worker {planned.worker_id} is not in the problem")
                continue
            by_visit[planned.visit_id].append(planned)
        dropped: dict[int, int] = defaultdict(int)
        for item in self.result.dropped:
            dropped[item.visit_id] += 1
            if item.visit_id not in self.visits:
                self.add("unknown_visit", item.visit_id, None,
                         f"dropped visit {item.visit_id} is not in the problem")
            if not item.reason.strip():
                self.add("dropped_reason", item.visit_id, None,
                         f"visit {item.visit_id} is dropped without a reason")
        for visit in self.problem.visits:
            stops = by_visit.get(visit.id, [])
            carers = [p.worker_id for p in stops]
            if dropped[visit.id] > 1:
                self.add("dropped_twice", visit.id, None, f"visit {visit.id} is dropped twice")
            if len(set(carers)) != len(carers):
                self.add("carer_twice", visit.id, None,
                         f"visit {visit.id} has the same carer more than once")
            if stops and dropped[visit.id]:
                self.add("assigned_and_dropped", visit.id, None,
                         f"visit {visit.id} is both assigned and dropped")
            elif not stops and not dropped[visit.id]:
                self.add("unaccounted", visit.id, None,
                         f"visit {visit.id} is neither assigned nor dropped")
            elif stops and len(set(carers)) != visit.carers_required:
                self.add("carers_required", visit.id, None,
                         f"visit {visit.id} needs {visit.carers_required} carer(s), "
                         f"has {len(set(carers))}")
        return by_visit

    def visit_rules(self, visit: VisitSpec, planned: list[PlannedVisit]) -> None:
        """Duration, window, time-critical, fixed, pinned, double-handed, matching."""
        params = self.params
        for p in planned:
            worker = self.workers[p.worker_id]
            if p.end - p.start != visit.duration:
                self.add("duration", visit.id, p.worker_id,
                         f"visit {visit.id} lasts {p.end - p.start} s, not {visit.duration} s")
            if visit.fixed:
                if p.start != visit.published_start:
                    self.add("fixed", visit.id, p.worker_id,
                             f"fixed visit {visit.id} moved from its published start")
                continue
            if not visit.earliest_start <= p.start <= visit.latest_start:
                self.add("time_window", visit.id, p.worker_id,
                         f"visit {visit.id} starts at {_clock(p.start)}, outside "
                         f"{_clock(visit.earliest_start)}–{_clock(visit.latest_start)}")
            tolerance = params.time_critical_tolerance_seconds
            if visit.time_critical and abs(p.start - visit.preferred_start) > tolerance:
                self.add("time_critical", visit.id, p.worker_id,
                         f"time-critical visit {visit.id} starts at {_clock(p.start)}, more than "
                         f"{tolerance // 60} min from {_clock(visit.preferred_start)}")
            missing = visit.required_skills - worker.skills
            if missing:
                self.add("skills", visit.id, p.worker_id,
                         f"worker {worker.id} lacks {', '.join(sorted(missing))}")
            if worker.id in visit.declined_workers:
                self.add("declined_carer", visit.id, p.worker_id,
                         f"the client declined worker {worker.id}")
            if (visit.carer_gender_strict and visit.carer_gender != "any"
                    and worker.gender != visit.carer_gender):
                self.add("carer_gender", visit.id, p.worker_id,
                         f"the client requires a {visit.carer_gender} carer")
        carers = {p.worker_id for p in planned}
        if not planned:
            return
        if visit.fixed and carers != set(visit.published_workers):
            self.add("fixed", visit.id, None,
                     f"fixed visit {visit.id} is not with its published workers")
        if not visit.fixed and not set(visit.pinned_workers) <= carers:
            self.add("pinned", visit.id, None,
                     f"visit {visit.id} is not with its pinned worker(s)")
        starts = [p.start for p in planned]
        if len(starts) > 1 and max(starts) - min(starts) > (
            params.double_handed_sync_tolerance_seconds
        ):
            self.add("double_handed_sync", visit.id, None,
                     f"the carers of visit {visit.id} start {max(starts) - min(starts)} s apart")

    # --- workers ----------------------------------------------------------------

    def worker_day(self, worker: WorkerSpec, planned: list[PlannedVisit],
                   breaks: list[PlannedBreak]) -> None:
        """Route timing, travel figures, shifts, breaks and working time of one worker."""
        params = self.params
        travel = self.problem.travel
        young = worker.young_worker
        shifts = _merge([(s.start, s.end) for s in worker.shifts])
        rests = _merge([(b.start, b.end) for b in breaks])
        free = _subtract(shifts, rests)
        stops = sorted(planned, key=lambda p: (p.start, p.sequence))
        if [p.sequence for p in stops] != sorted(p.sequence for p in stops) or len(
            {p.sequence for p in stops}
        ) != len(stops):
            self.add("sequence", None, worker.id,
                     f"worker {worker.id}'s sequence numbers do not follow their start times")
        for b in breaks:
            if b.end <= b.start:
                self.add("break", None, worker.id, f"a break of worker {worker.id} is empty")
            for p in stops:
                if b.start < p.end and p.start < b.end:
                    self.add("break", p.visit_id, worker.id,
                             f"a break of worker {worker.id} overlaps visit {p.visit_id}")
        previous_place, previous_end = worker.home, None
        for p in stops:
            visit = self.visits[p.visit_id]
            expected = travel.seconds(previous_place, visit.location, worker.transport_mode)
            if p.travel != expected:
                self.add("travel_figure", p.visit_id, worker.id,
                         f"travel to visit {p.visit_id} is {p.travel} s, should be {expected} s")
            if not any(a <= p.start and p.end <= b for a, b in shifts):
                self.add("shift", p.visit_id, worker.id,
                         f"visit {p.visit_id} ({_clock(p.start)}–{_clock(p.end)}) is outside "
                         f"worker {worker.id}'s shifts")
            if previous_end is not None:
                if p.start < previous_end:
                    self.add("overlap", p.visit_id, worker.id,
                             f"visit {p.visit_id} starts before worker {worker.id}'s previous "
                             "visit ends")
                elif _overlap(free, previous_end, p.start) < expected:
                    self.add("travel_time", p.visit_id, worker.id,
                             f"worker {worker.id} has not {expected} s on shift and outside "
                             f"breaks to reach visit {p.visit_id} by {_clock(p.start)}")
            previous_place, previous_end = visit.location, p.end
        if not stops:
            return
        first, last = self.visits[stops[0].visit_id], self.visits[stops[-1].visit_id]
        depart = _latest_departure(
            free, stops[0].start, travel.seconds(worker.home, first.location, worker.transport_mode)
        )
        back = _earliest_return(
            free, stops[-1].end, travel.seconds(last.location, worker.home, worker.transport_mode)
        )
        if depart is None:
            self.add("shift", stops[0].visit_id, worker.id,
                     f"worker {worker.id} cannot reach their first visit from home on shift")
            return
        if back is None:
            self.add("shift", stops[-1].visit_id, worker.id,
                     f"worker {worker.id} cannot get home on shift after their last visit")
            return
        rest = params.young_daily_rest_seconds if young else params.daily_rest_seconds
        previous = worker.history.previous_shift_end
        if previous is not None and depart < previous + rest:
            self.add("daily_rest", None, worker.id,
                     f"worker {worker.id} starts at {_clock(depart)}, less than "
                     f"{rest // 3600} h after their previous shift")
        on_shift = _overlap(shifts, depart, back)
        resting = _overlap(rests, depart, back)
        working = on_shift - resting
        self.working_time_rules(worker, working)
        stretch = (
            params.young_max_work_without_break_seconds
            if young else params.max_work_without_break_seconds
        )
        length = params.young_rest_break_seconds if young else params.rest_break_seconds
        if working > stretch:
            off = _merge(_subtract([(depart, back)], shifts) + rests)
            inside = [
                (a, b) for a, b in off if depart < a and b < back and b - a >= length
            ]
            if not inside:
                self.add("rest_break", None, worker.id,
                         f"worker {worker.id} works {working // 60} min with no break of "
                         f"{length // 60} min inside the day")

    def working_time_rules(self, worker: WorkerSpec, working: int) -> None:
        """Daily, weekly, average and contracted limits on today's working time."""
        params, history = self.params, worker.history
        daily = params.young_daily_limit_seconds if worker.young_worker else (
            params.daily_limit_seconds
        )
        if working > daily:
            self.add("daily_limit", None, worker.id,
                     f"worker {worker.id} works {working // 60} min today, over "
                     f"{daily // 60} min")
        if worker.young_worker and history.week_worked + working > (
            params.young_weekly_limit_seconds
        ):
            self.add("young_weekly_limit", None, worker.id,
                     f"young worker {worker.id} goes over the weekly limit")
        if not worker.opted_out_of_48h:
            days = max(history.reference_days + 1, params.reference_period_days)
            allowance = params.weekly_average_limit_seconds * days // 7
            if history.reference_worked + working > allowance:
                self.add("weekly_average", None, worker.id,
                         f"worker {worker.id} goes over the 48-hour weekly average")
        if history.week_worked + working > worker.contracted_seconds_per_week:
            self.add("contracted_hours", None, worker.id,
                     f"worker {worker.id} goes over their contracted hours this week")

    def run(self) -> list[Violation]:
        by_visit = self.allocation()
        for visit in self.problem.visits:
            self.visit_rules(visit, by_visit.get(visit.id, []))
        by_worker: dict[int, list[PlannedVisit]] = defaultdict(list)
        for planned in self.result.assignments:
            if planned.worker_id in self.workers and planned.visit_id in self.visits:
                by_worker[planned.worker_id].append(planned)
        breaks: dict[int, list[PlannedBreak]] = defaultdict(list)
        for item in self.result.breaks:
            if item.worker_id not in self.workers:
                self.add("unknown_worker", None, item.worker_id,
                         f"a break belongs to unknown worker {item.worker_id}")
                continue
            breaks[item.worker_id].append(item)
        for worker in self.problem.workers:
            self.worker_day(worker, by_worker.get(worker.id, []), breaks.get(worker.id, []))
        return self.violations


def validate(problem: Problem, result: Result, params: Parameters | None = None) -> list[Violation]:
    """Every breach of a hard rule in ``result`` for ``problem`` (empty if the plan is lawful)."""
    return _Checker(problem, result, params or Parameters()).run()
