"""Weekly team planning: small teams whose rostered shifts cover a client's calls,
a rough timetable that keeps travel and the daily rest, the same teams all week."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from scheduler.db.models import (
    Absence,
    AbsenceKind,
    Assignment,
    PlanRun,
    PlanRunStatus,
    PublishedRota,
    Visit,
    Worker,
)
from scheduler.generate import generate_scenario
from scheduler.teams import (
    DAILY_REST,
    TEAM_SIZE,
    TRAVEL,
    Candidate,
    WeekVisit,
    book,
    choose_team,
    fill_gaps,
    slot_for,
    week_carers,
    week_teams,
)
from scheduler.travel import Point
from scheduler.visits import day_origin

HOUR = 3600
HOME = Point(53.80, -1.55)
NEXT_DOOR = Point(53.801, -1.55)
ACROSS_TOWN = Point(53.88, -1.55)  # about 9 km north
DAY_LONG = timedelta(days=1)


def carer(worker_id: int, days: dict[int, list[tuple[int, int]]], *, home: Point = HOME,
          capacity: float = 40 * HOUR, skills: frozenset[str] = frozenset()) -> Candidate:
    """A car driver rostered on ``days`` (weekday → [start, end) seconds)."""
    return Candidate(worker_id, 1, home, "car", "female", skills, days, capacity)


def call(weekday: int, start_hour: float, *, visit_id: int = 0, width: float = 1.0,
         minutes: int = 30, where: Point = NEXT_DOOR,
         skills: frozenset[str] = frozenset()) -> WeekVisit:
    """A call on ``weekday`` that may start from ``start_hour`` for ``width`` hours."""
    start = int(start_hour * HOUR)
    return WeekVisit(visit_id, weekday, start, start + int(width * HOUR), start, minutes * 60,
                     skills, where)


def test_a_visit_fits_only_inside_a_rostered_period() -> None:
    """A 07:00–14:00 shift takes a 08:00 call but not a 17:00 one, nor one on a day off."""
    worker = carer(1, {0: [(7 * HOUR, 14 * HOUR)]})
    assert slot_for(worker, call(0, 8)) == 8 * HOUR
    assert slot_for(worker, call(0, 17)) is None
    assert slot_for(worker, call(1, 8)) is None
    assert slot_for(worker, call(0, 8, skills=frozenset({"hoisting"}))) is None


def test_a_booked_visit_leaves_room_for_the_travel_to_the_next() -> None:
    """After a call across town ending 08:30, the next call starts no sooner than the
    drive (plus slack) allows; with no room left in its window it does not fit."""
    worker = carer(1, {0: [(7 * HOUR, 14 * HOUR)]})
    book(worker, call(0, 8, where=ACROSS_TOWN), 8 * HOUR)
    drive = TRAVEL.seconds(ACROSS_TOWN, NEXT_DOOR, "car")
    start = slot_for(worker, call(0, 8.5))
    assert start is not None and start >= 8.5 * HOUR + drive
    assert slot_for(worker, call(0, 8.5, width=drive / HOUR / 2)) is None


def test_late_work_blocks_the_next_early_morning() -> None:
    """Booked until 22:00 on Monday, a carer cannot be promised 07:00 on Tuesday
    (11 hours' daily rest), but can be promised 09:30."""
    worker = carer(1, {0: [(16 * HOUR, 22 * HOUR)], 1: [(7 * HOUR, 14 * HOUR)]})
    book(worker, call(0, 21.5, width=0), 21.5 * HOUR)
    assert DAILY_REST == 11 * HOUR
    assert slot_for(worker, call(1, 7, width=0)) is None
    assert slot_for(worker, call(1, 9.5, width=0)) == int(9.5 * HOUR)


def test_the_team_is_the_fewest_carers_covering_the_week_nearest_first() -> None:
    """Mornings Monday to Sunday: the nearby carer rostered Monday–Friday and the one
    rostered at the weekend make the team; a third, covering the same days as the
    first but living far off, is not needed."""
    week = [call(day, 8, visit_id=day) for day in range(7)]
    weekdays = {day: [(7 * HOUR, 14 * HOUR)] for day in range(5)}
    weekend = {day: [(7 * HOUR, 14 * HOUR)] for day in (5, 6)}
    near, far, sat_sun = carer(1, weekdays), carer(2, weekdays, home=ACROSS_TOWN), carer(3, weekend)
    promised: dict[int, tuple[int, int]] = {}
    team = choose_team(week, [far, near, sat_sun], Counter(), promised)
    assert team == (1, 3)
    assert {visit: worker for visit, (worker, _) in promised.items()} == {
        0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 3, 6: 3
    }
    assert near.capacity == 40 * HOUR - 5 * 30 * 60


def test_capacity_and_history_steer_the_choice() -> None:
    """A carer without contracted hours left is passed over; between two equal carers,
    the one who visited the client in the last 14 days is chosen."""
    week = [call(0, 8, visit_id=1)]
    monday = {0: [(7 * HOUR, 14 * HOUR)]}
    assert choose_team(week, [carer(1, monday, capacity=0), carer(2, monday)],
                       Counter()) == (2,)
    assert choose_team(week, [carer(1, monday), carer(2, monday)],
                       Counter({2: 5})) == (2,)
    assert choose_team(week, [carer(1, monday), carer(2, monday)],
                       Counter()) == (1,)


def test_week_teams_are_small_stable_and_keep_the_timetable_lawful(engine: Engine) -> None:
    """On a generated area: every team has at most three carers, every promised visit
    goes to a member of its client's team inside its window, no carer is promised two
    overlapping visits, and every day of the week gives the same teams."""
    monday = date(2026, 11, 23)
    generate_scenario(engine, workers=30, seed=4, first_day=monday, days=7, areas=1)
    with Session(engine) as session:
        plan = week_teams(session, [1], monday)
        thursday = week_teams(session, [1], monday + timedelta(days=3))
        visits = {
            v.id: v
            for v in session.exec(select(Visit).where(col(Visit.care_plan_id).is_not(None)))
        }
    assert plan.teams == thursday.teams and plan.promised == thursday.promised
    assert plan.teams and all(len(team) <= TEAM_SIZE for team in plan.teams.values())
    assert len(plan.promised) >= 0.7 * len(visits)
    busy: dict[tuple[int, date], list[tuple[int, int]]] = defaultdict(list)
    for visit_id, (worker_id, start) in plan.promised.items():
        visit = visits[visit_id]
        assert worker_id in plan.teams[visit.client_id]
        origin = day_origin(visit.day)
        assert (visit.earliest_start - origin).total_seconds() <= start
        assert start <= (visit.latest_start - origin).total_seconds()
        busy[(worker_id, visit.day)].append((start, start + visit.duration_minutes * 60))
    for periods in busy.values():
        periods.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(periods))


