"""Each rota rule binds: on a tiny named instance the plan changes when the rule is
removed or relaxed (a field cleared or a parameter changed)."""

from __future__ import annotations

from dataclasses import replace

from scheduler.parameters import Parameters
from scheduler.problem import Problem, Shift, WorkerHistory
from scheduler.solver.data import build_planning_data
from scheduler.solver.timeline import plan_route, route_breach
from tests.solver.instances import (
    at,
    carers,
    dropped_ids,
    place,
    problem,
    solve_checked,
    starts,
    visit,
    worker,
)

NEAR, FAR = place(0.5, 0), place(3, 0)
HOUSE = place(1, 0)

#: The soft costs that spread work about switched off, so each test sees its own rule.
QUIET = Parameters(
    fairness_cost_per_second=0,
    minimum_hours_cost_per_second=0,
    wage_shortfall_cost_per_pence=0,
    continuity_extra_carer_cost=0,
)


def quiet(**changes: object) -> Parameters:
    """:data:`QUIET` with some parameters changed."""
    return replace(QUIET, **changes)  # type: ignore[arg-type]


def near_and_far_workers(**visit_fields: object) -> Problem:
    """Worker 1 lives 0.5 km from the client, worker 2 lives 2 km further away;
    both work 07:00–15:00 by car; one 30-minute visit starting 08:00–10:00."""
    return problem(
        [worker(1, home=NEAR), worker(2, home=FAR)],
        [visit(1, location=HOUSE, **visit_fields)],
    )


# --- 1. time windows -----------------------------------------------------------


def late_window() -> Problem:
    """One worker and one visit that may only start 10:00–10:30 (preferred 10:00)."""
    return problem([worker(1)], [visit(1, window=("10:00", "10:30"))])


def test_time_window_holds_the_start() -> None:
    """The visit starts inside its window; opened up, it starts earlier."""
    bound = solve_checked(late_window(), QUIET)
    assert at("10:00") <= starts(bound, 1)[0] <= at("10:30")
    opened = replace(
        late_window(),
        visits=(replace(late_window().visits[0], earliest_start=at("08:00"),
                        preferred_start=at("08:00")),),
    )
    assert starts(solve_checked(opened, QUIET), 1)[0] < at("10:00")


def late_start_or_long_drive() -> Problem:
    """The nearby worker only starts at 09:00; the far one at 07:00; the visit is
    wanted at 08:00 but may start until 11:00."""
    near = worker(1, home=NEAR, shifts=(("09:00", "15:00"),))
    return problem([near, worker(2, home=FAR)], [visit(1, location=HOUSE,
                                                       window=("08:00", "11:00"))])


def test_lateness_cost_prefers_the_preferred_start() -> None:
    """Lateness costs more than the longer drive; without it, the short drive wins."""
    assert carers(solve_checked(late_start_or_long_drive(), QUIET), 1) == {2}
    relaxed = quiet(lateness_cost_per_second=0)
    assert carers(solve_checked(late_start_or_long_drive(), relaxed), 1) == {1}


def late_medicine_round() -> Problem:
    """A time-critical medicine visit prescribed for 08:00 (window 07:00–10:00) and
    one worker who starts at 08:40."""
    return problem(
        [worker(1, shifts=(("08:40", "15:00"),))],
        [visit(1, window=("07:00", "10:00"), preferred="08:00", time_critical=True)],
    )


def test_time_critical_visit_keeps_its_tolerance() -> None:
    """Within 30 minutes of 08:00 nobody is free, so the visit is dropped; with a
    one-hour tolerance it is made."""
    assert dropped_ids(solve_checked(late_medicine_round(), QUIET)) == {1}
    wider = quiet(time_critical_tolerance_seconds=3600)
    result = solve_checked(late_medicine_round(), wider)
    assert carers(result, 1) == {1}
    assert starts(result, 1)[0] <= at("09:00")


# --- 2. skills ---------------------------------------------------------------------


