"""Migrations build the schema from empty, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import SQLModel

import scheduler.db.models  # noqa: F401
from scheduler.db.engine import make_engine
from scheduler.db.migrate import current_revision, downgrade, upgrade


def test_upgrade_from_empty_creates_every_table(database_url: str) -> None:
    """Every table the code declares exists after upgrading an empty database."""
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert current_revision(engine) is not None


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    """The migrations are reversible: base empties the schema, head restores it."""
    engine = make_engine(database_url)
    upgrade(engine)
    downgrade(engine, "base")
    assert not set(SQLModel.metadata.tables) & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())


def test_migrations_match_the_tables(engine) -> None:  # type: ignore[no-untyped-def]
    """No difference between the tables in code and the migrated schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
