"""Time a home health care plan and score it (Mankowska et al. 2014 objective).

A plan gives each caregiver a sequence of operations. Every timing rule is a
difference constraint — a start no earlier than the patient's earliest start,
the previous operation's start plus its duration plus the journey, or the
partner service's start plus the least gap (and no later than its start plus the
greatest gap) — so the feasible starts form a lattice: the componentwise earliest
starts are feasible whenever any are, and since tardiness only grows with a
start, they minimise both total and maximum tardiness. :func:`earliest_starts`
finds them by label correcting; the distance depends on the sequences only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.bench.mankowska import HhcInstance, Operation

#: Starts may be this much (time units) early or late against a rule in a scored plan:
#: published solutions give starts rounded to 0.001 (the shared checker allows 0.01).
TOLERANCE = 1e-2
#: Smallest rise in a start worth propagating while timing sequences.
_STEP = 1e-9


@dataclass(frozen=True, slots=True)
class ScheduledOperation:
    """An operation started at ``start`` by the caregiver whose route holds it."""

    patient: int
    service: int
    start: float


@dataclass(frozen=True, slots=True)
class HhcScore:
    """The figures of a plan: ``objective`` = (distance + tardiness + max_tardiness) / 3.

    ``errors`` lists broken hard rules (empty when feasible).
    """

    distance: float
    tardiness: float
    max_tardiness: float
    errors: tuple[str, ...] = ()

    @property
    def objective(self) -> float:
        """The benchmark's objective."""
        return (self.distance + self.tardiness + self.max_tardiness) / 3

    @property
    def feasible(self) -> bool:
        """Whether every hard rule holds."""
        return not self.errors


def sequences_distance(instance: HhcInstance, sequences: Sequence[Sequence[Operation]]) -> float:
    """Total travel of all caregivers from the start depot through their sequence to the end."""
    total = 0.0
    for sequence in sequences:
        previous = 0
        for operation in sequence:
            if operation.patient != previous:
                total += instance.distance[previous][operation.patient]
            previous = operation.patient
        total += instance.distance[previous][instance.end_depot]
    return total


def route_starts(
    instance: HhcInstance, sequences: Sequence[Sequence[Operation]]
) -> dict[Operation, float]:
    """Earliest starts along each route on its own, ignoring the gaps between services."""
    start: dict[Operation, float] = {}
    for caregiver, sequence in enumerate(sequences):
        ready, previous = 0.0, 0
        for operation in sequence:
            patient = operation.patient
            arrive = ready + (instance.distance[previous][patient] if patient != previous else 0.0)
            start[operation] = max(arrive, instance.earliest[patient])
            ready = start[operation] + instance.duration[patient][caregiver][operation.service]
            previous = patient
    return start


def earliest_starts(
    instance: HhcInstance, sequences: Sequence[Sequence[Operation]]
) -> dict[Operation, float] | None:
    """The earliest start of every operation in the sequences, or None if no timing works
    (a greatest gap that the sequences make impossible to keep)."""
    where: dict[Operation, tuple[int, int]] = {}
    for caregiver, sequence in enumerate(sequences):
        for position, operation in enumerate(sequence):
            where[operation] = (caregiver, position)
    # partner[a] = (b, offset): start(b) ≥ start(a) + offset
    partner: dict[Operation, tuple[Operation, float]] = {}
    for operation in where:
        services = instance.services_of(operation.patient)
        if len(services) == 2:
            first, second = (Operation(operation.patient, s) for s in services)
            if first in where and second in where:
                gap_lo = instance.min_gap[operation.patient]
                gap_hi = instance.max_gap[operation.patient]
                partner[first] = (second, gap_lo)
                partner[second] = (first, -gap_hi)
    start = route_starts(instance, sequences)
    # Label correcting: raise starts along route arcs and gap arcs until stable.
    queue = deque(operation for operation in partner)
    queued = set(queue)
    limit = (len(where) + 1) * (len(partner) + 1) + 10
    passes = 0
    while queue:
        passes += 1
        if passes > limit:
            return None
        operation = queue.popleft()
        queued.discard(operation)
        other, offset = partner[operation]
        needed = start[operation] + offset
        if needed > start[other] + _STEP:
            start[other] = needed
            # propagate along the other operation's route
            caregiver, position = where[other]
            sequence = sequences[caregiver]
            for k in range(position + 1, len(sequence)):
                before, after = sequence[k - 1], sequence[k]
                travel = (
                    instance.distance[before.patient][after.patient]
                    if before.patient != after.patient
                    else 0.0
                )
                ready = (
                    start[before]
                    + instance.duration[before.patient][caregiver][before.service]
                    + travel
                )
                if ready <= start[after] + _STEP:
                    break
                start[after] = ready
                if after in partner and after not in queued:
                    queue.append(after)
                    queued.add(after)
            if other not in queued:
                queue.append(other)
                queued.add(other)
    return start