def test_skills_decide_who_can_go() -> None:
    """Only the far worker has PEG feeding; without the requirement the near one goes."""
    instance = near_and_far_workers(required_skills=frozenset({"peg_feeding"}))
    instance = replace(instance, workers=(
        instance.workers[0], replace(instance.workers[1], skills=frozenset({"peg_feeding"}))
    ))
    assert carers(solve_checked(instance, QUIET), 1) == {2}
    plain = replace(instance, visits=(replace(instance.visits[0], required_skills=frozenset()),))
    assert carers(solve_checked(plain, QUIET), 1) == {1}


# --- 3. availability and split shifts ---------------------------------------------


def split_shift_near_worker() -> Problem:
    """The near worker works 07:00–10:00 and 12:00–15:00; the far one 07:00–15:00;
    visits at 08:00–08:30, 10:30–11:00 and 12:30–13:00."""
    return problem(
        [worker(1, home=NEAR, shifts=(("07:00", "10:00"), ("12:00", "15:00"))),
         worker(2, home=FAR)],
        [visit(1, location=HOUSE, window=("08:00", "08:30")),
         visit(2, location=HOUSE, window=("10:30", "11:00"), client_id=102),
         visit(3, location=HOUSE, window=("12:30", "13:00"), client_id=103)],
    )


def test_split_shift_gap_is_respected() -> None:
    """The visit in the near worker's gap cannot be theirs (the far worker, driving
    out anyway, takes all three); with one long shift the near worker takes all three."""
    result = solve_checked(split_shift_near_worker(), QUIET)
    assert carers(result, 2) == {2}
    whole = split_shift_near_worker()
    whole = replace(whole, workers=(
        replace(whole.workers[0], shifts=(Shift(at("07:00"), at("15:00")),)), whole.workers[1]
    ))
    assert all(carers(solve_checked(whole, QUIET), v) == {1} for v in (1, 2, 3))


# --- 4. double-handed visits -------------------------------------------------------


def hoist_with_late_second_carer() -> Problem:
    """A double-handed hoisting visit wanted 08:00 (window 08:00–11:00); worker 1
    starts 07:00, worker 2 only at 09:00."""
    return problem(
        [worker(1, home=NEAR), worker(2, home=FAR, shifts=(("09:00", "15:00"),))],
        [visit(1, location=HOUSE, window=("08:00", "11:00"), carers_required=2)],
    )


def test_double_handed_visit_has_two_carers_starting_together() -> None:
    """Both carers go and start together (after 09:00); with an hour's tolerance the
    first carer starts earlier than the second."""
    result = solve_checked(hoist_with_late_second_carer(), QUIET)
    assert carers(result, 1) == {1, 2}
    first, second = starts(result, 1)
    assert first == second >= at("09:00")
    loose = quiet(double_handed_sync_tolerance_seconds=3600)
    first, second = starts(solve_checked(hoist_with_late_second_carer(), loose), 1)
    assert first < second


def test_single_handed_version_needs_one_carer() -> None:
    """Needing one carer, the same visit gets just the near worker."""
    instance = hoist_with_late_second_carer()
    single = replace(instance, visits=(replace(instance.visits[0], carers_required=1),))
    assert carers(solve_checked(single, QUIET), 1) == {1}


# --- 5. client preferences ---------------------------------------------------------


def test_declined_carer_is_never_sent() -> None:
    """The client declined the near worker, so the far one goes."""
    declined = near_and_far_workers(declined_workers=frozenset({1}))
    assert carers(solve_checked(declined, QUIET), 1) == {2}
    assert carers(solve_checked(near_and_far_workers(), QUIET), 1) == {1}


def male_near_female_far(strict: bool) -> Problem:
    """The near worker is male, the far one female; the client asks for a female carer."""
    instance = near_and_far_workers(carer_gender="female", carer_gender_strict=strict)
    return replace(instance, workers=(replace(instance.workers[0], gender="male"),
                                      instance.workers[1]))


