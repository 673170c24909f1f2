"""The Flask application: a thin layer over the planning core and the database."""

from __future__ import annotations

from typing import Any

from flask import Flask

from api import auth, errors, health, rota
from api.database import init_database
from scheduler.config import Settings

MAX_REQUEST_BYTES = 10 * 1024 * 1024


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings from the environment, then ``test_config``."""
    app = Flask(__name__, instance_relative_config=False)
    settings = Settings.from_env()
    app.config.update(
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        HOMECARE_SETTINGS=settings,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    init_database(app)
    errors.init_app(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(rota.blueprint)
    return app
