"""The scenario generator: an England-wide homecare service, written to a database.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, and ids are
given in that order, so the same arguments on an empty database give the same
rows. Nothing depends on the clock.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from scheduler.db.models import (
    Absence,
    Area,
    AvailabilityPattern,
    CarePlan,
    Client,
    ClientCarerPreference,
    CourseSkill,
    Region,
    Skill,
    TrainingCourse,
    TrainingRecord,
    Visit,
    Worker,
)
from scheduler.generate.care import CareBuilder
from scheduler.generate.geography import REGIONS, TOWNS_CSV, load_towns, plan_areas
from scheduler.generate.parameters import WORKERS_PER_AREA, ScenarioParameters
from scheduler.generate.people import make_absences, make_workforce, team_sizes
from scheduler.generate.store import bulk_insert, ensure_empty, reset_id_sequences
from scheduler.generate.summary import GenerationSummary
from scheduler.generate.training import make_training
from scheduler.visits import materialise_visits

SCENARIO_TABLES = (Region, Area, Skill, TrainingCourse, Worker, Client)
"""Tables that must be empty before generating."""


def default_area_count(workers: int) -> int:
    """About one team per 33 workers, at least one."""
    return max(1, round(workers / WORKERS_PER_AREA))


def generate_scenario(
    engine: Engine,
    *,
    workers: int,
    seed: int,
    first_day: date,
    days: int = 1,
    areas: int | None = None,
    parameters: ScenarioParameters | None = None,
    towns_csv: Path = TOWNS_CSV,
) -> GenerationSummary:
    """Fill an empty database with a scenario and its visits for ``days`` days.

    ``workers`` are split into ``areas`` teams (default about one per 33 workers)
    centred on real English towns from ``towns_csv``; each team gets clients and
    recurring care plans sized to keep its on-duty time about
    ``parameters.utilisation`` busy, training records, weekly availability and a
    few absences; visits are then materialised for ``first_day`` …
    ``first_day + days - 1``. Raises ``ValueError`` if the database already holds
    a scenario. Returns the counts, with day figures for ``first_day``.
    """
    if workers <= 0:
        raise ValueError("workers must be positive")
    if days <= 0:
        raise ValueError("days must be positive")
    params = parameters or ScenarioParameters()
    area_count = areas if areas is not None else default_area_count(workers)
    if not 1 <= area_count <= workers:
        raise ValueError("areas must be between 1 and the number of workers")
    # One stream per part, so that e.g. asking for more days changes only the absences.
    seeds = random.Random(seed)
    places, people, absences, courses, clients = (
        random.Random(seeds.getrandbits(64)) for _ in range(5)
    )

    sites = plan_areas(places, area_count, load_towns(towns_csv))
    sizes = team_sizes(places, workers, area_count)
    workforce = make_workforce(people, sites, sizes, first_day, params)
    make_absences(absences, workforce, first_day, days, params.absence_share)
    teams = [[w for w in workforce.workers if w.area_id == site.id] for site in sites]
    training = make_training(courses, teams, first_day, params.expired_training_share)
    care = CareBuilder(clients, params, first_day, first_day + timedelta(days=days - 1))
    for site, team in zip(sites, teams, strict=True):
        care.build_area(site, team)

    region_ids = {
        r.code: index
        for index, r in enumerate(
            (r for r in REGIONS if r.code in {s.region_code for s in sites}), 1
        )
    }
    region_rows = [
        {"id": region_ids[r.code], "code": r.code, "name": r.name}
        for r in REGIONS
        if r.code in region_ids
    ]
    area_rows = [
        {
            "id": s.id,
            "code": s.code,
            "name": s.name,
            "region_id": region_ids[s.region_code],
            "latitude": s.latitude,
            "longitude": s.longitude,
        }
        for s in sites
    ]

    first_day_visits = 0
    with Session(engine) as session:
        connection = session.connection()
        ensure_empty(connection, SCENARIO_TABLES)
        bulk_insert(connection, Region, region_rows)
        bulk_insert(connection, Area, area_rows)
        bulk_insert(connection, Skill, training.skills)
        bulk_insert(connection, TrainingCourse, training.courses)
        bulk_insert(connection, CourseSkill, training.course_skills)
        bulk_insert(connection, Worker, workforce.worker_rows)
        bulk_insert(connection, AvailabilityPattern, workforce.pattern_rows)
        bulk_insert(connection, Absence, workforce.absence_rows)
        bulk_insert(connection, TrainingRecord, training.records)
        bulk_insert(connection, Client, care.rows.clients)
        bulk_insert(connection, ClientCarerPreference, care.rows.preferences)
        bulk_insert(connection, CarePlan, care.rows.plans)
        reset_id_sequences(
            connection,
            (
                Region,
                Area,
                TrainingCourse,
                Worker,
                AvailabilityPattern,
                Absence,
                TrainingRecord,
                Client,
                CarePlan,
            ),
        )
        for offset in range(days):
            made = materialise_visits(session, first_day + timedelta(days=offset))
            if offset == 0:
                first_day_visits = made
        double, critical = connection.execute(
            sa.select(
                sa.func.count().filter(col(Visit.carers_required) == 2),
                sa.func.count().filter(col(Visit.time_critical).is_(True)),
            ).where(col(Visit.day) == first_day)
        ).one()
        session.commit()

    soon = first_day + timedelta(days=30)
    expiries = [r["expires_on"] for r in training.records if r["expires_on"] is not None]
    return GenerationSummary(
        regions=len(region_rows),
        areas=len(area_rows),
        workers=len(workforce.worker_rows),
        workers_on_duty=len(workforce.on_duty(first_day)),
        clients=len(care.rows.clients),
        care_plans=len(care.rows.plans),
        visits=first_day_visits,
        double_handed_share=double / first_day_visits if first_day_visits else 0.0,
        time_critical_share=critical / first_day_visits if first_day_visits else 0.0,
        expired_trainings=sum(1 for e in expiries if e <= first_day),
        expiring_within_30_days=sum(1 for e in expiries if first_day < e <= soon),
    )