def test_strict_gender_preference_is_hard() -> None:
    """A strict preference sends the female worker even when the cost is switched off."""
    assert carers(solve_checked(male_near_female_far(True),
                                quiet(gender_mismatch_cost=0)), 1) == {2}


def test_soft_gender_preference_has_a_cost() -> None:
    """A soft preference sends the female worker; at no cost the nearer male goes."""
    assert carers(solve_checked(male_near_female_far(False), QUIET), 1) == {2}
    assert carers(solve_checked(male_near_female_far(False),
                                quiet(gender_mismatch_cost=0)), 1) == {1}


# --- 6. travel by transport mode ---------------------------------------------------


def walker_and_driver() -> Problem:
    """A walker 1.5 km from the client and a driver 3 km away."""
    return problem(
        [worker(1, home=place(2.5, 0), mode="walking"), worker(2, home=place(4, 0))],
        [visit(1, location=HOUSE)],
    )


def test_travel_uses_each_workers_mode() -> None:
    """The driver is quicker despite the distance; given a car, the walker goes; the
    planned travel is the mode's travel time."""
    instance = walker_and_driver()
    result = solve_checked(instance, QUIET)
    assert carers(result, 1) == {2}
    expected = instance.travel.seconds(instance.workers[1].home, HOUSE, "car")
    assert result.assignments[0].travel == expected
    driving = replace(instance, workers=(replace(instance.workers[0], transport_mode="car"),
                                         instance.workers[1]))
    assert carers(solve_checked(driving, QUIET), 1) == {1}


# --- 7. Working Time Regulations ---------------------------------------------------


def seven_hours_back_to_back() -> Problem:
    """One worker living at the client's house, seven one-hour visits fixed at
    07:00, 08:00, … 13:00 with no time between them."""
    visits = [
        visit(k, location=HOUSE, window=(f"{7 + k - 1:02d}:00", f"{7 + k - 1:02d}:00"),
              duration_minutes=60, client_id=100)
        for k in range(1, 8)
    ]
    return problem([worker(1, home=HOUSE)], visits)


def test_rest_break_after_six_hours() -> None:
    """Seven hours without a gap break the 20-minute break rule, so one visit is
    dropped for want of a break; without the rule all seven fit."""
    result = solve_checked(seven_hours_back_to_back(), QUIET)
    assert [item.reason_code for item in result.dropped] == ["rest_break"]
    relaxed = quiet(max_work_without_break_seconds=24 * 3600)
    assert not solve_checked(seven_hours_back_to_back(), relaxed).dropped


def early_visit_after_late_shift(previous_end: int | None) -> Problem:
    """One worker whose last shift ended at ``previous_end`` (seconds from today's
    midnight) and a visit at 08:00–08:30."""
    return problem(
        [worker(1, shifts=(("07:00", "15:00"),),
                history=WorkerHistory(previous_shift_end=previous_end))],
        [visit(1, window=("08:00", "08:30"))],
    )


def test_eleven_hours_rest_between_days() -> None:
    """Finishing at 23:00 yesterday, the worker may not start before 10:00."""
    assert dropped_ids(solve_checked(early_visit_after_late_shift(-3600), QUIET)) == {1}
    assert not solve_checked(early_visit_after_late_shift(None), QUIET).dropped


def long_day(**worker_fields: object) -> Problem:
    """One worker on 06:00–22:00 living at the client's, with visits at 06:30 and
    20:00 (a 14-hour day)."""
    return problem(
        [worker(1, home=HOUSE, shifts=(("06:00", "22:00"),), **worker_fields)],
        [visit(1, location=HOUSE, window=("06:30", "06:30"), client_id=100),
         visit(2, location=HOUSE, window=("20:00", "20:00"), client_id=100)],
    )


