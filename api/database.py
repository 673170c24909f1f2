"""One engine per application and one session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.db.engine import make_engine


def init_database(app: Flask) -> None:
    """Create the application's engine and close each request's session at its end."""
    app.extensions["homecare_engine"] = make_engine(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def _close_session(_error: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()


def get_engine() -> Engine:
    """The application's engine."""
    engine: Engine = current_app.extensions["homecare_engine"]
    return engine


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    session: Session = g.db_session
    return session
