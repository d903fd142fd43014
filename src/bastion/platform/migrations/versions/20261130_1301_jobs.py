"""jobs: the queue and record of long work (state, progress, result, error, requester and grants snapshot), and
the files jobs make (PDF reports)

Revision ID: 20261130_1301
Revises: 20261130_0204
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_1301'
down_revision = '20261130_1601'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('message', sa.String(length=300), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('result_url', sa.String(length=300), nullable=True),
        sa.Column('error', sa.JSON(), nullable=True),
        sa.Column('requested_by', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=120), nullable=False),
        sa.Column('principal', sa.JSON(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('cancel_requested', sa.Boolean(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=100), nullable=True),
        sa.Column('worker', sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_jobs_region_id_regions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_jobs_requested_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
        sa.UniqueConstraint('actor', 'idempotency_key', name='uq_jobs_actor_idempotency_key'),
    )
    op.create_index('ix_jobs_state_id', 'jobs', ['state', 'id'], unique=False)
    op.create_index(op.f('ix_jobs_region_id'), 'jobs', ['region_id'], unique=False)
    op.create_index(op.f('ix_jobs_requested_by'), 'jobs', ['requested_by'], unique=False)
    op.create_table(
        'job_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_files_job_id_jobs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_files')),
        sa.UniqueConstraint('job_id', name=op.f('uq_job_files_job_id')),
    )


def downgrade() -> None:
    op.drop_table('job_files')
    op.drop_index(op.f('ix_jobs_requested_by'), table_name='jobs')
    op.drop_index(op.f('ix_jobs_region_id'), table_name='jobs')
    op.drop_index('ix_jobs_state_id', table_name='jobs')
    op.drop_table('jobs')
