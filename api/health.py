"""``GET /healthz``: the service and its database answer."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from api.database import get_engine

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    """200 with ``{"status": "ok"}`` when the database answers, else a 503 JSON error."""
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
    return jsonify({"status": "ok", "database": "ok"})
