"""week plans: each area's weekly teams and rough timetable, made once a week

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 16:38:30.560190
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('weekplan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('monday', sa.Date(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('teams', sa.JSON(), nullable=False),
    sa.Column('promised', sa.JSON(), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('area_id', 'monday', name='uq_weekplan_area_monday')
    )


def downgrade() -> None:
    op.drop_table('weekplan')
