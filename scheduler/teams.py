"""Each client's regular team for a week: a few carers whose rostered shifts cover their calls.

Continuity of care across a week cannot come from planning each day alone: a
day's cheapest routes pick whichever carer is nearby on that day, and shift
patterns differ from day to day. So, as a real service does, each client gets a
small regular team (at most ``TEAM_SIZE`` carers) for the calendar week, chosen
from the week's care-plan visits and the workers' rostered weekly patterns
(never from one day's absences, so sickness does not reshuffle everyone's
team). Daily planning then prefers the team (``Parameters.continuity_team_cost``
per carer outside it).

The choice is a greedy cover, hardest clients first (most care in the week):
each pick is the carer, among the ``NEAREST`` to the client, who can cover the
most still-uncovered care time, within their contracted hours not yet promised
to other clients' teams. Each visit's time is weighed down by the detour it
adds to the carer's promised day (kilometres; from home on an empty day), so
that teams make compact rounds, and up by the visits the carer made to the
client in the last 14 days before the week (so teams carry over from week to
week). Rostered periods
touched by leave or training booked for the week are not offered (sickness is
not looked at, so it cannot reshuffle the week). The same inputs give the same
teams on every day of the week. :func:`week_carers` gives, for a day, the carers
each client already had earlier in its week (for ``continuity_new_carer_cost``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, col, or_, select

from scheduler.db.models import (
    Absence,
    AbsenceKind,
    Assignment,
    AvailabilityPattern,
    CarerPreferenceKind,
    Client,
    ClientCarerPreference,
    PublishedRota,
    Visit,
    Worker,
)
from scheduler.skills import valid_skills
from scheduler.travel import Point, TravelModel, haversine_metres
from scheduler.visits import day_origin, local_instant

#: Carers at most in a client's regular team.
TEAM_SIZE = 3
#: Share of a worker's contracted hours that teams may fill with contact time
#: (the rest is travel and slack for urgent work).
LOAD_SHARE = 0.8
#: Detour (km, half the added there-and-back) at which a carer's cover of a visit counts half.
HALF_WEIGHT_KM = 1.0
#: How much a carer's share of the client's last 14 days of visits raises their weight.
HISTORY_WEIGHT = 1.0
HISTORY_DAYS = 14
#: Only the carers living nearest a client are considered for their team (bounds
#: the work in a large area; far carers' cover counts little anyway).
NEAREST = 60
#: Seconds kept free between promised visits on top of the estimated travel.
SLACK = 5 * 60
#: The travel estimate of the rough timetable (the default model: haversine, road factor).
TRAVEL = TravelModel()
#: The Working Time Regulations' daily rest (seconds) kept between promised days.
DAILY_REST = 11 * 3600
DAY = 24 * 3600
#: Seconds between the starts :func:`fill_gaps` tries in a visit's window.
GAP_STEP = 15 * 60


@lru_cache(maxsize=1 << 18)
def travel_seconds(a: Point, b: Point, mode: str) -> int:
    """``TRAVEL``'s time from ``a`` to ``b`` by ``mode`` (seconds), remembered: the
    timetable asks for the same few thousand pairs millions of times."""
    return TRAVEL.seconds(a, b, mode)


@dataclass(frozen=True, slots=True)
class WeekVisit:
    """A care-plan visit of the week: ``weekday`` 0–6; times in seconds after local midnight."""

    visit_id: int
    weekday: int
    earliest_start: int
    latest_start: int
    preferred_start: int
    duration: int
    skills: frozenset[str]
    location: Point


@dataclass(slots=True)
class Candidate:
    """A worker who may join teams: rostered periods by weekday (seconds after local
    midnight), transport mode, skills, contact time (seconds) not yet promised, and
    the rough timetable of the visits promised so far (weekday → [start, end) and place)."""

    id: int
    area_id: int
    home: Point
    mode: str
    gender: str
    skills: frozenset[str]
    periods: dict[int, list[tuple[int, int]]]
    capacity: float
    booked: dict[int, list[tuple[int, int, Point]]] = field(default_factory=dict)


def slot_for(worker: Candidate, visit: WeekVisit) -> int | None:
    """A start (seconds) at which ``worker`` can make ``visit`` inside a rostered period,
    leaving the travel (plus ``SLACK``) to and from their promised visits that day,
    nearest the preferred start; None if there is none."""
    if not rostered_for(worker, visit):
        return None
    periods = worker.periods.get(visit.weekday, ())
    busy = worker.booked.get(visit.weekday, [])
    starts = {visit.preferred_start, visit.earliest_start, visit.latest_start}
    for a, b, place in busy:
        starts.add(b + travel_seconds(place, visit.location, worker.mode) + SLACK)
        starts.add(a - travel_seconds(visit.location, place, worker.mode) - SLACK - visit.duration)
    starts.update(start for start, _ in periods)
    for start in sorted(starts, key=lambda s: (abs(s - visit.preferred_start), s)):
        if visit.earliest_start <= start <= visit.latest_start and fits_at(worker, visit, start):
            return start
    return None


def rostered_for(worker: Candidate, visit: WeekVisit) -> bool:
    """True if ``worker`` has the skills for ``visit`` and a rostered period that holds
    it at some start of its window (their promised visits not looked at)."""
    return visit.skills <= worker.skills and any(
        max(a, visit.earliest_start) <= min(visit.latest_start, b - visit.duration)
        for a, b in worker.periods.get(visit.weekday, ())
    )


def fits_at(worker: Candidate, visit: WeekVisit, start: int) -> bool:
    """True if ``worker`` can make ``visit`` at ``start``: rostered, skilled, clear of
    their promised visits by the travel (plus ``SLACK``) between, and rested."""
    end = start + visit.duration
    if not visit.skills <= worker.skills:
        return False
    if not any(a <= start and end <= b for a, b in worker.periods.get(visit.weekday, ())):
        return False
    for a, b, place in worker.booked.get(visit.weekday, []):
        there = travel_seconds(place, visit.location, worker.mode) + SLACK
        back = travel_seconds(visit.location, place, worker.mode) + SLACK
        if not (end + back <= a or b + there <= start):
            return False
    return rested(worker, visit.weekday, start, end)


def book(worker: Candidate, visit: WeekVisit, start: int) -> None:
    """Promise ``visit`` at ``start`` to ``worker``: timetable and capacity."""
    worker.booked.setdefault(visit.weekday, []).append(
        (start, start + visit.duration, visit.location)
    )
    worker.capacity -= visit.duration


def added_km(worker: Candidate, visit: WeekVisit, start: int) -> float:
    """Kilometres (straight line) that ``visit`` at ``start`` adds to ``worker``'s promised
    day: from the promised stop before it (or home) and on to the one after (or home),
    less the direct way between those two. Twice the home distance on an empty day."""
    before, after = worker.home, worker.home
    before_end, after_start = -DAY, 2 * DAY
    for a, b, place in worker.booked.get(visit.weekday, []):
        if before_end < b <= start:
            before, before_end = place, b
        if start < a < after_start:
            after, after_start = place, a
    return (
        haversine_metres(before, visit.location)
        + haversine_metres(visit.location, after)
        - haversine_metres(before, after)
    ) / 1000


def coverable(
    worker: Candidate, visits: list[WeekVisit]
) -> list[tuple[WeekVisit, int, float]]:
    """The visits ``worker`` could take on as well, within capacity: each with its start
    (seconds) and the kilometres it adds to their promised day (:func:`added_km`)."""
    trial = Candidate(worker.id, worker.area_id, worker.home, worker.mode, worker.gender,
                      worker.skills, worker.periods, worker.capacity,
                      {d: list(b) for d, b in worker.booked.items()})
    found = []
    for visit in visits:
        if trial.capacity < visit.duration:
            continue
        start = slot_for(trial, visit)
        if start is not None:
            found.append((visit, start, added_km(trial, visit, start)))
            book(trial, visit, start)
    return found


def rested(worker: Candidate, weekday: int, start: int, end: int) -> bool:
    """True if work in [start, end) on ``weekday`` leaves the daily rest (``DAILY_REST``)
    after the worker's promised work the day before and before that of the day after."""
    before = worker.booked.get(weekday - 1)
    if before and start + DAY - max(b for _, b, _ in before) < DAILY_REST:
        return False
    after = worker.booked.get(weekday + 1)
    return not after or min(a for a, _, _ in after) + DAY - end >= DAILY_REST


