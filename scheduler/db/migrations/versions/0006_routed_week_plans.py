"""routed week plans: a week plan made by routing is kept for its whole week

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('weekplan') as batch:
        batch.add_column(
            sa.Column('routed', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('weekplan') as batch:
        batch.drop_column('routed')
