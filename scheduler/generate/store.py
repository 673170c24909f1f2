"""Writing generated rows fast: SQLAlchemy core bulk INSERTs with ids given.

PostgreSQL's id sequences are not moved by explicit ids, so they are set to the
largest id afterwards; SQLite needs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

CHUNK_ROWS = 5_000
"""Rows per executemany call."""


def table_of(model: type[SQLModel]) -> sa.Table:
    """The core table of a SQLModel table class."""
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]


def ensure_empty(connection: Connection, models: Sequence[type[SQLModel]]) -> None:
    """Raise ``ValueError`` unless every table of ``models`` is empty."""
    for model in models:
        table = table_of(model)
        if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
            raise ValueError(
                f"table {table.name!r} already has rows: generate a scenario into an empty database"
            )


def bulk_insert(
    connection: Connection, model: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert ``rows`` (dicts keyed by column name) in chunks of :data:`CHUNK_ROWS`."""
    table = table_of(model)
    for start in range(0, len(rows), CHUNK_ROWS):
        connection.execute(sa.insert(table), list(rows[start : start + CHUNK_ROWS]))


def reset_id_sequences(connection: Connection, models: Sequence[type[SQLModel]]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids inserted by hand."""
    if connection.dialect.name != "postgresql":
        return
    for model in models:
        name = table_of(model).name
        connection.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{name}"), 0) + 1, false)'
            ),
            {"table": name},
        )
