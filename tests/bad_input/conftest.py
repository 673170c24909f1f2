"""Fixtures and helpers of the bad-input corpus: the small world and table row counts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from tests.api.world import World, build_world

BOOKKEEPING_TABLES = frozenset({"auditentry", "apitoken", "loginattempt", "alembic_version"})
"""Tables a refused request may still write to: the audit log records refusals too."""


@pytest.fixture
def world(engine: Engine) -> World:
    """The small world (see :mod:`tests.api.world`) with a token per login."""
    return build_world(engine)


def row_counts(engine: Engine) -> dict[str, int]:
    """The number of rows in every table of the service's data."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
            if table.name not in BOOKKEEPING_TABLES
        }
