"""Why a visit was left unallocated, in words a coordinator can act on.

The diagnosis narrows the team down rule by rule (pinned, skills, declined,
strict gender, working time left, on shift) and then looks at the final plan:
whether the qualified workers are booked, whether a pair is free together,
whether working-time rules stand in the way. Times are shown as HH:MM local time
(the origin is local midnight).
"""

from __future__ import annotations

from scheduler.problem import DroppedVisit, VisitSpec
from scheduler.solver import eligibility
from scheduler.solver.data import PlanningData, WorkerDay
from scheduler.solver.insertion import (
    PAIR_TRIES,
    SINGLE_TRIES,
    Candidate,
    Routes,
    pair_candidates,
    realise,
    single_candidates,
)
from scheduler.solver.timeline import Stop, route_breach

#: The end of a "search_limit" reason: the visit fits alone, but others may compete.
_SEARCH_STOPPED = (
    " as the plan stands; the search stopped before finding it, and other left-out "
    "visits may want the same gap — re-planning with more time may place it"
)


def hhmm(seconds: int) -> str:
    """Seconds from local midnight as HH:MM (with '+1d' past midnight)."""
    days, rest = divmod(seconds, 24 * 3600)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text if days == 0 else f"{text} ({days:+d}d)"


def _span(data: PlanningData, node: int) -> str:
    return f"{hhmm(data.lo[node])}–{hhmm(data.hi[node] + data.service[node])}"


def _names(days: list[WorkerDay], limit: int = 3) -> str:
    names = [day.worker.name for day in days]
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def _skills_text(visit: VisitSpec) -> str:
    return ", ".join(sorted(visit.required_skills)) if visit.required_skills else "the right skills"


def _unqualified(data: PlanningData, visit: VisitSpec, node: int, slot: int) -> DroppedVisit:
    """Reason when no worker passes the eligibility rules for a slot."""
    lo, hi = data.lo[node], data.hi[node]
    span = _span(data, node)
    candidates = list(data.days)
    for name, rule in eligibility.RULES:
        passing = [day for day in candidates if rule(day, visit, slot, lo, hi)]
        if passing:
            candidates = passing
            continue
        who = _names(candidates)
        if name == "fixed_visits":
            text = "it is fixed to published carer(s) who are not on today's team"
        elif name == "pinned_workers" and slot < len(visit.pinned_workers):
            pinned = visit.pinned_workers[slot]
            text = f"it is pinned to worker {pinned}, who is not on today's team"
        elif name == "pinned_workers":
            text = "no worker besides the pinned one is working today to be the second carer"
        elif name == "skills":
            text = f"no worker with {_skills_text(visit)} is working today"
            if visit.pinned_workers and slot < len(visit.pinned_workers):
                text = f"pinned worker {who} lacks {_skills_text(visit)}"
        elif name == "declined_carers":
            text = "every qualified worker is declined by the client"
        elif name == "strict_carer_gender":
            text = f"no qualified {visit.carer_gender} carer is working today (strict preference)"
        elif name == "working_time_left":
            details = "; ".join(f"{day.worker.name} {day.unavailable}" for day in candidates[:3])
            text = f"every qualified worker has no working time left today ({details})"
        elif visit.fixed:
            text = f"it is fixed to {who} at {hhmm(lo)}, outside their shifts"
        else:
            text = f"no worker with {_skills_text(visit)} on shift {span}"
        return DroppedVisit(visit.id, name, text)
    return DroppedVisit(visit.id, "unknown", "no qualified worker (unexplained)")


def _breach_text(
    data: PlanningData, routes: Routes, candidates: list[Candidate], span: str
) -> tuple[str, str]:
    """Code and words for candidates that all break a rule once timed."""
    rules: dict[str, list[str]] = {}
    for candidate in candidates[:200]:
        stops = list(routes[candidate.vehicle])
        stops.insert(candidate.position, Stop(candidate.node, candidate.start))
        breach = route_breach(data, candidate.vehicle, stops)
        if breach is not None:
            rules.setdefault(breach.rule, []).append(data.days[candidate.vehicle].worker.name)
    if "working_time_limits" in rules:
        names = ", ".join(sorted(set(rules["working_time_limits"]))[:3])
        return (
            "working_time_limits",
            f"qualified workers free {span} would go over their working-time limit ({names})",
        )
    if "working_time_regulations" in rules:
        names = ", ".join(sorted(set(rules["working_time_regulations"]))[:3])
        return (
            "rest_break",
            f"qualified workers free {span} would have no room for a rest break ({names})",
        )
    return "fully_booked", f"qualified workers are fully booked {span}"


def diagnose(
    data: PlanningData, node_costs: list[list[int]], routes: Routes, visit: VisitSpec
) -> DroppedVisit:
    """Why ``visit`` is not in ``routes`` (the final plan, as fixed-time routes)."""
    if visit.id in data.window_problem:
        why = data.window_problem[visit.id]
        return DroppedVisit(visit.id, "window", f"cannot be planned: {why}")
    nodes = data.nodes_of_visit[visit.id]
    for slot, node in enumerate(nodes):
        if not data.allowed[node]:
            return _unqualified(data, visit, node, slot)
    span = _span(data, nodes[0])
    if len(nodes) == 2:
        qualified = set(data.allowed[nodes[0]]) | set(data.allowed[nodes[1]])
        if len(qualified) < 2:
            only = [data.days[v] for v in sorted(qualified)]
            return DroppedVisit(
                visit.id,
                "no_second_carer",
                f"only one qualified worker ({_names(only)}) is on shift {span}; "
                "a second carer is needed",
            )
        pairs = pair_candidates(data, node_costs, routes, nodes)
        if not pairs:
            return DroppedVisit(
                visit.id, "no_pair_free", f"no pair of qualified workers free together {span}"
            )
        for p, q in pairs[:PAIR_TRIES]:
            if realise(data, routes, p, hold=True) and realise(data, routes, q, hold=True):
                return DroppedVisit(
                    visit.id,
                    "search_limit",
                    f"{data.days[p.vehicle].worker.name} and {data.days[q.vehicle].worker.name} "
                    f"could take it at {hhmm(p.start)}{_SEARCH_STOPPED}",
                )
        code, text = _breach_text(data, routes, [c for pair in pairs for c in pair], span)
        if code == "fully_booked":
            return DroppedVisit(
                visit.id, "no_pair_free", f"no pair of qualified workers free together {span}"
            )
        return DroppedVisit(visit.id, code, text)
    candidates = single_candidates(data, node_costs, routes, nodes[0])
    if not candidates:
        return DroppedVisit(visit.id, "fully_booked", f"qualified workers are fully booked {span}")
    for candidate in candidates[:SINGLE_TRIES]:
        if realise(data, routes, candidate, hold=False) is not None:
            return DroppedVisit(
                visit.id,
                "search_limit",
                f"{data.days[candidate.vehicle].worker.name} could take it at about "
                f"{hhmm(candidate.start)}{_SEARCH_STOPPED}",
            )
    code, text = _breach_text(data, routes, candidates, span)
    return DroppedVisit(visit.id, code, text)
