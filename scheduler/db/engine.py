"""Engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

DEFAULT_INSTANCE = Path("instance")
SQLITE_BUSY_TIMEOUT_MS = 30_000


def default_database_url(instance_path: Path | None = None) -> str:
    """``DATABASE_URL`` if set, else a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalise_url(url)
    return sqlite_url(instance_path or Path(os.environ.get("HOMECARE_INSTANCE", DEFAULT_INSTANCE)))


def sqlite_url(instance_path: Path) -> str:
    """The URL of the SQLite database file in ``instance_path`` (created if missing)."""
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(instance_path / 'homecare.db').resolve()}"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver (or none) the URL names."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: :func:`default_database_url`).

    SQLite gets WAL journalling, a busy timeout and enforced foreign keys;
    PostgreSQL gets pre-ping so a restarted server is reconnected to silently.
    """
    url = normalise_url(url) if url else default_database_url()
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
