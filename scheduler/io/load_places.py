"""Loaders for the reference kinds: ``areas`` (with regions) and ``courses`` (with skills).

Both upsert by code. A course's skills are replaced by the file's list when the
file has a ``skills`` column; unknown skills are created, named from the code.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from scheduler.db.models import Area, CourseSkill, Region, Skill, TrainingCourse
from scheduler.io.errors import RowError
from scheduler.io.schemas import AreaRow, CourseRow
from scheduler.io.store import Outcome, Refused, chunked, upsert
from scheduler.io.validation import Parsed


def load_areas(session: Session, rows: Sequence[Parsed[AreaRow]], refused: Refused) -> Outcome:
    """Upsert areas by code, and their regions by region code (a region has one name)."""
    outcome = Outcome()
    named: dict[str, tuple[str, int]] = {}
    accepted: list[AreaRow] = []
    for parsed in rows:
        row = parsed.data
        name, first = named.setdefault(row.region_code, (row.region_name, parsed.row))
        if name != row.region_name:
            outcome.errors.append(
                RowError(
                    parsed.row,
                    "region_name",
                    f"region {row.region_code} is named {name!r} on row {first}; "
                    "a region has one name",
                )
            )
            continue
        accepted.append(row)
    regions = {region.code: region for region in session.exec(select(Region))}
    for code, (name, _) in named.items():
        upsert(session, regions, code, Region, {"code": code, "name": name}, Outcome())
    session.flush()
    areas = {area.code: area for area in session.exec(select(Area))}
    for row in accepted:
        values = row.model_dump(exclude={"region_code", "region_name"})
        values["region_id"] = regions[row.region_code].id
        upsert(session, areas, row.code, Area, values, outcome)
    return outcome


def skill_name(code: str) -> str:
    """A readable name for a skill known only by its code: ``peg_feeding`` → ``Peg feeding``."""
    words = code.replace("_", " ").replace("-", " ").split()
    text = " ".join(words) or code
    return text[:1].upper() + text[1:]


def load_courses(session: Session, rows: Sequence[Parsed[CourseRow]], refused: Refused) -> Outcome:
    """Upsert courses by code; replace each course's skills when the file lists them."""
    outcome = Outcome()
    courses = {course.code: course for course in session.exec(select(TrainingCourse))}
    skills = set(session.exec(select(Skill.code)))
    for parsed in rows:
        row = parsed.data
        for code in row.skills:
            if code not in skills:
                session.add(Skill(code=code, name=skill_name(code)))
                skills.add(code)
        values = row.model_dump(exclude={"skills"})
        upsert(session, courses, row.code, TrainingCourse, values, outcome, leave=row.absent())
    session.flush()
    relinked = [parsed.data for parsed in rows if "skills" not in parsed.data.absent()]
    _replace_course_skills(session, {courses[row.code].id: row.skills for row in relinked})
    return outcome


def _replace_course_skills(session: Session, wanted: dict[int | None, list[str]]) -> None:
    """Make each course's skills exactly ``wanted[course_id]``."""
    ids = [course_id for course_id in wanted if course_id is not None]
    current: dict[int, dict[str, CourseSkill]] = {}
    for chunk in chunked(ids):
        statement = select(CourseSkill).where(col(CourseSkill.course_id).in_(chunk))
        for link in session.exec(statement):
            current.setdefault(link.course_id, {})[link.skill_code] = link
    for course_id in ids:
        have = current.get(course_id, {})
        for code, link in have.items():
            if code not in wanted[course_id]:
                session.delete(link)
        for code in wanted[course_id]:
            if code not in have:
                session.add(CourseSkill(course_id=course_id, skill_code=code))
