"""daily job

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:37:54.003727
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('changenotice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('plan_run_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('worker', 'client', name='ck_noticeaudience', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.String(length=400), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['plan_run_id'], ['planrun.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('changenotice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_changenotice_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_changenotice_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_changenotice_plan_run_id'), ['plan_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_changenotice_worker_id'), ['worker_id'], unique=False)

    op.create_table('planclaim',
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('claimed', 'done', 'failed', name='ck_claimstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('plan_run_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ),
    sa.ForeignKeyConstraint(['plan_run_id'], ['planrun.id'], ),
    sa.PrimaryKeyConstraint('area_id', 'day')
    )
    with op.batch_alter_table('planrun', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('planrun', schema=None) as batch_op:
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('owner')

    op.drop_table('planclaim')
    with op.batch_alter_table('changenotice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_changenotice_worker_id'))
        batch_op.drop_index(batch_op.f('ix_changenotice_plan_run_id'))
        batch_op.drop_index(batch_op.f('ix_changenotice_day'))
        batch_op.drop_index(batch_op.f('ix_changenotice_client_id'))

    op.drop_table('changenotice')