def choose_team(
    visits: list[WeekVisit],
    candidates: list[Candidate],
    history: Counter[int],
    promised: dict[int, tuple[int, int]] | None = None,
) -> tuple[int, ...]:
    """Up to ``TEAM_SIZE`` candidates covering as much of ``visits`` as they can.

    Carers are picked one by one, each the best by weighted cover of what is still
    uncovered (:func:`_pick`). When a full team still leaves visits uncovered, one
    member is swapped for another candidate if that covers more care time
    (:func:`_swap_for_cover`): a client is better served by three carers who cover
    every call than by three near ones and a stranger for the rest. The visits each
    chosen carer covers are booked into their timetable and, when ``promised`` is
    given, recorded there (visit id → worker id, start).
    """
    total_history = sum(history.values())
    weights = {
        w.id: 1 + HISTORY_WEIGHT * history[w.id] / total_history if total_history else 1.0
        for w in candidates
    }
    team: list[Candidate] = []
    uncovered = list(visits)
    while uncovered and len(team) < TEAM_SIZE:
        chosen = {w.id for w in team}
        best = _pick(uncovered, [w for w in candidates if w.id not in chosen], weights)
        if best is None:
            break
        team.append(best[0])
        taken = {id(v) for v, _, _ in best[1]}
        uncovered = [v for v in uncovered if id(v) not in taken]
    if uncovered and len(team) == TEAM_SIZE:
        team = _swap_for_cover(visits, team, candidates, uncovered)
    left = list(visits)
    for worker in team:
        cover = coverable(worker, left)
        for visit, start, _ in cover:
            book(worker, visit, start)
            if promised is not None:
                promised[visit.visit_id] = (worker.id, start)
        taken = {id(v) for v, _, _ in cover}
        left = [v for v in left if id(v) not in taken]
    return tuple(w.id for w in team)


