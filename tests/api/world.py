"""A small named world for the web layer's tests.

Two regions: North (areas LDS Leeds and YRK York) and South (area BTH Bath).
Workers: Alice and Bob in Leeds, Carol in York, Dan in Bath. Clients: Edith and
Frank (a double-handed visit) in Leeds, Grace in York, Harold in Bath. Each has
a care plan and a visit on DAY (Tuesday 24 November 2026, GMT), and a plan run
is published for each area: Alice visits Edith at 08:00 and Frank (with Bob) at
09:00; Carol visits Grace; Dan visits Harold. A lunchtime visit to Edith could
not be allocated. Logins: admin, manager (North), coordinator (Leeds),
coord_bath (Bath), alice and dan (workers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from scheduler.accounts import issue_token
from scheduler.db.engine import session_scope
from scheduler.db.models import (
    Area,
    Assignment,
    AvailabilityPattern,
    CarePlan,
    Client,
    CourseSkill,
    Gender,
    PlanRun,
    PlanRunArea,
    PlanRunStatus,
    PublishedRota,
    Region,
    Role,
    Skill,
    TrainingCourse,
    TrainingRecord,
    TransportMode,
    UnallocatedVisit,
    UserAccount,
    UserArea,
    Visit,
    Worker,
)

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = PasswordHasher().hash(PASSWORD)
DAY = date(2026, 11, 24)
#: Europe/London's date now: what the reports count expiry from.
TODAY = datetime.now(ZoneInfo("Europe/London")).date()
VALID_NHS_NUMBERS = [
    "9434765919",
    "9434765870",
    "9434765862",
    "9434765854",
    "9434765846",
    "9434765838",
    "9434765811",
    "9434765803",
    "9434765781",
    "9434765773",
]


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """An instant on ``day`` (GMT in late November, so UTC equals London time)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@dataclass
class World:
    """Ids of everything in the world, and a bearer token per login."""

    regions: dict[str, int] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)
    workers: dict[str, int] = field(default_factory=dict)
    clients: dict[str, int] = field(default_factory=dict)
    care_plans: dict[str, int] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)
    availability: dict[str, int] = field(default_factory=dict)
    plan_runs: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    course_id: int = 0

    def headers(self, username: str) -> dict[str, str]:
        """The Authorization header of a login."""
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def build_world(engine: Engine) -> World:
    """Write the world into an empty, migrated database and issue a token per login."""
    world = World()
    with session_scope(engine) as s:
        north, south = Region(code="N", name="North"), Region(code="S", name="South")
        s.add_all([north, south])
        s.flush()
        world.regions = {"N": north.id or 0, "S": south.id or 0}
        areas = {
            "LDS": Area(
                code="LDS", name="Leeds", region_id=north.id or 0, latitude=53.8, longitude=-1.55
            ),
            "YRK": Area(
                code="YRK", name="York", region_id=north.id or 0, latitude=53.96, longitude=-1.08
            ),
            "BTH": Area(
                code="BTH", name="Bath", region_id=south.id or 0, latitude=51.38, longitude=-2.36
            ),
        }
        s.add_all(areas.values())
        s.flush()
        world.areas = {k: a.id or 0 for k, a in areas.items()}
        s.add(Skill(code="personal_care", name="Personal care"))
        course = TrainingCourse(code="CARE", name="Care certificate", refresh_months=12)
        s.add(course)
        s.flush()
        s.add(CourseSkill(course_id=course.id or 0, skill_code="personal_care"))
        world.course_id = course.id or 0
        people = {"Alice": "LDS", "Bob": "LDS", "Carol": "YRK", "Dan": "BTH"}
        for index, (name, code) in enumerate(people.items()):
            worker = Worker(
                ref=f"W{index + 1:03d}",
                name=f"{name} Carer",
                area_id=world.areas[code],
                gender=Gender.FEMALE,
                home_postcode="LS1 1AA",
                home_latitude=53.8,
                home_longitude=-1.55,
                transport_mode=TransportMode.CAR,
                contracted_minutes_per_week=37 * 60,
                start_date=date(2020, 1, 1),
                hourly_pay_pence=1300,
            )
            s.add(worker)
            s.flush()
            world.workers[name] = worker.id or 0
            pattern = AvailabilityPattern(
                worker_id=worker.id or 0, weekday=1, start_time=time(7), end_time=time(15)
            )
            s.add(pattern)
            s.flush()
            world.availability[name] = pattern.id or 0
            s.add(
                TrainingRecord(
                    worker_id=worker.id or 0,
                    course_id=course.id or 0,
                    completed_on=date(2026, 1, 10),
                    # Relative to today (the training report's reference day), so the
                    # world does not age: Bob's certificate is always 8 days from expiry.
                    expires_on=TODAY + timedelta(days=8 if name == "Bob" else 400),
                )
            )
        clients = {"Edith": "LDS", "Frank": "LDS", "Grace": "YRK", "Harold": "BTH"}
        for index, (name, code) in enumerate(clients.items()):
            client = Client(
                nhs_number=VALID_NHS_NUMBERS[index],
                name=f"{name} Client",
                area_id=world.areas[code],
                address=f"{index + 1} High Street",
                postcode="LS2 2BB",
                latitude=53.8 + index / 100,
                longitude=-1.55,
                access_notes="Key safe 1234" if name == "Edith" else "",
            )
            s.add(client)
            s.flush()
            world.clients[name] = client.id or 0
            plan = CarePlan(
                ref=f"CP{index + 1:03d}",
                client_id=client.id or 0,
                weekdays=[1],
                window_start=time(8),
                window_end=time(9),
                duration_minutes=30 if name != "Frank" else 45,
                required_skills=["personal_care"],
                carers_required=2 if name == "Frank" else 1,
                tasks="Breakfast, medication prompt",
                valid_from=date(2026, 1, 1),
            )
            s.add(plan)
            s.flush()
            world.care_plans[name] = plan.id or 0
            start_hour = 9 if name == "Frank" else 8
            visit = Visit(
                care_plan_id=plan.id,
                client_id=client.id or 0,
                area_id=world.areas[code],
                day=DAY,
                earliest_start=at(start_hour - 1),
                latest_start=at(start_hour + 1),
                preferred_start=at(start_hour),
                duration_minutes=plan.duration_minutes,
                required_skills=["personal_care"],
                carers_required=plan.carers_required,
                tasks=plan.tasks,
            )
            s.add(visit)
            s.flush()
            world.visits[name] = visit.id or 0
        lunch = Visit(
            care_plan_id=None,
            client_id=world.clients["Edith"],
            area_id=world.areas["LDS"],
            day=DAY,
            earliest_start=at(12),
            latest_start=at(13),
            preferred_start=at(12, 30),
            duration_minutes=30,
            tasks="Lunch",
        )
        s.add(lunch)
        s.flush()
        world.visits["Edith lunch"] = lunch.id or 0
        plan_of = {
            "LDS": [
                ("Alice", "Edith", 8, 0, 30),
                ("Alice", "Frank", 9, 1, 45),
                ("Bob", "Frank", 9, 0, 45),
            ],
            "YRK": [("Carol", "Grace", 8, 0, 30)],
            "BTH": [("Dan", "Harold", 8, 0, 30)],
        }
        for code, rows in plan_of.items():
            run = PlanRun(
                key=f"test:{code}",
                day=DAY,
                status=PlanRunStatus.PUBLISHED,
                trigger="test",
                published_at=at(6),
                progress_done=1,
                progress_total=1,
                visits_total=len(rows),
                visits_allocated=len(rows),
            )
            s.add(run)
            s.flush()
            world.plan_runs[code] = run.id or 0
            s.add(PlanRunArea(plan_run_id=run.id or 0, area_id=world.areas[code]))
            for worker, client, hour, sequence, minutes in rows:
                s.add(
                    Assignment(
                        plan_run_id=run.id or 0,
                        visit_id=world.visits[client],
                        worker_id=world.workers[worker],
                        sequence=sequence,
                        start=at(hour),
                        end=at(hour) + timedelta(minutes=minutes),
                        travel_seconds=600,
                    )
                )
            if code == "LDS":
                s.add(
                    UnallocatedVisit(
                        plan_run_id=run.id or 0,
                        visit_id=lunch.id or 0,
                        reason_code="no_worker_available",
                        reason="no worker is available 12:00–13:00",
                    )
                )
            s.add(
                PublishedRota(
                    area_id=world.areas[code], day=DAY, plan_run_id=run.id or 0, published_at=at(6)
                )
            )
        logins = {
            "admin": (Role.ADMIN, {}),
            "manager": (Role.MANAGER, {"region_id": north.id}),
            "coordinator": (Role.COORDINATOR, {}),
            "coord_bath": (Role.COORDINATOR, {}),
            "alice": (Role.WORKER, {"worker_id": world.workers["Alice"]}),
            "dan": (Role.WORKER, {"worker_id": world.workers["Dan"]}),
        }
        for username, (role, scope) in logins.items():
            user = UserAccount(username=username, password_hash=PASSWORD_HASH, role=role, **scope)
            s.add(user)
            s.flush()
            world.users[username] = user.id or 0
            if username == "coordinator":
                s.add(UserArea(user_id=user.id or 0, area_id=world.areas["LDS"]))
            if username == "coord_bath":
                s.add(UserArea(user_id=user.id or 0, area_id=world.areas["BTH"]))
            world.tokens[username], _ = issue_token(s, user)
    return world
