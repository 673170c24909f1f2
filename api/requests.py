"""Reading request input with errors that name the field and the reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request

from api.errors import ApiError

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400/415 naming what is wrong."""
    if not request.is_json:
        raise ApiError(415, "send a JSON object with Content-Type: application/json")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "the body is not valid JSON")
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def required_string(body: dict[str, Any], name: str, *, max_length: int) -> str:
    """A non-empty string field of at most ``max_length`` characters."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ApiError(400, f"{name} is required and must be a non-empty string", name)
    if len(value) > max_length:
        raise ApiError(400, f"{name} must be at most {max_length} characters", name)
    return value


def parse_date(text: str | None, name: str) -> date:
    """An ISO 8601 calendar date (YYYY-MM-DD) between 2000 and 2100."""
    if not text:
        raise ApiError(400, f"{name} is required (YYYY-MM-DD)", name)
    try:
        value = date.fromisoformat(text)
    except ValueError as error:
        raise ApiError(400, f"{name} must be a date as YYYY-MM-DD", name) from error
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ApiError(400, f"{name} must be between 2000-01-01 and 2100-12-31", name)
    return value


def query_date(name: str = "date") -> date:
    """A required date query parameter."""
    return parse_date(request.args.get(name), name)
