"""Skills, the training courses that confer them, and workers' training records.

Refresh intervals follow the domain guide: yearly for moving and handling, basic
life support, medication and safeguarding (and, here, the delegated clinical
tasks, whose competence is usually reassessed each year); every three years for
infection control, health and safety, mental capacity, food hygiene and the
broader care topics. A record is valid on day d when completed_on <= d < expires_on.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduler.generate.people import WorkerDraft

Row = dict[str, Any]

SKILLS: dict[str, str] = {
    "moving_handling": "Moving and handling people",
    "hoisting": "Hoisting (two-carer transfers)",
    "basic_life_support": "Basic life support",
    "medication": "Medication administration",
    "dementia_care": "Dementia care",
    "end_of_life_care": "End-of-life care",
    "pressure_care": "Pressure area care",
    "catheter_care": "Catheter care",
    "stoma_care": "Stoma care",
    "peg_feeding": "PEG feeding",
    "insulin": "Insulin administration",
}


@dataclass(frozen=True, slots=True)
class CourseInfo:
    """A course: code, name, refresh interval in months (None: never), skills
    conferred, the share of a team holding it, and whether new starters hold it."""

    code: str
    name: str
    refresh_months: int | None
    skills: tuple[str, ...]
    holder_share: float
    induction: bool = False


COURSES: tuple[CourseInfo, ...] = (
    CourseInfo("care_certificate", "Care Certificate (15 standards)", None, (), 1.0),
    CourseInfo(
        "moving_handling", "Moving and handling people", 12, ("moving_handling",), 0.97, True
    ),
    CourseInfo("basic_life_support", "Basic life support", 12, ("basic_life_support",), 0.95, True),
    CourseInfo("safeguarding_adults", "Safeguarding adults", 12, (), 0.98, True),
    CourseInfo(
        "medication_administration",
        "Medication administration with observed competence",
        12,
        ("medication",),
        0.85,
    ),
    CourseInfo("infection_control", "Infection prevention and control", 36, (), 0.98, True),
    CourseInfo("health_and_safety", "Health and safety", 36, (), 0.97, True),
    CourseInfo("mental_capacity", "Mental Capacity Act", 36, (), 0.90),
    CourseInfo("food_hygiene", "Food hygiene", 36, (), 0.90),
    CourseInfo("hoists_and_slings", "Hoists and slings", 12, ("hoisting",), 0.65),
    CourseInfo("dementia_care", "Dementia care", 36, ("dementia_care",), 0.55),
    CourseInfo("end_of_life_care", "End-of-life care", 36, ("end_of_life_care",), 0.35),
    CourseInfo("pressure_area_care", "Pressure area care", 36, ("pressure_care",), 0.50),
    CourseInfo("catheter_care", "Catheter care (delegated task)", 12, ("catheter_care",), 0.35),
    CourseInfo("stoma_care", "Stoma care (delegated task)", 12, ("stoma_care",), 0.25),
    CourseInfo("peg_feeding", "PEG feeding (delegated task)", 12, ("peg_feeding",), 0.15),
    CourseInfo("insulin", "Insulin administration (delegated task)", 12, ("insulin",), 0.18),
)


@dataclass(slots=True)
class TrainingRows:
    """Rows for the skill, trainingcourse, courseskill and trainingrecord tables."""

    skills: list[Row]
    courses: list[Row]
    course_skills: list[Row]
    records: list[Row]


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clipped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def make_training(
    rng: random.Random,
    teams: Sequence[Sequence[WorkerDraft]],
    first_day: date,
    expired_share: float,
) -> TrainingRows:
    """Courses, and for each team a fixed share of holders per course (so every team
    has some of each specialism); sets each worker's ``skills`` valid on ``first_day``
    and, in ``skills_until``, the day each of them lapses (None: never).

    A holder's last completion is spread evenly over the refresh interval, so about
    30/365 of yearly records expire within 30 days; with ``expired_share`` chance a
    record was not renewed and lapsed 1–90 days before ``first_day``.
    """
    rows = TrainingRows(
        skills=[{"code": code, "name": name} for code, name in SKILLS.items()],
        courses=[
            {"id": i, "code": c.code, "name": c.name, "refresh_months": c.refresh_months}
            for i, c in enumerate(COURSES, start=1)
        ],
        course_skills=[
            {"course_id": i, "skill_code": skill}
            for i, c in enumerate(COURSES, start=1)
            for skill in c.skills
        ],
        records=[],
    )
    held: dict[int, list[tuple[int, CourseInfo]]] = {}
    for team in teams:
        for course_id, course in enumerate(COURSES, start=1):
            eligible = [w for w in team if course.induction or not w.new_starter(first_day)]
            if course.code == "care_certificate":
                holders = eligible
            else:
                count = min(len(eligible), round(course.holder_share * len(team)))
                holders = rng.sample(eligible, count)
            for worker in holders:
                held.setdefault(worker.id, []).append((course_id, course))
    for team in teams:
        for worker in team:
            for course_id, course in sorted(held.get(worker.id, []), key=lambda pair: pair[0]):
                completed, expires = _dates(rng, worker, course, first_day, expired_share)
                rows.records.append(
                    {
                        "id": len(rows.records) + 1,
                        "worker_id": worker.id,
                        "course_id": course_id,
                        "completed_on": completed,
                        "expires_on": expires,
                    }
                )
                if completed <= first_day and (expires is None or first_day < expires):
                    worker.skills.update(course.skills)
                    for skill in course.skills:
                        worker.skills_until[skill] = _later(
                            worker.skills_until.get(skill, first_day), expires
                        )
    return rows


def _later(first: date | None, second: date | None) -> date | None:
    """The later of two lapse days, None (never lapses) being the latest."""
    if first is None or second is None:
        return None
    return max(first, second)


def _dates(
    rng: random.Random,
    worker: WorkerDraft,
    course: CourseInfo,
    first_day: date,
    expired_share: float,
) -> tuple[date, date | None]:
    """When the worker last completed ``course``, and when that record expires."""
    if course.refresh_months is None:
        completed = min(first_day, worker.start_date + timedelta(days=rng.randint(70, 100)))
        return completed, None
    period_days = (add_months(first_day, course.refresh_months) - first_day).days
    if rng.random() < expired_share:
        completed = add_months(
            first_day - timedelta(days=rng.randint(1, 90)), -course.refresh_months
        )
    else:
        completed = first_day - timedelta(days=rng.randint(0, period_days - 1))
    if completed < worker.start_date:
        completed = worker.start_date + timedelta(days=rng.randint(0, 6))
        completed = min(completed, first_day)
    return completed, add_months(completed, course.refresh_months)