def test_daily_limit() -> None:
    """Ten hours a day: one of the two visits goes; with a 16-hour limit both fit."""
    assert len(solve_checked(long_day(), QUIET).dropped) == 1
    assert not solve_checked(long_day(), quiet(daily_limit_seconds=16 * 3600)).dropped


def test_a_long_wait_takes_two_rest_breaks_in_the_first_plan() -> None:
    """06:30 and 20:00 on one 16-hour shift need two 20-minute breaks in the wait
    between them (no stretch of work over six hours): the greedy first plan times
    both visits, so the answer does not hang on the local search's time."""
    data = build_planning_data(long_day(), quiet(daily_limit_seconds=16 * 3600))
    nodes = [data.nodes_of_visit[1][0], data.nodes_of_visit[2][0]]
    route = plan_route(data, 0, nodes, {})
    assert route is not None and [stop.start for stop in route] == [at("06:30"), at("20:00")]
    assert route_breach(data, 0, route) is None
    assert data.days[0].rest_breaks_per_shift == (2,)
    one_break = replace(data, days=(replace(data.days[0], rest_breaks_per_shift=(1,)),))
    assert plan_route(one_break, 0, nodes, {}) is None


def two_visits_five_hours_apart(**worker_fields: object) -> Problem:
    """One worker living at the client's with visits at 09:00 and 14:00."""
    return problem(
        [worker(1, home=HOUSE, **worker_fields)],
        [visit(1, location=HOUSE, window=("09:00", "09:00"), client_id=100),
         visit(2, location=HOUSE, window=("14:00", "14:00"), client_id=100)],
    )


def test_young_worker_limits() -> None:
    """A young worker with 38 hours this week has two left: one visit goes; an adult
    with the same week does both."""
    history = WorkerHistory(week_worked=38 * 3600)
    young = two_visits_five_hours_apart(
        young_worker=True, history=history, contracted_seconds_per_week=48 * 3600
    )
    assert len(solve_checked(young, QUIET).dropped) == 1
    adult = two_visits_five_hours_apart(history=history, contracted_seconds_per_week=48 * 3600)
    assert not solve_checked(adult, QUIET).dropped


def test_weekly_average_unless_opted_out() -> None:
    """With the 17-week allowance all but used, one visit goes; opted out, both fit."""
    history = WorkerHistory(reference_days=118, reference_worked=48 * 17 * 3600 - 2 * 3600)
    assert len(solve_checked(two_visits_five_hours_apart(history=history), QUIET).dropped) == 1
    opted = two_visits_five_hours_apart(history=history, opted_out_of_48h=True)
    assert not solve_checked(opted, QUIET).dropped


# --- 8. contracted hours -----------------------------------------------------------


def test_contracted_hours_are_a_ceiling() -> None:
    """With one contracted hour left this week only one visit fits; with more, both."""
    history = WorkerHistory(week_worked=36 * 3600)
    assert len(solve_checked(two_visits_five_hours_apart(history=history), QUIET).dropped) == 1
    more = two_visits_five_hours_apart(history=history, contracted_seconds_per_week=45 * 3600)
    assert not solve_checked(more, QUIET).dropped


def test_minimum_hours_are_a_soft_target() -> None:
    """The far worker is short of their weekly minimum, so they get the visit."""
    instance = near_and_far_workers()
    short = replace(instance, workers=(
        instance.workers[0], replace(instance.workers[1], minimum_seconds_per_week=30 * 3600)
    ))
    assert carers(solve_checked(short, quiet(minimum_hours_cost_per_second=1)), 1) == {2}
    assert carers(solve_checked(short, quiet(minimum_hours_cost_per_second=0)), 1) == {1}


# --- 9. continuity of care ---------------------------------------------------------


def test_preferred_worker_goes() -> None:
    """The client prefers the far worker; without the preference the near one goes."""
    preferring = near_and_far_workers(preferred_workers=frozenset({2}))
    assert carers(solve_checked(preferring, QUIET), 1) == {2}
    assert carers(solve_checked(near_and_far_workers(), QUIET), 1) == {1}