def _pick(
    uncovered: list[WeekVisit], candidates: list[Candidate], weights: dict[int, float]
) -> tuple[Candidate, list[tuple[WeekVisit, int, float]]] | None:
    """The candidate with the most weighted cover of ``uncovered`` and that cover: each
    visit's time counts less the farther it takes the carer out of their promised day
    (half of the detour, so an empty day counts the home distance), so that teams make
    compact rounds, and more for the carer's share of the client's recent visits
    (``weights``). None if nobody covers any of it."""
    best: tuple[float, int] | None = None
    found = None
    for worker in candidates:
        if worker.capacity <= 0:
            continue
        covered = coverable(worker, uncovered)
        gain = sum(v.duration / (1 + km / 2 / HALF_WEIGHT_KM) for v, _, km in covered)
        if gain <= 0:
            continue
        score = (gain * weights[worker.id], -worker.id)
        if best is None or score > best:
            best, found = score, (worker, covered)
    return found


def _uncovered_by(visits: list[WeekVisit], team: list[Candidate]) -> list[WeekVisit]:
    """The visits of ``visits`` that ``team``, in order, cannot cover."""
    left = list(visits)
    for worker in team:
        taken = {id(v) for v, _, _ in coverable(worker, left)}
        left = [v for v in left if id(v) not in taken]
    return left


def _swap_for_cover(
    visits: list[WeekVisit],
    team: list[Candidate],
    candidates: list[Candidate],
    uncovered: list[WeekVisit],
) -> list[Candidate]:
    """``team`` with one member replaced by the candidate who leaves the least care
    time uncovered, if that is less than ``team`` leaves; ``team`` itself otherwise.
    Only candidates rostered and skilled for an uncovered visit (:func:`rostered_for`)
    are tried."""
    members = {w.id for w in team}
    helpers = [
        w for w in candidates
        if w.id not in members and w.capacity > 0 and any(rostered_for(w, v) for v in uncovered)
    ]
    best, best_left = team, sum(v.duration for v in uncovered)
    for i in reversed(range(len(team))):
        kept = team[:i] + team[i + 1:]
        rest = _uncovered_by(visits, kept)
        for worker in helpers:
            left = sum(v.duration for v in rest) - sum(
                v.duration for v, _, _ in coverable(worker, rest)
            )
            if left < best_left:
                best, best_left = [*kept, worker], left
    return best


