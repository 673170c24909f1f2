"""Re-planning a published day: start from the published routes, keep what need not move."""

from __future__ import annotations

from dataclasses import replace

from scheduler.parameters import Parameters
from scheduler.problem import Problem, Result, Shift
from scheduler.solver.rules import drop_penalty, unfamiliar_cost
from tests.solver.instances import at, problem, solve_checked, synthetic_area, visit, worker


def published(instance: Problem, result: Result) -> Problem:
    """``instance`` with ``result`` as its published rota."""
    workers: dict[int, list[int]] = {}
    start: dict[int, int] = {}
    for a in sorted(result.assignments, key=lambda a: a.worker_id):
        workers.setdefault(a.visit_id, []).append(a.worker_id)
        start[a.visit_id] = min(start.get(a.visit_id, a.start), a.start)
    left_out = {d.visit_id for d in result.dropped}
    return replace(
        instance,
        visits=tuple(
            replace(
                v,
                published_workers=tuple(workers.get(v.id, ())),
                published_start=start.get(v.id),
                published_unallocated=v.id in left_out,
            )
            for v in instance.visits
        ),
    )


def carers_of(result: Result) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for a in result.assignments:
        found.setdefault(a.visit_id, set()).add(a.worker_id)
    return found


def test_re_planning_an_unchanged_day_keeps_every_carer() -> None:
    """Nothing changed since publishing: the re-plan keeps every visit with its carers."""
    instance = synthetic_area(5, 35, seed=4)
    first = solve_checked(instance, seconds=2.0)
    again = solve_checked(published(instance, first), seconds=2.0)
    assert carers_of(again) == carers_of(first)


def test_a_worker_off_from_noon_moves_only_their_visits_and_a_few_others() -> None:
    """A worker's shift cut at noon: their later visits go elsewhere; most other
    visits keep their carer (each move costs ``published_move_cost``)."""
    instance = synthetic_area(6, 40, seed=6)
    first = solve_checked(instance, seconds=2.0)
    noon = 12 * 3600
    busiest = max(
        {a.worker_id for a in first.assignments},
        key=lambda w: sum(1 for a in first.assignments if a.worker_id == w and a.start >= noon),
    )
    cut = {
        w.id: tuple(Shift(s.start, min(s.end, noon)) for s in w.shifts if s.start < noon)
        for w in instance.workers
    }
    workers = tuple(
        replace(w, shifts=cut[w.id]) if w.id == busiest else w for w in instance.workers
    )
    before = published(replace(instance, workers=workers), first)
    again = solve_checked(before, seconds=2.0)
    old, new = carers_of(first), carers_of(again)
    others = [v for v, team in old.items() if busiest not in team]
    kept = [v for v in others if new.get(v) == old[v]]
    assert len(kept) >= 0.85 * len(others)
    assert not any(
        a.worker_id == busiest and a.start + 1 > noon for a in again.assignments
    )


def test_a_clients_regular_carer_costs_nothing_and_a_stranger_the_most() -> None:
    """The unfamiliar cost grades familiar carers by their share of the regular's visits."""
    params = Parameters(continuity_unfamiliar_cost=3600)
    counts = {0: 6, 1: 3}
    assert unfamiliar_cost(params, counts, 0) == 0
    assert unfamiliar_cost(params, counts, 1) == 1800
    assert unfamiliar_cost(params, counts, 2) == 3600
    assert unfamiliar_cost(params, {}, 2) == 0


def test_a_visit_the_published_rota_left_out_is_cheaper_to_leave_out_again() -> None:
    """Its drop penalty is capped, so a re-plan does not reshuffle everyone for it."""
    params = Parameters()
    plain = visit(1)
    assert drop_penalty(params, plain) > params.published_unallocated_drop_penalty
    left_out = replace(plain, published_unallocated=True)
    assert drop_penalty(params, left_out) == params.published_unallocated_drop_penalty


def test_a_published_visit_is_not_moved_earlier_for_free() -> None:
    """Published at 09:00 though its window opens at 08:00 (wanted 08:00): the re-plan
    keeps 09:00 (earlier costs ``published_retime_cost_per_second``), and without
    that cost nothing stops it going back to 08:00."""
    instance = problem(
        [worker(1)], [visit(1, window=("08:00", "10:00"), published_workers=(1,),
                            published_start=at("09:00"))],
    )
    kept = solve_checked(instance, Parameters())
    assert [a.start for a in kept.assignments] == [at("09:00")]
    free = solve_checked(instance, Parameters(published_retime_cost_per_second=0))
    assert [a.start for a in free.assignments] != [at("09:00")]
