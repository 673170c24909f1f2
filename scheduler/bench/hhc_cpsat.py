"""Exact re-optimisation of part of a plan with CP-SAT (large neighbourhood search).

The routing model cannot express the maximum tardiness, and its local search
moves one node at a time (never both services of a patient together). Here a
set of operations is *freed*: each may go to any open caregiver qualified for
it, at any place in that caregiver's route, while every other operation stays
with its caregiver in the same order (its start may still move). CP-SAT then
finds the best plan for the true objective — travel + total tardiness + maximum
tardiness, over the whole plan — with the current plan as a hint.

Freeing whole routes (all their operations, open only to those caregivers)
re-plans a few caregivers' days from scratch; freeing a few related patients
re-inserts them anywhere. One circuit per open caregiver; starts are integer
variables in :data:`SCALE` units with journeys rounded up, so every plan found is
feasible in real numbers (it is re-timed exactly by
:func:`~scheduler.bench.hhc_schedule.earliest_starts` afterwards).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.bench.mankowska import HhcInstance, Operation

#: Integer units per time or distance unit of the instance.
SCALE = 1000

Sequences = list[list[Operation]]


@dataclass(frozen=True, slots=True)
class RepairOutcome:
    """What a sub-problem solve found: ``sequences`` (None if nothing) and whether it
    was proved optimal (for the freed operations)."""

    sequences: Sequences | None
    optimal: bool


def _travel(instance: HhcInstance, a: int, b: int) -> int:
    """A journey in integer units, rounded up (for timing)."""
    return 0 if a == b else math.ceil(instance.distance[a][b] * SCALE - 1e-9)


def _length(instance: HhcInstance, a: int, b: int) -> int:
    """A journey in integer units, rounded (for the objective)."""
    return 0 if a == b else round(instance.distance[a][b] * SCALE)


def _duration(instance: HhcInstance, caregiver: int, op: Operation) -> int:
    return math.ceil(instance.duration[op.patient][caregiver][op.service] * SCALE - 1e-9)


def _integer_starts(
    instance: HhcInstance, sequences: Sequence[Sequence[Operation]]
) -> dict[Operation, int]:
    """Earliest integer starts of the sequences in the model's units (for the hint);
    gap constraints are met by pushing later starts until nothing moves."""
    start: dict[Operation, int] = {}
    for _ in range(4 * len(sequences) + 8):
        changed = False
        for caregiver, sequence in enumerate(sequences):
            ready, previous = 0, 0
            for op in sequence:
                value = max(
                    ready + _travel(instance, previous, op.patient),
                    math.ceil(instance.earliest[op.patient] * SCALE - 1e-9),
                    start.get(op, 0),
                )
                if value != start.get(op):
                    start[op] = value
                    changed = True
                ready = value + _duration(instance, caregiver, op)
                previous = op.patient
        for patient in instance.patients:
            services = instance.services_of(patient)
            if len(services) != 2:
                continue
            first, second = (Operation(patient, s) for s in services)
            if first not in start or second not in start:
                continue
            low = round(instance.min_gap[patient] * SCALE)
            high = round(instance.max_gap[patient] * SCALE)
            if start[second] < start[first] + low:
                start[second] = start[first] + low
                changed = True
            if start[first] < start[second] - high:
                start[first] = start[second] - high
                changed = True
        if not changed:
            break
    return start


@dataclass
class _Circuit:
    """The arcs of one open caregiver's circuit: node 0 is the depot."""

    instance: HhcInstance
    model: cp_model.CpModel
    start: dict[Operation, cp_model.IntVar]
    caregiver: int
    nodes: dict[Operation, int]
    distance_terms: list[tuple[cp_model.IntVar, int]]
    arcs: list[tuple[int, int, cp_model.LiteralT]] = field(default_factory=list)

    def arc(self, a: Operation | None, b: Operation | None, hinted: bool) -> None:
        """Allow ``a`` → ``b`` (None: the depot), timing and travel when it is taken."""
        literal = self.model.new_bool_var("")
        self.model.add_hint(literal, hinted)
        self.arcs.append((self.nodes[a] if a else 0, self.nodes[b] if b else 0, literal))
        here = a.patient if a else 0
        there = b.patient if b else self.instance.end_depot
        self.distance_terms.append((literal, _length(self.instance, here, there)))
        if b is not None:
            leave = _duration(self.instance, self.caregiver, a) if a else 0
            ready = self.start[a] + leave if a else 0
            self.model.add(
                self.start[b] >= ready + _travel(self.instance, here, b.patient)
            ).only_enforce_if(literal)