def _in_the_way(worker: Candidate, visit: WeekVisit, start: int) -> list[tuple[int, int, Point]]:
    """``worker``'s promised visits on ``visit``'s day that leave too little travel (plus
    ``SLACK``) before or after ``visit`` at ``start`` (the clash test of :func:`fits_at`)."""
    end = start + visit.duration
    return [
        (a, b, place) for a, b, place in worker.booked.get(visit.weekday, [])
        if not (end + travel_seconds(visit.location, place, worker.mode) + SLACK <= a
                or b + travel_seconds(place, visit.location, worker.mode) + SLACK <= start)
    ]


def _unbook(worker: Candidate, visit: WeekVisit, start: int) -> None:
    """Take back the promise of ``visit`` at ``start`` from ``worker`` (undoes :func:`book`)."""
    worker.booked[visit.weekday].remove((start, start + visit.duration, visit.location))
    worker.capacity += visit.duration


def fill_gaps(
    order: list[int],
    visits: dict[int, list[WeekVisit]],
    chosen: dict[int, tuple[int, ...]],
    promised: dict[int, tuple[int, int]],
    workers: dict[int, Candidate],
) -> int:
    """Promise more visits to their own client's team, teams unchanged; returns how many.

    The greedy cover leaves a visit unpromised when each team carer rostered for it has
    already promised that time to another client (mornings are busy everywhere). For
    each such visit, clients in ``order``, this tries every team carer at starts across
    the visit's window (every ``GAP_STEP`` seconds, nearest the preferred start first):
    when exactly one promised visit is in the way, that visit moves to another start of
    the same carer or to a carer of its own client's team, and the freed time is
    promised. Nobody's team grows.
    """
    client_of = {v.visit_id: c for c in order for v in visits[c]}
    by_id = {v.visit_id: v for c in order for v in visits[c]}
    at = {(worker, by_id[v].weekday, start): v for v, (worker, start) in promised.items()}
    added = 0
    for client in order:
        for visit in visits[client]:
            if visit.visit_id in promised:
                continue
            for worker_id in chosen[client]:
                moved = _make_room(visit, workers[worker_id], workers, chosen, client_of,
                                   by_id, at)
                if moved is None:
                    continue
                for visit_id, (worker, start) in moved.items():
                    old = promised.get(visit_id)
                    if old is not None:
                        del at[(old[0], by_id[visit_id].weekday, old[1])]
                    promised[visit_id] = (worker, start)
                    at[(worker, by_id[visit_id].weekday, start)] = visit_id
                added += 1
                break
    return added


def _make_room(
    visit: WeekVisit,
    worker: Candidate,
    workers: dict[int, Candidate],
    chosen: dict[int, tuple[int, ...]],
    client_of: dict[int, int],
    by_id: dict[int, WeekVisit],
    at: dict[tuple[int, int, int], int],
) -> dict[int, tuple[int, int]] | None:
    """The promises (visit id → worker id, start) that give ``visit`` to ``worker`` by
    moving the one promised visit in its way (see :func:`fill_gaps`), already booked;
    None, with nothing changed, if there are none."""
    if not visit.skills <= worker.skills or worker.capacity < visit.duration:
        return None
    periods = worker.periods.get(visit.weekday, ())
    grid = range(visit.earliest_start, visit.latest_start + 1, GAP_STEP)
    starts = sorted({visit.preferred_start, visit.latest_start, *grid},
                    key=lambda s: (abs(s - visit.preferred_start), s))
    for start in starts:
        if not any(a <= start and start + visit.duration <= b for a, b in periods):
            continue
        blocking = _in_the_way(worker, visit, start)
        if len(blocking) != 1:
            continue
        other_id = at.get((worker.id, visit.weekday, blocking[0][0]))
        if other_id is None:
            continue
        other = by_id[other_id]
        _unbook(worker, other, blocking[0][0])
        if fits_at(worker, visit, start):
            book(worker, visit, start)
            team = chosen[client_of[other_id]]
            for carer_id in (worker.id, *(c for c in team if c != worker.id)):
                carer = workers[carer_id]
                if carer.capacity < other.duration:
                    continue
                new_start = slot_for(carer, other)
                if new_start is not None:
                    book(carer, other, new_start)
                    return {visit.visit_id: (worker.id, start), other_id: (carer_id, new_start)}
            _unbook(worker, visit, start)
        book(worker, other, blocking[0][0])
    return None