def test_planned_leave_keeps_a_carer_out_of_that_days_promises(engine: Engine) -> None:
    """A carer booked on annual leave on Tuesday is promised no Tuesday visit (their
    Tuesday calls go to someone else); a sickness absence does not change the
    teams (sickness must not reshuffle the week)."""
    monday = date(2026, 11, 23)
    tuesday = monday + timedelta(days=1)
    generate_scenario(engine, workers=30, seed=4, first_day=monday, days=7, areas=1)
    with Session(engine) as session:
        session.exec(delete(Absence))  # type: ignore[call-overload]
        session.commit()
        before = week_teams(session, [1], monday)
        days = {v.id: v.day for v in session.exec(select(Visit))}
        tuesday_load = Counter(
            w for visit_id, (w, _) in before.promised.items() if days[visit_id] == tuesday
        )
        chosen, tuesday_calls = tuesday_load.most_common(1)[0]
        assert tuesday_calls >= 2
        session.add(Absence(worker_id=chosen, kind=AbsenceKind.SICKNESS,
                            starts_at=day_origin(tuesday), ends_at=day_origin(tuesday) + DAY_LONG))
        session.commit()
        assert week_teams(session, [1], monday) == before
        session.exec(delete(Absence))  # type: ignore[call-overload]
        session.add(Absence(worker_id=chosen, kind=AbsenceKind.LEAVE,
                            starts_at=day_origin(tuesday), ends_at=day_origin(tuesday) + DAY_LONG))
        session.commit()
        after = week_teams(session, [1], monday)
    on_leave = [v for v, (w, _) in after.promised.items() if w == chosen and days[v] == tuesday]
    assert on_leave == []
    assert any(w == chosen for w, _ in after.promised.values())


