"""Each area's week plan (regular teams and rough timetable), made once and kept.

The teams of a week are the same on every day of it by design
(:mod:`scheduler.teams`), but making them is the dearest part of loading a day:
about 30 s of one core per 500 workers once a whole week of visits is in the
database. So each area's plan is stored (table ``weekplan``) with a fingerprint —
a SHA-256 digest of everything it was made from: the area's workers, their
rostered week, skills and leave, its clients, their care-plan visits of the week,
declined carers and the last fortnight's carers, and the rules' own constants.
A later plan of the same week reads the stored plan when the fingerprint still
matches and makes the area's plan again when anything it depends on has changed
(a care plan edited, leave booked, a new worker), so the kept plan is never stale.

A plan made by routing the whole week (the weekly job, :mod:`scheduler.week_job`)
is kept for its whole week even when its inputs change afterwards: it is the
week's rota as made ahead, a preference the day's plan follows where it still
can (a promise to a carer now on leave simply cannot stand), and making it costs
minutes of solver time per area, not seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Collection
from concurrent.futures import Executor
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from scheduler import teams
from scheduler.db.models import WeekPlanRecord
from scheduler.teams import AreaWeek, WeekPlan, make_week_plan, read_week_inputs

log = logging.getLogger(__name__)

#: Care-plan visits in the week's areas still to plan below which they are made in
#: this process: starting planning processes costs seconds, and 300 workers' week
#: (10,000 visits) takes about 7 s to make in one process.
POOL_MIN_VISITS = 20_000
#: Bump when the way teams are made changes without a change to the constants below,
#: so that plans kept by the old code are made again.
RULES_VERSION = 1


def _rules() -> list[Any]:
    """The version and constants of :mod:`scheduler.teams` that shape a plan."""
    return [
        RULES_VERSION, teams.TEAM_SIZE, teams.LOAD_SHARE, teams.HALF_WEIGHT_KM,
        teams.HISTORY_WEIGHT, teams.HISTORY_DAYS, teams.NEAREST, teams.SLACK,
        teams.DAILY_REST, teams.GAP_STEP,
    ]


def fingerprint(area: AreaWeek) -> str:
    """A digest (64 hex digits) of everything ``area``'s week plan is made from.

    Sets are sorted and floats written in full, so the same inputs give the same
    digest in every process (string hashing differs between processes).
    """
    canonical = {
        "rules": _rules(),
        "area": area.area_id,
        "monday": area.monday.isoformat(),
        "workers": [
            [w.id, w.home.latitude, w.home.longitude, w.mode, w.gender, sorted(w.skills),
             sorted((day, sorted(periods)) for day, periods in w.periods.items()), w.capacity]
            for w in area.workers
        ],
        "clients": [
            [c.id, c.location.latitude, c.location.longitude, c.gender, c.gender_strict,
             sorted(c.declined), list(c.history),
             [[v.visit_id, v.weekday, v.earliest_start, v.latest_start, v.preferred_start,
               v.duration, sorted(v.skills), v.location.latitude, v.location.longitude]
              for v in c.visits]]
            for c in area.clients
        ],
    }
    text = json.dumps(canonical, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _encode(plan: WeekPlan) -> tuple[list[Any], list[Any]]:
    teams_rows = [[client, list(workers)] for client, workers in sorted(plan.teams.items())]
    promised_rows = [[visit, worker, start]
                     for visit, (worker, start) in sorted(plan.promised.items())]
    return teams_rows, promised_rows


def _decode(record: WeekPlanRecord) -> WeekPlan:
    return WeekPlan(
        teams={int(client): tuple(int(w) for w in workers) for client, workers in record.teams},
        promised={int(v): (int(w), int(s)) for v, w, s in record.promised},
    )


def store(
    session: Session, monday: date, made: list[tuple[int, str, WeekPlan]], routed: bool = False
) -> None:
    """Keep the newly made plans (``routed``: by routing) in place of older ones of the
    same weeks and commit. If another process stored the same week meanwhile, its
    plan is kept instead: both were made from the same data, or the next plan
    notices the difference."""
    session.exec(
        delete(WeekPlanRecord)
        .where(col(WeekPlanRecord.area_id).in_([area for area, _, _ in made]))
        .where(col(WeekPlanRecord.monday) == monday)
    )
    for area_id, digest, plan in made:
        teams_rows, promised_rows = _encode(plan)
        session.add(WeekPlanRecord(area_id=area_id, monday=monday, fingerprint=digest,
                                   teams=teams_rows, promised=promised_rows, routed=routed))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        log.info("week plans of %s were stored by another process meanwhile", monday)


def _make_and_forget(area: AreaWeek) -> WeekPlan:
    """:func:`make_week_plan`, then the travel times it remembered let go (run in a
    planning process, which goes on to solve)."""
    plan = make_week_plan(area)
    teams.travel_seconds.cache_clear()
    return plan


def _plans(
    session: Session,
    area_ids: Collection[int],
    monday: date,
    executor: Callable[[], Executor] | None,
) -> tuple[WeekPlan, list[tuple[int, str, WeekPlan]]]:
    """The week's plan for ``area_ids`` and the area plans that had to be made
    (area id, fingerprint, plan): kept plans are used while their fingerprint matches.
    ``executor`` gives the executor to make them on when there are enough of them."""
    inputs = read_week_inputs(session, area_ids, monday)
    kept: dict[int, WeekPlanRecord] = {
        record.area_id: record
        for record in session.exec(
            select(WeekPlanRecord)
            .where(col(WeekPlanRecord.area_id).in_(list(inputs)))
            .where(WeekPlanRecord.monday == monday)
        ).all()
    }
    plans: list[WeekPlan] = []
    to_make: list[tuple[int, str]] = []
    for area_id, area in inputs.items():
        digest = fingerprint(area)
        record = kept.get(area_id)
        if record is not None and (record.routed or record.fingerprint == digest):
            if record.fingerprint != digest:
                log.info("routed week plan of area %d, %s, kept although its inputs changed",
                         area_id, monday)
            plans.append(_decode(record))
        else:
            to_make.append((area_id, digest))
    areas = [inputs[area_id] for area_id, _ in to_make]
    size = {a.area_id: sum(len(c.visits) for c in a.clients) for a in areas}
    if executor is not None and len(areas) > 1 and sum(size.values()) >= POOL_MIN_VISITS:
        # The largest areas first, so that no process is left with a big one at the end.
        areas.sort(key=lambda a: -size[a.area_id])
        made_plans = dict(zip((a.area_id for a in areas),
                              executor().map(_make_and_forget, areas), strict=True))
    else:
        made_plans = {area.area_id: _make_and_forget(area) for area in areas}
    made = [(area_id, digest, made_plans[area_id]) for area_id, digest in to_make]
    plans.extend(plan for _, _, plan in made)
    found_teams: dict[int, tuple[int, ...]] = {}
    found_promised: dict[int, tuple[int, int]] = {}
    for plan in plans:
        found_teams.update(plan.teams)
        found_promised.update(plan.promised)
    return WeekPlan(found_teams, found_promised), made


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_plan(session: Session, area_ids: Collection[int], day: date) -> WeekPlan:
    """The teams and rough timetable of the calendar week containing ``day`` for
    ``area_ids``: each area's kept plan if it was made from the same inputs, else
    made now (not kept: reading never writes, so this may run inside a caller's
    transaction)."""
    plan, _ = _plans(session, area_ids, _monday(day), None)
    return plan


def keep_week_plans(
    engine: Engine,
    area_ids: Collection[int],
    day: date,
    executor: Callable[[], Executor] | None = None,
) -> WeekPlan:
    """:func:`week_plan`, keeping in its own transaction the area plans it had to make.

    Plans to make for two or more areas with ``POOL_MIN_VISITS`` visits or more are
    made on the executor that ``executor`` gives (areas are independent; it is only
    asked for then), else here."""
    monday = _monday(day)
    with Session(engine) as session:
        plan, made = _plans(session, area_ids, monday, executor)
        if made:
            store(session, monday, made)
            log.info("week plans of %s made for %d areas", monday, len(made))
    return plan

