"""Every error as JSON: ``{"status", "message", "field"}``; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error to answer with: HTTP status, a message, and the offending field if any."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def error_response(status: int, message: str, field: str | None = None) -> Response:
    """The JSON body and status of an error."""
    body: dict[str, Any] = {"status": status, "message": message}
    if field is not None:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    """Register the handlers that turn every failure into a JSON error."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status, error.message, error.field)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        return error_response(error.code or 500, error.description or error.name)

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError) -> Response:
        log.error("database unavailable: %s", error.__class__.__name__)
        return error_response(503, "the database is unavailable; try again shortly")

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError) -> Response:
        if error.connection_invalidated:
            return error_response(503, "the database is unavailable; try again shortly")
        log.exception("database error")
        return error_response(500, "internal error")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return error_response(500, "internal error")