def test_week_carers_are_the_earlier_days_of_the_same_week(engine: Engine) -> None:
    """Carers of the published visits from Monday up to the day before, per client."""
    monday = date(2026, 11, 23)
    generate_scenario(engine, workers=20, seed=4, first_day=monday, days=7, areas=1)
    with Session(engine) as session:
        visits = list(session.exec(select(Visit).order_by(col(Visit.id))))
        workers = sorted(a.id or 0 for a in session.exec(select(Worker)))
        published: dict[date, tuple[int, int]] = {}
        for offset in range(3):
            day = monday + timedelta(days=offset)
            visit = next(v for v in visits if v.day == day)
            run = PlanRun(key=f"test-{offset}", day=day, status=PlanRunStatus.PUBLISHED)
            session.add(run)
            session.flush()
            session.add(PublishedRota(area_id=1, day=day, plan_run_id=run.id or 0))
            session.add(Assignment(plan_run_id=run.id or 0, visit_id=visit.id or 0,
                                   worker_id=workers[offset], sequence=0,
                                   start=visit.preferred_start,
                                   end=visit.preferred_start + timedelta(minutes=30),
                                   travel_seconds=0))
            published[day] = (visit.client_id, workers[offset])
        session.commit()
        seen_wednesday = week_carers(session, [1], monday + timedelta(days=2))
        seen_tuesday = week_carers(session, [1], monday + timedelta(days=1))
        assert week_carers(session, [1], monday) == {}
        assert week_carers(session, [1], monday + timedelta(days=7)) == {}
    expected: dict[int, set[int]] = defaultdict(set)
    for day, (client_id, worker_id) in published.items():
        if day < monday + timedelta(days=2):
            expected[client_id].add(worker_id)
    assert seen_wednesday == expected
    monday_client, monday_worker = published[monday]
    assert seen_tuesday == {monday_client: {monday_worker}}


def test_a_carer_already_promised_next_door_is_chosen_over_a_nearer_home() -> None:
    """One carer lives across town but was promised a call next door just before;
    another lives 2 km off with an empty morning. The call adds almost nothing to
    the first carer's round (it continues from next door) and 2 km each way to the
    second's, so the first is chosen, though their home is farther."""
    monday = {0: [(7 * HOUR, 14 * HOUR)]}
    busy = carer(1, monday, home=ACROSS_TOWN)
    book(busy, call(0, 7, visit_id=9), 7 * HOUR)
    two_km = Point(NEXT_DOOR.latitude + 0.018, NEXT_DOOR.longitude)
    week = [call(0, 8, visit_id=1)]
    assert choose_team(week, [carer(2, monday, home=two_km), busy], Counter()) == (1,)
    assert choose_team(week, [carer(2, monday, home=two_km), carer(1, monday, home=ACROSS_TOWN)],
                       Counter()) == (2,)


def test_a_member_is_swapped_when_another_carer_covers_the_whole_week() -> None:
    """Three carers next door cover Monday to Saturday between them; only a carer
    across town works on Sunday. Picked by nearness alone, the team would leave
    Sunday's call to a stranger; swapping the Saturday-only carer for the one who
    works both weekend days covers every call with three carers."""
    week = [call(day, 8, visit_id=day) for day in range(7)]
    morning = [(7 * HOUR, 14 * HOUR)]
    early_week = carer(1, dict.fromkeys((0, 1, 2), morning))
    late_week = carer(2, dict.fromkeys((3, 4), morning))
    saturday = carer(3, {5: morning})
    weekend = carer(4, dict.fromkeys((5, 6), morning), home=ACROSS_TOWN)
    promised: dict[int, tuple[int, int]] = {}
    team = choose_team(week, [early_week, late_week, saturday, weekend], Counter(), promised)
    assert team == (1, 2, 4)
    assert {visit: worker for visit, (worker, _) in promised.items()} == {
        0: 1, 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4
    }
    assert saturday.booked == {}


def test_a_gap_is_filled_by_moving_the_promise_in_the_way() -> None:
    """One carer serves two clients. The first client's call (8:00, may start 7:00–9:00)
    was promised at 8:00, which leaves no room for the second client's Monday call
    (8:00–8:30). Moving the first call earlier on the same carer lets the second
    client's call be promised to the carer already in their team."""
    carer_one = carer(1, {0: [(7 * HOUR, 9 * HOUR)], 1: [(7 * HOUR, 9 * HOUR)]})
    flexible = WeekVisit(10, 0, 7 * HOUR, 9 * HOUR, 8 * HOUR, 30 * 60, frozenset(), NEXT_DOOR)
    tight = [call(0, 8, visit_id=20, width=0.5), call(1, 8, visit_id=21, width=0.5)]
    promised: dict[int, tuple[int, int]] = {}
    chosen = {
        1: choose_team([flexible], [carer_one], Counter(), promised),
        2: choose_team(tight, [carer_one], Counter(), promised),
    }
    assert chosen == {1: (1,), 2: (1,)}
    assert 20 not in promised and promised[10] == (1, 8 * HOUR)
    assert fill_gaps([1, 2], {1: [flexible], 2: tight}, chosen, promised, {1: carer_one}) == 1
    assert promised[20] == (1, 8 * HOUR)
    moved = promised[10][1]
    assert promised[10][0] == 1 and moved >= 7 * HOUR and moved + 30 * 60 <= 8 * HOUR
    monday = sorted(carer_one.booked[0])
    assert [(a, b) for a, b, _ in monday] == [(moved, moved + 30 * 60), (8 * HOUR, 8.5 * HOUR)]
    assert carer_one.capacity == 40 * HOUR - 3 * 30 * 60
