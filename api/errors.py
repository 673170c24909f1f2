"""Every error as JSON: ``{"status", "message", "field"}``; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, has_request_context, jsonify, request
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


def wants_page() -> bool:
    """True for a person's page (not the API): errors are then shown as HTML."""
    if not has_request_context():
        return False
    path = request.path
    if path.startswith("/api/") or path == "/healthz" or path.endswith(".js"):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def _as_page(response: Response) -> Response:
    """The JSON error as a small HTML page when a person's page failed."""
    if not wants_page():
        return response
    from flask import render_template

    body = response.get_json()
    page = Response(
        render_template("error.html", status=body["status"], message=body["message"]),
        status=response.status_code,
        mimetype="text/html",
    )
    for name in ("Retry-After", "Allow"):
        if name in response.headers:
            page.headers[name] = response.headers[name]
    return page


def init_app(app: Flask) -> None:
    """Register the handlers that turn every failure into a JSON error."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        response = error_response(error.status, error.message, error.field)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return _as_page(response)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        response = error_response(error.code or 500, error.description or error.name)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods or ())  # type: ignore[attr-defined]
        return _as_page(response)

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError) -> Response:
        log.error("database unavailable: %s", error.__class__.__name__)
        return error_response(503, "the database is unavailable; try again shortly")

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError) -> Response:
        if error.connection_invalidated:
            return error_response(503, "the database is unavailable; try again shortly")
        log.exception("database error")
        return _as_page(error_response(500, "internal error"))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return _as_page(error_response(500, "internal error"))