#: Absences booked ahead (annual leave, training): a rostered period they touch is not
#: offered to teams. Sickness is not (it would reshuffle teams in mid-week).
PLANNED_ABSENCES = (AbsenceKind.LEAVE, AbsenceKind.OTHER)


def _on_leave(session: Session, ids: list[int], monday: date) -> dict[int, list[tuple[int, int]]]:
    """Worker id → planned absences of ``monday``'s week, as (start, end) seconds after
    ``monday``'s local midnight."""
    origin = day_origin(monday)
    end = day_origin(monday + timedelta(days=7))
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for absence in session.exec(
        select(Absence)
        .where(col(Absence.worker_id).in_(ids), col(Absence.kind).in_(PLANNED_ABSENCES))
        .where(col(Absence.starts_at) < end, col(Absence.ends_at) > origin)
    ).all():
        found[absence.worker_id].append((
            int((absence.starts_at - origin).total_seconds()),
            int((absence.ends_at - origin).total_seconds()),
        ))
    return found


def _candidates(session: Session, area_ids: Collection[int], monday: date) -> list[Candidate]:
    """The areas' active workers on ``monday`` with their rostered week (seconds), less
    the periods their planned absences (``PLANNED_ABSENCES``) touch."""
    sunday = monday + timedelta(days=6)
    workers = session.exec(
        select(Worker)
        .where(col(Worker.area_id).in_(area_ids), col(Worker.active).is_(True))
        .where(Worker.start_date <= monday)
        .order_by(col(Worker.id))
    ).all()
    ids = [w.id or 0 for w in workers]
    skills = valid_skills(session, ids, monday)
    periods: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    leave = _on_leave(session, ids, monday)
    rostered: Counter[int] = Counter()
    week_origin = day_origin(monday)
    for pattern in session.exec(
        select(AvailabilityPattern)
        .where(col(AvailabilityPattern.worker_id).in_(ids))
        .where(or_(col(AvailabilityPattern.valid_from).is_(None),
                   col(AvailabilityPattern.valid_from) <= sunday))
        .where(or_(col(AvailabilityPattern.valid_until).is_(None),
                   col(AvailabilityPattern.valid_until) >= monday))
    ).all():
        day = monday + timedelta(days=pattern.weekday)
        origin = day_origin(day)
        start = int((local_instant(day, pattern.start_time) - origin).total_seconds())
        end = int((local_instant(day, pattern.end_time) - origin).total_seconds())
        # The same period in seconds after Monday's midnight (clock changes included).
        offset = int((origin - week_origin).total_seconds())
        away = any(
            a < offset + end and offset + start < b for a, b in leave.get(pattern.worker_id, ())
        )
        if end > start:
            rostered[pattern.worker_id] += end - start
            if not away:
                periods[pattern.worker_id][pattern.weekday].append((start, end))
    return [
        Candidate(
            id=w.id or 0,
            area_id=w.area_id,
            home=Point(w.home_latitude, w.home_longitude),
            mode=w.transport_mode.value,
            gender=w.gender.value,
            skills=frozenset(skills.get(w.id or 0, ())),
            periods={d: sorted(p) for d, p in sorted(periods[w.id or 0].items())},
            # Leave takes its share of the week's contracted hours with it.
            capacity=LOAD_SHARE * w.contracted_minutes_per_week * 60
            * sum(b - a for day in periods[w.id or 0].values() for a, b in day)
            / max(1, rostered[w.id or 0]),
        )
        for w in workers
        if periods.get(w.id or 0)
    ]