def test_familiar_worker_goes() -> None:
    """The far worker visited the client recently; the near one never has."""
    instance = near_and_far_workers()
    familiar = replace(instance, workers=(
        instance.workers[0],
        replace(instance.workers[1], history=WorkerHistory(recent_clients=((101, 4),))),
    ))
    assert carers(solve_checked(familiar, QUIET), 1) == {2}
    assert carers(solve_checked(familiar, quiet(continuity_unfamiliar_cost=0)), 1) == {1}


def test_team_worker_goes() -> None:
    """The far worker is in the client's regular team for the week; without the
    team cost the near one goes."""
    teamed = near_and_far_workers(team_workers=frozenset({2}))
    assert carers(solve_checked(teamed, QUIET), 1) == {2}
    assert carers(solve_checked(teamed, quiet(continuity_team_cost=0)), 1) == {1}


def test_a_carer_the_client_saw_this_week_fills_in_for_the_team() -> None:
    """The team (worker 3) is not working today. Worker 2 lives further away but
    served the client earlier this week, so they go rather than a carer new to
    the client this week; without the new-carer cost the near worker goes."""
    missing = near_and_far_workers(team_workers=frozenset({3}), week_workers=frozenset({2}))
    assert carers(solve_checked(missing, QUIET), 1) == {2}
    assert carers(solve_checked(missing, quiet(continuity_new_carer_cost=0)), 1) == {1}
    result = solve_checked(missing, QUIET)
    assert result.objective["continuity"] == QUIET.continuity_team_cost


def test_team_cost_counts_the_first_carer_of_a_double_handed_visit_only() -> None:
    """A double-handed visit needs a second carer from outside a one-carer team:
    the plan pays the team cost once, not twice."""
    pair = problem(
        [worker(1, home=NEAR), worker(2, home=FAR)],
        [visit(1, location=HOUSE, carers_required=2, team_workers=frozenset({1}))],
    )
    result = solve_checked(pair, QUIET)
    assert carers(result, 1) == {1, 2}
    assert result.objective["continuity"] == 0


def two_visits_one_client() -> Problem:
    """Morning and lunch visits to one client, the first preferring worker 1 and the
    second worker 2 (who live equally far away)."""
    return problem(
        [worker(1, home=place(0.8, 0)), worker(2, home=place(1.2, 0))],
        [visit(1, location=HOUSE, window=("08:00", "09:00"), client_id=7,
               preferred_workers=frozenset({1})),
         visit(2, location=HOUSE, window=("12:00", "13:00"), client_id=7,
               preferred_workers=frozenset({2}))],
    )


def test_one_carer_per_client_when_possible() -> None:
    """Each visit goes to its preferred worker, so the client sees two carers; a high
    enough extra-carer cost keeps them to one, and the count is reported."""
    apart = solve_checked(two_visits_one_client(), QUIET)
    assert apart.carers_per_client[7] == 2
    result = solve_checked(two_visits_one_client(), quiet(continuity_extra_carer_cost=5000))
    assert result.carers_per_client[7] == 1


# --- 10. unallocated visits --------------------------------------------------------


def clash(first_priority: int, second_priority: int) -> Problem:
    """One worker and two visits fixed at the same time, of the given priorities."""
    return problem(
        [worker(1)],
        [visit(1, window=("09:00", "09:00"), priority=first_priority),
         visit(2, window=("09:00", "09:00"), priority=second_priority, location=place(1, 1.1))],
    )


def test_dropping_follows_priority() -> None:
    """The lower-priority visit is dropped, with a reason; swap priorities, swap drops."""
    result = solve_checked(clash(1, 5), QUIET)
    assert dropped_ids(result) == {2}
    assert "fully booked" in result.dropped[0].reason
    assert dropped_ids(solve_checked(clash(5, 1), QUIET)) == {1}


