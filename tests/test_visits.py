"""Dated visits from care plans: local times to UTC, weekdays, validity, idempotency."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.db.models import Area, CarePlan, Client, Region, Visit
from scheduler.nhs_number import random_nhs_number
from scheduler.visits import day_origin, local_instant, materialise_visits

SPRING_FORWARD = date(2026, 3, 29)  # a Sunday: clocks go 01:00 GMT → 02:00 BST
FALL_BACK = date(2026, 10, 25)  # a Sunday: clocks go 02:00 BST → 01:00 GMT
MONDAY = date(2026, 3, 2)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --------------------------------------------------------------------------- helpers


def test_local_instant_winter_and_summer() -> None:
    """07:00 in London is 07:00 UTC in winter and 06:00 UTC in summer."""
    assert local_instant(date(2026, 1, 15), time(7, 0)) == utc(2026, 1, 15, 7, 0)
    assert local_instant(date(2026, 7, 15), time(7, 0)) == utc(2026, 7, 15, 6, 0)


def test_local_instant_on_the_days_the_clocks_change() -> None:
    """The offset changes at 01:00 UTC on the last Sundays of March and October."""
    assert local_instant(SPRING_FORWARD - timedelta(days=1), time(7)) == utc(2026, 3, 28, 7)
    assert local_instant(SPRING_FORWARD, time(0, 30)) == utc(2026, 3, 29, 0, 30)
    assert local_instant(SPRING_FORWARD, time(7)) == utc(2026, 3, 29, 6)
    assert local_instant(FALL_BACK - timedelta(days=1), time(7)) == utc(2026, 10, 24, 6)
    assert local_instant(FALL_BACK, time(0, 30)) == utc(2026, 10, 24, 23, 30)
    assert local_instant(FALL_BACK, time(7)) == utc(2026, 10, 25, 7)


def test_local_instant_skipped_and_repeated_hours() -> None:
    """A skipped time reads with the old offset; a repeated time is the first unless fold=1."""
    assert local_instant(SPRING_FORWARD, time(1, 30)) == utc(2026, 3, 29, 1, 30)
    assert local_instant(FALL_BACK, time(1, 30)) == utc(2026, 10, 25, 0, 30)
    assert local_instant(FALL_BACK, time(1, 30, fold=1)) == utc(2026, 10, 25, 1, 30)


def test_local_instant_refuses_an_aware_time() -> None:
    """Care-plan times are local wall-clock times; an aware time is a mistake."""
    with pytest.raises(ValueError):
        local_instant(MONDAY, time(7, tzinfo=UTC))


def test_day_origin_and_day_lengths() -> None:
    """Local midnight as UTC; the day of the spring change lasts 23 hours, of the autumn 25."""
    assert day_origin(date(2026, 1, 15)) == utc(2026, 1, 15, 0)
    assert day_origin(date(2026, 7, 15)) == utc(2026, 7, 14, 23)
    next_day = timedelta(days=1)
    spring = day_origin(SPRING_FORWARD + next_day) - day_origin(SPRING_FORWARD)
    autumn = day_origin(FALL_BACK + next_day) - day_origin(FALL_BACK)
    assert spring == timedelta(hours=23)
    assert autumn == timedelta(hours=25)
    assert day_origin(MONDAY).tzinfo is not None


# --------------------------------------------------------------------------- materialise


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on a database with two areas and no clients yet."""
    with Session(engine, expire_on_commit=False) as session:
        session.add(Region(id=1, code="LDN", name="London"))
        session.flush()
        session.add(Area(id=1, code="a", name="A", region_id=1, latitude=51.5, longitude=-0.1))
        session.add(Area(id=2, code="b", name="B", region_id=1, latitude=51.4, longitude=-0.2))
        session.commit()
        yield session


_next_id = iter(range(1, 10_000))


def add_client(session: Session, *, area_id: int = 1, active: bool = True) -> Client:
    """A client in ``area_id``."""
    number = next(_next_id)
    client = Client(
        nhs_number=random_nhs_number(random.Random(number)),
        name=f"Client {number}",
        area_id=area_id,
        address="1 Test Road",
        postcode="E1 1AA",
        latitude=51.5,
        longitude=-0.1,
        active=active,
    )
    session.add(client)
    session.flush()
    return client


def add_plan(session: Session, client: Client, **changes: object) -> CarePlan:
    """A daily 07:00–09:00 plan for ``client``, with ``changes`` applied."""
    fields: dict[str, object] = {
        "ref": f"CP{next(_next_id)}",
        "client_id": client.id,
        "weekdays": list(range(7)),
        "window_start": time(7, 0),
        "window_end": time(9, 0),
        "duration_minutes": 30,
        "valid_from": date(2026, 1, 1),
    }
    fields.update(changes)
    plan = CarePlan.model_validate(fields)
    session.add(plan)
    session.flush()
    return plan


def visits_on(session: Session, day: date) -> list[Visit]:
    session.expire_all()
    return list(session.exec(select(Visit).where(col(Visit.day) == day)).all())


def test_visit_times_on_the_spring_change(session: Session) -> None:
    """A 07:00–09:00 plan on 2026-03-29 gives 06:00–08:00 UTC, preferred at the middle."""
    add_plan(session, add_client(session))
    assert materialise_visits(session, SPRING_FORWARD) == 1
    session.commit()
    (visit,) = visits_on(session, SPRING_FORWARD)
    assert visit.earliest_start == utc(2026, 3, 29, 6, 0)
    assert visit.latest_start == utc(2026, 3, 29, 8, 0)
    assert visit.preferred_start == utc(2026, 3, 29, 7, 0)


