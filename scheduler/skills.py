"""Which skills workers hold on a day: from training completed and not expired."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from scheduler.db.models import CourseSkill, TrainingRecord


def valid_skills(session: Session, worker_ids: Collection[int], day: date) -> dict[int, set[str]]:
    """Skills each worker holds from training valid on ``day`` (completed, not expired)."""
    skills: dict[int, set[str]] = defaultdict(set)
    if not worker_ids:
        return skills
    rows = session.exec(
        select(TrainingRecord.worker_id, CourseSkill.skill_code)
        .join(CourseSkill, col(CourseSkill.course_id) == TrainingRecord.course_id)
        .where(col(TrainingRecord.worker_id).in_(worker_ids))
        .where(TrainingRecord.completed_on <= day)
        .where(or_(col(TrainingRecord.expires_on).is_(None), col(TrainingRecord.expires_on) > day))
    ).all()
    for worker_id, skill in rows:
        skills[worker_id].add(skill)
    return skills
