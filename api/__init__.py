"""The Flask application: a thin layer over the planning core and the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from api import (
    auth,
    coordinators,
    csrf,
    docs,
    errors,
    health,
    logs,
    managers,
    pages,
    route_fast,
    security,
    workers,
)
from api.database import init_database
from api.sessions import CookieSessions
from scheduler.config import Settings

MAX_REQUEST_BYTES = 10 * 1024 * 1024
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class DatabaseId(IntegerConverter):
    """``<int:…>`` in routes: a whole number that fits a database id (else 404, not a 500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        """The id, or 404 at once: letting matching go on would answer 405 for a PATCH."""
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound("no such record") from None


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings from the environment, then ``test_config``."""
    app = Flask(__name__, instance_relative_config=False)
    app.session_interface = CookieSessions()
    app.url_map.converters["int"] = DatabaseId
    settings = Settings.from_env()
    app.config.update(
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        HOMECARE_SETTINGS=settings,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_NAME="homecare_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    if test_config:
        app.config.update(test_config)
    logs.init_app(app)
    init_database(app)
    route_fast.init_app(app, app.extensions["homecare_engine"])
    errors.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(auth.account_blueprint)
    app.register_blueprint(workers.blueprint)
    app.register_blueprint(coordinators.blueprint)
    app.register_blueprint(managers.blueprint)
    app.register_blueprint(docs.blueprint)
    app.register_blueprint(pages.blueprint)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith("/api/") or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
