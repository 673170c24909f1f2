"""A feasible first plan for a home health care instance, built patient by patient.

Patients go in by due time (with optional random noise, for restarts); each is
put where the whole plan's objective rises least, both services of a
double-service patient together, on two different qualified caregivers so that
their gap holds. Candidate places are ranked by the added travel and lateness of
the one route, and only the best few are timed exactly
(:func:`~scheduler.bench.hhc_schedule.earliest_starts`), which keeps this fast.
"""

from __future__ import annotations

import random

from scheduler.bench.hhc_schedule import earliest_starts, sequences_distance
from scheduler.bench.mankowska import HhcInstance, Operation

Sequences = list[list[Operation]]

#: Candidate places timed exactly per patient (single, double service).
_EXACT_SINGLE = 8
_EXACT_DOUBLE = 16


def plan_objective(instance: HhcInstance, sequences: Sequences) -> float | None:
    """(distance + tardiness + max tardiness) / 3 of sequences at their earliest starts,
    or None if they cannot be timed."""
    starts = earliest_starts(instance, sequences)
    if starts is None:
        return None
    lateness = [max(0.0, start - instance.due[op.patient]) for op, start in starts.items()]
    distance = sequences_distance(instance, sequences)
    return (distance + sum(lateness) + max(lateness, default=0.0)) / 3


def _route_starts(instance: HhcInstance, caregiver: int, route: list[Operation]) -> list[float]:
    """Earliest starts along one route taken alone (partners ignored)."""
    starts, ready, previous = [], 0.0, 0
    for op in route:
        arrive = ready + instance.distance[previous][op.patient]
        start = max(arrive, instance.earliest[op.patient])
        starts.append(start)
        ready = start + instance.duration[op.patient][caregiver][op.service]
        previous = op.patient
    return starts


def _place_estimates(
    instance: HhcInstance, caregiver: int, route: list[Operation], op: Operation
) -> list[tuple[float, int, float]]:
    """(estimated cost, position, estimated start) of each place for ``op`` in a route."""
    starts = _route_starts(instance, caregiver, route)
    found = []
    for position in range(len(route) + 1):
        before = route[position - 1].patient if position else 0
        after = route[position].patient if position < len(route) else instance.end_depot
        detour = (
            instance.distance[before][op.patient]
            + instance.distance[op.patient][after]
            - instance.distance[before][after]
        )
        ready = (
            starts[position - 1]
            + instance.duration[before][caregiver][route[position - 1].service]
            if position
            else 0.0
        )
        start = max(ready + instance.distance[before][op.patient], instance.earliest[op.patient])
        late = max(0.0, start - instance.due[op.patient])
        # pushing the rest of the route back makes it later too
        push = 0.0
        if position < len(route):
            free = start + instance.duration[op.patient][caregiver][op.service]
            push = max(0.0, free + instance.distance[op.patient][after] - starts[position])
        found.append((detour + 2 * late + push, position, start))
    return found


def _insert(route: list[Operation], position: int, op: Operation) -> list[Operation]:
    return [*route[:position], op, *route[position:]]


def greedy_plan(instance: HhcInstance, rng: random.Random | None = None) -> Sequences | None:
    """A feasible plan (one operation sequence per caregiver), or None if greedy gets stuck.

    ``rng`` adds noise to the order patients are taken in (None: by due time).
    """
    patients = list(instance.patients)
    spread = max(instance.due[p] for p in patients) - min(instance.earliest[p] for p in patients)
    noise = {p: (rng.uniform(-0.15, 0.15) * spread if rng else 0.0) for p in patients}
    patients.sort(key=lambda p: (instance.due[p] + noise[p], instance.earliest[p], p))
    plan: Sequences = [[] for _ in range(instance.caregivers)]
    for patient in patients:
        ops = [Operation(patient, s) for s in instance.services_of(patient)]
        candidates: list[tuple[float, Sequences]] = []
        if len(ops) == 1:
            op = ops[0]
            for k in range(instance.caregivers):
                if instance.can_give(k, op):
                    for cost, position, _ in _place_estimates(instance, k, plan[k], op):
                        trial = list(plan)
                        trial[k] = _insert(plan[k], position, op)
                        candidates.append((cost, trial))
            limit = _EXACT_SINGLE
        else:
            first, second = ops
            lo, hi = instance.min_gap[patient], instance.max_gap[patient]
            places = {
                (k, op): _place_estimates(instance, k, plan[k], op)
                for k in range(instance.caregivers)
                for op in ops
                if instance.can_give(k, op)
            }
            for k1 in range(instance.caregivers):
                for k2 in range(instance.caregivers):
                    if k1 == k2 or (k1, first) not in places or (k2, second) not in places:
                        continue
                    for cost1, position1, start1 in places[(k1, first)]:
                        for cost2, position2, start2 in places[(k2, second)]:
                            gap = start2 - start1
                            # waiting to keep the gap costs about as much as the wait
                            wait = max(0.0, lo - gap) + max(0.0, gap - hi)
                            trial = list(plan)
                            trial[k1] = _insert(plan[k1], position1, first)
                            trial[k2] = _insert(plan[k2], position2, second)
                            candidates.append((cost1 + cost2 + wait, trial))
            limit = _EXACT_DOUBLE
        candidates.sort(key=lambda item: item[0])
        best: tuple[float, Sequences] | None = None
        for _, trial in candidates[:limit]:
            value = plan_objective(instance, trial)
            if value is not None and (best is None or value < best[0]):
                best = (value, trial)
        if best is None:
            for _, trial in candidates[limit:]:
                value = plan_objective(instance, trial)
                if value is not None:
                    best = (value, trial)
                    break
        if best is None:
            return None
        plan = best[1]
    return plan
