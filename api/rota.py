"""Coordinators' view of an area: the published rota of a day."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api.auth import current_user, login_required
from api.database import get_session
from api.errors import ApiError
from api.requests import query_date
from scheduler.accounts import user_area_ids
from scheduler.audit import record
from scheduler.db.models import Area, Role
from scheduler.rota import area_rota

blueprint = Blueprint("rota", __name__, url_prefix="/api/v1")


def area_in_scope(area_id: int) -> Area:
    """The area if the signed-in account may see it; 404 otherwise, as if it did not exist."""
    session = get_session()
    allowed = user_area_ids(session, current_user())
    area = session.get(Area, area_id)
    if area is None or (allowed is not None and area_id not in allowed):
        raise ApiError(404, f"no area {area_id}")
    return area


@blueprint.get("/areas/<int:area_id>/rota")
@login_required(Role.COORDINATOR, Role.MANAGER, Role.ADMIN)
def get_rota(area_id: int) -> Response:
    """Every worker's route in the area on ``?date=YYYY-MM-DD``, and what is unallocated."""
    day = query_date()
    area = area_in_scope(area_id)
    session = get_session()
    body = area_rota(session, area, day)
    record(session, current_user(), "read", "rota", f"{area_id}:{day.isoformat()}")
    session.commit()
    return jsonify(body)
