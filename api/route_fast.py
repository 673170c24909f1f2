"""The one-statement route read on PostgreSQL (see :mod:`scheduler.services.route_cache`).

Each process keeps an engine in autocommit mode (the statement is a single read:
no BEGIN or COMMIT round trips, no pre-ping), the cache of rendered routes and
the buffer of read audit entries. A pooled connection found dead is dropped and
the statement tried once more on a fresh one, so a restarted database costs no
failed request; a database that is down gives the usual 503.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import psycopg
from flask import Flask, current_app
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from scheduler.config import Settings
from scheduler.db.engine import make_engine
from scheduler.services.audit_batch import ReadAuditBuffer
from scheduler.services.route_cache import (
    ACCOUNT_AND_VERSION,
    AccountVersion,
    RouteCache,
    account_and_version,
)

EXTENSION = "homecare_route_fast"


@dataclass
class RouteFast:
    """What the fast route read needs in one process."""

    engine: Engine
    cache: RouteCache
    audit: ReadAuditBuffer

    def lookup(self, digest: str, day: date, now: datetime) -> AccountVersion | None:
        """The token's account and the route version: one statement on a pooled
        connection (the driver's own, to skip SQLAlchemy's per-statement work).

        A connection found dead is dropped and the statement tried once more on a new
        one; a second failure is raised as SQLAlchemy's ``OperationalError`` (a 503).
        """
        for attempt in (1, 2):
            try:
                connection = self.engine.raw_connection()
            except psycopg.Error as error:  # the pool's connect is not wrapped by SQLAlchemy
                raise OperationalError(ACCOUNT_AND_VERSION, None, error) from error
            try:
                return account_and_version(connection, digest, day, now)
            except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                connection.invalidate()
                if attempt == 2:
                    raise OperationalError(ACCOUNT_AND_VERSION, None, error) from error
            finally:
                connection.close()
        raise AssertionError("unreachable")


def init_app(app: Flask, main_engine: Engine) -> None:
    """Set the fast read up when the database is PostgreSQL (SQLite renders afresh)."""
    if main_engine.dialect.name != "postgresql":
        return
    settings: Settings = app.config["HOMECARE_SETTINGS"]
    app.extensions[EXTENSION] = RouteFast(
        engine=make_engine(
            app.config["DATABASE_URL"], isolation_level="AUTOCOMMIT", pool_pre_ping=False
        ),
        cache=RouteCache(),
        audit=ReadAuditBuffer(main_engine, settings.audit_read_flush_seconds),
    )


def route_fast() -> RouteFast | None:
    """This application's fast route read, or None (SQLite)."""
    found: RouteFast | None = current_app.extensions.get(EXTENSION)
    return found