def test_time_critical_outranks_priority() -> None:
    """A time-critical visit beats a priority-1 routine visit."""
    instance = clash(1, 3)
    critical = replace(instance, visits=(
        instance.visits[0], replace(instance.visits[1], time_critical=True)
    ))
    assert dropped_ids(solve_checked(critical, QUIET)) == {1}


# --- 11. pinned, fixed and published assignments -----------------------------------


def test_pinned_worker_is_kept() -> None:
    """Pinned to the far worker, the visit goes to them."""
    pinned = near_and_far_workers(pinned_workers=(2,))
    assert carers(solve_checked(pinned, QUIET), 1) == {2}


def test_fixed_visit_stays_as_published() -> None:
    """A started visit stays with the far worker at 09:05, outside its window and
    although they lack the skill now required."""
    instance = near_and_far_workers(
        fixed=True, published_workers=(2,), published_start=at("09:05"),
        window=("10:00", "10:30"), required_skills=frozenset({"insulin"}),
    )
    result = solve_checked(instance, QUIET)
    assert carers(result, 1) == {2} and starts(result, 1) == [at("09:05")]


def test_moving_a_published_assignment_has_a_cost() -> None:
    """Published with the far worker, the visit stays there when moving costs more
    than the drive; at no cost it moves to the near worker."""
    published = near_and_far_workers(published_workers=(2,), published_start=at("08:00"))
    assert carers(solve_checked(published, quiet(published_move_cost=5000)), 1) == {2}
    assert carers(solve_checked(published, quiet(published_move_cost=0)), 1) == {1}


# --- 12. fair workload -------------------------------------------------------------


def six_visits_next_door() -> Problem:
    """Six half-hour visits around worker 1's home, wanted hourly from 08:00 (windows
    08:00–14:00); worker 2 lives 4 km away."""
    visits = [
        visit(k, location=place(0.1 * k, 0), window=("08:00", "14:00"),
              preferred=f"{7 + k:02d}:00", client_id=200 + k)
        for k in range(1, 7)
    ]
    return problem([worker(1, home=place(0, 0)), worker(2, home=place(4, 0))], visits)


def test_fair_workload_spreads_the_work() -> None:
    """Without a fairness cost worker 1 does everything; with it worker 2 gets some."""
    lazy = solve_checked(six_visits_next_door(), quiet(fairness_cost_per_second=0))
    assert {a.worker_id for a in lazy.assignments} == {1}
    fair = solve_checked(six_visits_next_door(), quiet(fairness_cost_per_second=5))
    assert {a.worker_id for a in fair.assignments} == {1, 2}


# --- 13. minimum wage --------------------------------------------------------------


def two_visits_far_apart() -> Problem:
    """Two half-hour visits 5 km apart; worker 1 (paid £13.21 per contact hour) lives
    a little nearer than worker 2 (paid £24.42)."""
    return problem(
        [worker(1, home=place(2.4, 0)), worker(2, home=place(2.7, 0), hourly_pay_pence=2442)],
        [visit(1, location=place(0, 0), window=("08:00", "09:00"), client_id=301),
         visit(2, location=place(5, 0), window=("09:00", "11:00"), client_id=302)],
    )


def test_minimum_wage_shortfall_is_penalised() -> None:
    """Unpaid travel would take worker 1 below the National Living Wage, so the
    better-paid worker goes; without the cost the nearer worker does."""
    params = quiet(wage_shortfall_cost_per_pence=5)
    paid = solve_checked(two_visits_far_apart(), params)
    assert {a.worker_id for a in paid.assignments} == {2}
    figures = paid.worker_figures[2]
    assert figures["contact_seconds"] == 3600 and figures["travel_seconds"] > 0
    assert figures["effective_pence_per_hour"] >= 1221
    cheap = solve_checked(two_visits_far_apart(),
                          replace(params, wage_shortfall_cost_per_pence=0))
    assert {a.worker_id for a in cheap.assignments} == {1}
    assert cheap.worker_figures[1]["effective_pence_per_hour"] < 1221