def schedule(
    instance: HhcInstance, sequences: Sequence[Sequence[Operation]], *, strict: bool = True
) -> list[list[ScheduledOperation]] | None:
    """The sequences timed at their earliest starts, or None if they cannot be timed.

    With ``strict`` false, sequences that cannot be timed get each route's own
    earliest starts instead (so that :func:`score` says which gap is broken).
    """
    starts = earliest_starts(instance, sequences)
    if starts is None:
        if strict:
            return None
        starts = route_starts(instance, sequences)
    return [
        [ScheduledOperation(op.patient, op.service, starts[op]) for op in sequence]
        for sequence in sequences
    ]


def score(instance: HhcInstance, routes: Sequence[Sequence[ScheduledOperation]]) -> HhcScore:
    """Check a timed plan against every hard rule and compute its figures.

    Hard rules: each operation needed done exactly once, by a qualified caregiver,
    both services of a patient by different caregivers within the gap, no start
    before the patient's earliest start or before the caregiver can arrive.
    """
    errors: list[str] = []
    done: dict[tuple[int, int], tuple[int, float]] = {}
    distance = tardiness = max_tardiness = 0.0
    if len(routes) > instance.caregivers:
        errors.append(f"{len(routes)} routes for {instance.caregivers} caregivers")
    for caregiver, route in enumerate(routes[: instance.caregivers]):
        previous, free = 0, 0.0
        for item in route:
            patient, service, start = item.patient, item.service, item.start
            if patient not in instance.patients or not 0 <= service < instance.services:
                errors.append(f"caregiver {caregiver}: no such operation {item}")
                continue
            if not instance.requires[patient][service]:
                errors.append(f"patient {patient} does not need service {service}")
            if not instance.qualified[caregiver][service]:
                errors.append(f"caregiver {caregiver} is not qualified for service {service}")
            if (patient, service) in done:
                errors.append(f"patient {patient} service {service} done twice")
            travel = instance.distance[previous][patient] if patient != previous else 0.0
            distance += travel
            arrive = free + travel
            if start + TOLERANCE < max(arrive, instance.earliest[patient]):
                errors.append(f"caregiver {caregiver}: patient {patient} starts too early")
            late = max(0.0, start - instance.due[patient])
            tardiness += late
            max_tardiness = max(max_tardiness, late)
            done[(patient, service)] = (caregiver, start)
            free = max(start, arrive) + instance.duration[patient][caregiver][service]
            previous = patient
        distance += instance.distance[previous][instance.end_depot]
    for patient in instance.patients:
        needed = instance.services_of(patient)
        missing = [s for s in needed if (patient, s) not in done]
        if missing:
            errors.append(f"patient {patient}: services {missing} not done")
            continue
        if len(needed) == 2:
            (first_by, first_at), (second_by, second_at) = (done[(patient, s)] for s in needed)
            if first_by == second_by:
                errors.append(f"patient {patient}: both services by caregiver {first_by}")
            gap = second_at - first_at
            low, high = instance.min_gap[patient], instance.max_gap[patient]
            if not low - TOLERANCE <= gap <= high + TOLERANCE:
                errors.append(f"patient {patient}: gap {gap:.3f} outside [{low}, {high}]")
    return HhcScore(distance, tardiness, max_tardiness, tuple(errors))
