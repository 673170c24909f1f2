"""Shared fixtures: a fresh, migrated database on SQLite and (when selected) PostgreSQL.

The suite runs once per engine: ``HOMECARE_TEST_DATABASE=sqlite`` (default) or
``HOMECARE_TEST_DATABASE=postgresql``, which uses ``HOMECARE_TEST_POSTGRES_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Each test that
asks for ``engine`` gets an empty database: a new SQLite file, or a new
PostgreSQL schema dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "HOMECARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENGINE_KIND = os.environ.get("HOMECARE_TEST_DATABASE", "sqlite")
# Read audit entries are written before each answer in tests (and in the servers they
# start), so a test can look for them at once; tests/api/test_route_cache.py covers
# the batched writing itself.
os.environ.setdefault("HOMECARE_AUDIT_READ_FLUSH_SECONDS", "0")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of the selected kind (not yet migrated)."""
    if ENGINE_KIND == "postgresql":
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in POSTGRES_URL else "?"
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'homecare.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with every migration applied."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that touches a database, so the PostgreSQL pass runs just those."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database)


@pytest.fixture
def app(engine: Engine, database_url: str):  # type: ignore[no-untyped-def]
    """The Flask application on the test database (migrated, empty)."""
    from api import create_app

    application = create_app({"TESTING": True, "DATABASE_URL": database_url})
    yield application
    application.extensions["homecare_engine"].dispose()
    fast = application.extensions.get("homecare_route_fast")
    if fast is not None:
        fast.audit.close()
        fast.engine.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A test client of the application."""
    return app.test_client()