def test_visit_times_across_the_autumn_change(session: Session) -> None:
    """A window spanning the repeated hour is measured in real time: 00:30–03:00 local
    on 2026-10-25 is 23:30 (day before) to 03:00 UTC, 3.5 hours, middle 01:15 UTC."""
    add_plan(
        session,
        add_client(session),
        window_start=time(0, 30),
        window_end=time(3, 0),
        preferred_start=None,
    )
    materialise_visits(session, FALL_BACK)
    session.commit()
    (visit,) = visits_on(session, FALL_BACK)
    assert visit.earliest_start == utc(2026, 10, 24, 23, 30)
    assert visit.latest_start == utc(2026, 10, 25, 3, 0)
    assert visit.preferred_start == utc(2026, 10, 25, 1, 15)


def test_preferred_start_is_converted_and_fields_are_copied(session: Session) -> None:
    """The prescribed time, skills, carers, flags, priority, tasks and the client's area."""
    client = add_client(session, area_id=2)
    plan = add_plan(
        session,
        client,
        preferred_start=time(8, 0),
        window_start=time(7, 30),
        window_end=time(8, 30),
        duration_minutes=45,
        required_skills=["hoisting", "moving_handling"],
        carers_required=2,
        time_critical=True,
        priority=1,
        tasks="Hoist transfer",
    )
    materialise_visits(session, date(2026, 7, 6))
    session.commit()
    (visit,) = visits_on(session, date(2026, 7, 6))
    assert visit.preferred_start == utc(2026, 7, 6, 7, 0)
    assert (visit.care_plan_id, visit.client_id, visit.area_id) == (plan.id, client.id, 2)
    assert visit.duration_minutes == 45
    assert visit.required_skills == ["hoisting", "moving_handling"]
    assert visit.carers_required == 2
    assert visit.time_critical is True
    assert visit.priority == 1
    assert visit.tasks == "Hoist transfer"


def test_only_plans_for_the_weekday(session: Session) -> None:
    """A Monday–Wednesday–Friday plan gives a visit on Monday 2 March, none on Tuesday."""
    add_plan(session, add_client(session), weekdays=[0, 2, 4])
    assert materialise_visits(session, MONDAY) == 1
    assert materialise_visits(session, MONDAY + timedelta(days=1)) == 0
    session.commit()
    assert len(visits_on(session, MONDAY + timedelta(days=1))) == 0


def test_only_plans_valid_on_the_day(session: Session) -> None:
    """valid_from and valid_until are inclusive; an open valid_until never ends."""
    client = add_client(session)
    add_plan(session, client, valid_from=MONDAY + timedelta(days=1))
    add_plan(session, client, valid_until=MONDAY - timedelta(days=1))
    ending = add_plan(session, client, valid_until=MONDAY)
    starting = add_plan(session, client, valid_from=MONDAY)
    assert materialise_visits(session, MONDAY) == 2
    session.commit()
    assert {v.care_plan_id for v in visits_on(session, MONDAY)} == {ending.id, starting.id}


def test_inactive_clients_get_no_visits(session: Session) -> None:
    """Plans of a client marked inactive are skipped."""
    add_plan(session, add_client(session, active=False))
    active_plan = add_plan(session, add_client(session))
    assert materialise_visits(session, MONDAY) == 1
    session.commit()
    assert [v.care_plan_id for v in visits_on(session, MONDAY)] == [active_plan.id]


def test_materialising_twice_adds_nothing(session: Session) -> None:
    """A second run for the same day makes no duplicates; a new plan is picked up."""
    client = add_client(session)
    add_plan(session, client)
    add_plan(session, client, window_start=time(12), window_end=time(13))
    assert materialise_visits(session, MONDAY) == 2
    session.commit()
    assert materialise_visits(session, MONDAY) == 0
    add_plan(session, client, window_start=time(20), window_end=time(21))
    assert materialise_visits(session, MONDAY) == 1
    session.commit()
    count = session.exec(
        select(func.count()).select_from(Visit).where(col(Visit.day) == MONDAY)
    ).one()
    assert count == 3


def test_area_filter(session: Session) -> None:
    """Only clients of the areas asked for; an empty collection makes nothing."""
    add_plan(session, add_client(session, area_id=1))
    add_plan(session, add_client(session, area_id=2))
    assert materialise_visits(session, MONDAY, area_ids=[]) == 0
    assert materialise_visits(session, MONDAY, area_ids={2}) == 1
    assert materialise_visits(session, MONDAY) == 1
    session.commit()
    assert sorted(v.area_id for v in visits_on(session, MONDAY)) == [1, 2]


def test_many_plans_in_bulk(session: Session) -> None:
    """Several thousand plans (more than one insert chunk) all become visits."""
    client = add_client(session)
    for index in range(4_500):
        session.add(
            CarePlan(
                ref=f"BULK{index}",
                client_id=client.id or 0,
                weekdays=list(range(7)),
                window_start=time(7),
                window_end=time(9),
                duration_minutes=30,
                valid_from=date(2026, 1, 1),
            )
        )
    session.flush()
    assert materialise_visits(session, MONDAY) == 4_500
    session.commit()
    assert len(visits_on(session, MONDAY)) == 4_500