def _history(
    session: Session, area_ids: Collection[int], monday: date
) -> dict[int, Counter[int]]:
    """Client id → {worker id: published visits in the 14 days before ``monday``}."""
    rows = session.exec(
        select(Assignment.worker_id, Visit.client_id)
        .join(PublishedRota, col(PublishedRota.plan_run_id) == Assignment.plan_run_id)
        .join(Visit, col(Visit.id) == Assignment.visit_id)
        .where(col(Visit.area_id).in_(area_ids), col(Visit.area_id) == PublishedRota.area_id)
        .where(PublishedRota.day >= monday - timedelta(days=HISTORY_DAYS))
        .where(PublishedRota.day < monday)
    ).all()
    seen: dict[int, Counter[int]] = defaultdict(Counter)
    for worker_id, client_id in rows:
        seen[client_id][worker_id] += 1
    return seen


@dataclass(frozen=True, slots=True)
class WeekPlan:
    """The week's teams (client id → worker ids) and rough timetable (visit id →
    worker id and start, seconds after the visit day's local midnight). A
    double-handed visit's second carer is left to the day's planning."""

    teams: dict[int, tuple[int, ...]]
    promised: dict[int, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class ClientWeek:
    """A client's part in their area's week: home, the carer gender asked for
    (``"any"`` or a gender, ``gender_strict`` if only that will do), declined carers,
    the carers of the last ``HISTORY_DAYS`` days ((worker id, visits), by worker id)
    and the week's care-plan visits."""

    id: int
    location: Point
    gender: str
    gender_strict: bool
    declined: frozenset[int]
    history: tuple[tuple[int, int], ...]
    visits: tuple[WeekVisit, ...]


@dataclass(frozen=True, slots=True)
class AreaWeek:
    """Everything an area's week plan is made from, read from the database: the
    area's workers with their rostered week (nothing booked yet) and its clients
    with care-plan visits that week, both by id. Areas never share a team, so each
    area's plan is made (and kept, :mod:`scheduler.week_plans`) on its own."""

    area_id: int
    monday: date
    workers: tuple[Candidate, ...]
    clients: tuple[ClientWeek, ...]


#: What :func:`read_week_inputs` reads of each care-plan visit and its client.
_WEEK_VISIT_COLUMNS = (
    col(Visit.id), col(Visit.day), col(Visit.earliest_start), col(Visit.latest_start),
    col(Visit.preferred_start), col(Visit.duration_minutes), col(Visit.required_skills),
    col(Client.id), col(Client.area_id), col(Client.latitude), col(Client.longitude),
    col(Client.carer_gender), col(Client.carer_gender_strict),
)


def read_week_inputs(
    session: Session, area_ids: Collection[int], monday: date
) -> dict[int, AreaWeek]:
    """Area id → what its week plan starting ``monday`` is made from (every area asked)."""
    candidates = _candidates(session, area_ids, monday)
    # Columns, not rows as objects: a week of 5,000 workers is 160,000 visits.
    rows = session.execute(
        sa.select(*_WEEK_VISIT_COLUMNS)
        .join(Client, col(Client.id) == Visit.client_id)
        .where(col(Visit.area_id).in_(area_ids), col(Visit.care_plan_id).is_not(None))
        .where(col(Visit.day) >= monday, col(Visit.day) <= monday + timedelta(days=6))
        .order_by(col(Visit.id))
    ).all()
    visits: dict[int, list[WeekVisit]] = defaultdict(list)
    clients: dict[int, tuple[int, Point, str, bool]] = {}
    origins: dict[date, datetime] = {}
    for (visit_id, day, earliest, latest, preferred, minutes, skills,
         client_id, area_id, latitude, longitude, gender, strict) in rows:
        origin = origins.get(day) or origins.setdefault(day, day_origin(day))
        if client_id not in clients:
            clients[client_id] = (area_id, Point(latitude, longitude), gender.value, strict)
        visits[client_id].append(
            WeekVisit(
                visit_id=visit_id,
                weekday=day.weekday(),
                earliest_start=int((earliest - origin).total_seconds()),
                latest_start=int((latest - origin).total_seconds()),
                preferred_start=int((preferred - origin).total_seconds()),
                duration=minutes * 60,
                skills=frozenset(skills),
                location=clients[client_id][1],
            )
        )
    declined: dict[int, set[int]] = defaultdict(set)
    for pref in session.exec(
        select(ClientCarerPreference)
        .where(col(ClientCarerPreference.client_id).in_(list(clients)))
        .where(ClientCarerPreference.kind == CarerPreferenceKind.DECLINED)
    ).all():
        declined[pref.client_id].add(pref.worker_id)
    history = _history(session, area_ids, monday)
    workers: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        workers[candidate.area_id].append(candidate)
    by_area: dict[int, list[ClientWeek]] = defaultdict(list)
    for client_id in sorted(clients):
        area_id, location, gender, strict = clients[client_id]
        by_area[area_id].append(ClientWeek(
            id=client_id,
            location=location,
            gender=gender,
            gender_strict=strict,
            declined=frozenset(declined[client_id]),
            history=tuple(sorted(history.get(client_id, Counter()).items())),
            visits=tuple(visits[client_id]),
        ))
    return {
        area_id: AreaWeek(area_id, monday, tuple(workers[area_id]), tuple(by_area[area_id]))
        for area_id in sorted(set(area_ids))
    }


def make_week_plan(area: AreaWeek) -> WeekPlan:
    """The area's regular teams and rough timetable (plain data in, plain data out)."""
    workers = [
        replace(w, periods={d: list(p) for d, p in w.periods.items()}, booked={})
        for w in area.workers
    ]
    clients = {c.id: c for c in area.clients}
    visits = {c.id: list(c.visits) for c in area.clients}
    order = sorted(clients, key=lambda c: (-sum(v.duration for v in visits[c]), c))
    teams: dict[int, tuple[int, ...]] = {}
    promised: dict[int, tuple[int, int]] = {}
    for client_id in order:
        client = clients[client_id]
        strict = client.gender_strict and client.gender != "any"
        allowed = [
            w for w in workers
            if w.id not in client.declined
            and (not strict or w.gender == client.gender)
            and w.capacity > 0
        ]
        allowed.sort(key=lambda w: (haversine_metres(w.home, client.location), w.id))
        teams[client_id] = choose_team(
            visits[client_id], allowed[:NEAREST], Counter(dict(client.history)), promised
        )
    fill_gaps(order, visits, teams, promised, {w.id: w for w in workers})
    return WeekPlan(teams, promised)


def week_teams(session: Session, area_ids: Collection[int], day: date) -> WeekPlan:
    """The regular teams and rough timetable of the calendar week containing ``day``,
    made afresh (:func:`scheduler.week_plans.week_plan` keeps them for the week).

    A team is drawn from the client's own area (its coordinators' workforce); this
    also keeps the work per client bounded by the area, not the nation.
    """
    monday = day - timedelta(days=day.weekday())
    teams: dict[int, tuple[int, ...]] = {}
    promised: dict[int, tuple[int, int]] = {}
    for area in read_week_inputs(session, area_ids, monday).values():
        plan = make_week_plan(area)
        teams.update(plan.teams)
        promised.update(plan.promised)
    travel_seconds.cache_clear()  # only this timetable asks for these pairs
    return WeekPlan(teams, promised)


def week_carers(session: Session, area_ids: Collection[int], day: date) -> dict[int, set[int]]:
    """Client id → the carers of their published visits earlier in ``day``'s calendar
    week (Monday up to the day before ``day``), second carers included."""
    monday = day - timedelta(days=day.weekday())
    if day <= monday:
        return {}
    rows = session.exec(
        select(Assignment.worker_id, Visit.client_id)
        .join(PublishedRota, col(PublishedRota.plan_run_id) == Assignment.plan_run_id)
        .join(Visit, col(Visit.id) == Assignment.visit_id)
        .where(col(Visit.area_id).in_(area_ids), col(Visit.area_id) == PublishedRota.area_id)
        .where(PublishedRota.day >= monday, PublishedRota.day < day)
    ).all()
    seen: dict[int, set[int]] = defaultdict(set)
    for worker_id, client_id in rows:
        seen[client_id].add(worker_id)
    return dict(seen)
