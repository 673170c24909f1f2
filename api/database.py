"""One engine per application and one session per request."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from scheduler.db.engine import make_engine

log = logging.getLogger(__name__)


def init_database(app: Flask) -> None:
    """Create the application's engine and close each request's session at its end."""
    app.extensions["homecare_engine"] = make_engine(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def _close_session(_error: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            close_session(session)


def close_session(session: Session) -> None:
    """Close a request's session after its answer was made.

    Closing rolls back whatever is still open; if the database went away after the
    request's last statement, that rollback fails. The answer already stands (nothing
    uncommitted can be lost by a failed rollback), so the failure is logged and the
    dead connection dropped instead of turning a finished answer into a 500.
    """
    try:
        session.close()
    except DBAPIError as error:
        log.warning("database connection lost while closing a session: %s",
                    error.__class__.__name__)
        session.invalidate()


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