def reoptimise(
    instance: HhcInstance,
    sequences: Sequences,
    freed: set[Operation],
    seconds: float,
    *,
    caregivers: Sequence[int] | None = None,
    seed: int = 0,
    lateness_cap: float | None = None,
) -> RepairOutcome:
    """Re-place the ``freed`` operations anywhere on the ``caregivers`` (default: all) for
    the least objective; every other operation stays with its caregiver, in the same
    order, though its start may move. ``seconds`` bounds the CP-SAT search (one worker).
    ``lateness_cap``, if given, keeps every service's tardiness within it (or within
    its tardiness in the current plan, if more): a smaller, quicker neighbourhood.
    """
    open_to = set(range(instance.caregivers) if caregivers is None else caregivers)
    model = cp_model.CpModel()
    all_ops = [op for sequence in sequences for op in sequence]
    hint = _integer_starts(instance, sequences)
    # No start need be later than the latest hinted start plus a whole day more: a
    # bound that keeps the model's numbers small without cutting off better plans.
    horizon = max(hint.values(), default=0) + math.ceil(
        (max(instance.due) + max(max(row) for row in instance.distance)) * SCALE
    )
    def latest_start(op: Operation) -> int:
        if lateness_cap is None:
            return horizon
        cap = max(lateness_cap * SCALE, hint[op] - instance.due[op.patient] * SCALE)
        return min(horizon, math.floor(instance.due[op.patient] * SCALE + cap))

    start = {
        op: model.new_int_var(
            math.ceil(instance.earliest[op.patient] * SCALE - 1e-9), latest_start(op),
            f"start_{op}",
        )
        for op in all_ops
    }
    for op, var in start.items():
        model.add_hint(var, hint[op])
    where = {op: k for k, sequence in enumerate(sequences) for op in sequence}
    by: dict[tuple[int, Operation], cp_model.IntVar] = {}
    distance_terms: list[tuple[cp_model.IntVar, int]] = []
    for caregiver, sequence in enumerate(sequences):
        kept = [op for op in sequence if op not in freed]
        if caregiver not in open_to:
            _fixed_route(instance, model, start, caregiver, kept)
            continue
        candidates = [op for op in all_ops if op in freed and instance.can_give(caregiver, op)]
        circuit = _Circuit(
            instance, model, start, caregiver,
            {op: k + 1 for k, op in enumerate(kept + candidates)}, distance_terms,
        )
        successor = dict(itertools.pairwise(sequence))
        first = sequence[0] if sequence else None
        last = sequence[-1] if sequence else None
        if not kept:
            empty = model.new_bool_var("")
            model.add_hint(empty, not sequence)
            circuit.arcs.append((0, 0, empty))
        for op in candidates:
            served_here = model.new_bool_var("")
            by[(caregiver, op)] = served_here
            model.add_hint(served_here, where[op] == caregiver)
            circuit.arcs.append((circuit.nodes[op], circuit.nodes[op], served_here.negated()))
        # Kept operations stay in order: precedences, and arcs only to what may follow.
        for a, b in itertools.pairwise(kept):
            model.add(start[b] >= start[a] + _duration(instance, caregiver, a)
                      + _travel(instance, a.patient, b.patient))
        for position, op in enumerate(kept):
            if position == 0:
                circuit.arc(None, op, first == op)
            following = kept[position + 1] if position + 1 < len(kept) else None
            circuit.arc(op, following, successor.get(op) == following
                        if following else last == op)
            for other in candidates:
                if other.patient != op.patient:
                    circuit.arc(op, other, successor.get(op) == other)
                    circuit.arc(other, op, successor.get(other) == op)
        for op in candidates:
            circuit.arc(None, op, first == op)
            circuit.arc(op, None, last == op)
            for other in candidates:
                if other is not op and other.patient != op.patient:
                    circuit.arc(op, other, successor.get(op) == other)
        model.add_circuit(circuit.arcs)
    for op in freed:
        model.add_exactly_one([by[(k, op)] for k in open_to if (k, op) in by])
    _double_services(instance, model, start, by, open_to)
    for op, caregiver in where.items():
        # A kept service's partner, if freed, may not join the same caregiver.
        if op in freed or caregiver not in open_to:
            continue
        for service in instance.services_of(op.patient):
            partner = Operation(op.patient, service)
            if partner != op and (caregiver, partner) in by:
                model.add(by[(caregiver, partner)] == 0)
    latest = model.new_int_var(0, horizon, "max_tardiness")
    lateness = []
    for op in all_ops:
        due = math.floor(instance.due[op.patient] * SCALE)
        late = model.new_int_var(0, horizon, f"late_{op}")
        model.add(late >= start[op] - due)
        model.add(latest >= late)
        model.add_hint(late, max(0, hint[op] - due))
        lateness.append(late)
    model.minimize(
        sum(coefficient * var for var, coefficient in distance_terms) + sum(lateness) + latest
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    # Presolve off for these small, short sub-problems (an earlier measurement, not
    # repeated since: see docs/solver.md).
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RepairOutcome(None, False)
    result: Sequences = []
    for caregiver, sequence in enumerate(sequences):
        mine = [op for op in sequence if op not in freed]
        if caregiver in open_to:
            mine += [op for op in freed
                     if (caregiver, op) in by and solver.value(by[(caregiver, op)])]
            order = {op: k for k, op in enumerate(sequence)}
            mine.sort(key=lambda op: (solver.value(start[op]), order.get(op, len(order))))
        result.append(mine)
    return RepairOutcome(result, status == cp_model.OPTIMAL)


def _fixed_route(
    instance: HhcInstance,
    model: cp_model.CpModel,
    start: dict[Operation, cp_model.IntVar],
    caregiver: int,
    sequence: Sequence[Operation],
) -> None:
    """A route whose sequence stays: precedences only (its starts may still move)."""
    previous: Operation | None = None
    for op in sequence:
        if previous is None:
            model.add(start[op] >= _travel(instance, 0, op.patient))
        else:
            model.add(start[op] >= start[previous] + _duration(instance, caregiver, previous)
                      + _travel(instance, previous.patient, op.patient))
        previous = op


def _double_services(
    instance: HhcInstance,
    model: cp_model.CpModel,
    start: dict[Operation, cp_model.IntVar],
    by: dict[tuple[int, Operation], cp_model.IntVar],
    open_to: set[int],
) -> None:
    """The gap between the two services' starts, and two different caregivers."""
    for patient in instance.patients:
        services = instance.services_of(patient)
        if len(services) != 2:
            continue
        first, second = (Operation(patient, s) for s in services)
        gap = start[second] - start[first]
        model.add(gap >= round(instance.min_gap[patient] * SCALE))
        model.add(gap <= round(instance.max_gap[patient] * SCALE))
        for caregiver in open_to:
            pair = (by.get((caregiver, first)), by.get((caregiver, second)))
            if pair[0] is not None and pair[1] is not None:
                model.add_bool_or([pair[0].negated(), pair[1].negated()])
