"""patrol plans

Revision ID: 20261126_0006
Revises: 20261126_0005
Create Date: 2026-11-26 15:56:55.495291
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261126_0006'
down_revision = '20261126_0005'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('patrol_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('teams', sa.Integer(), nullable=False),
    sa.Column('shift_start', sa.String(length=5), nullable=False),
    sa.Column('shift_end', sa.String(length=5), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('depot_lon', sa.Float(), nullable=False),
    sa.Column('depot_lat', sa.Float(), nullable=False),
    sa.Column('n_sites', sa.Integer(), nullable=False),
    sa.Column('n_targets', sa.Integer(), nullable=False),
    sa.Column('solver_status', sa.String(length=40), nullable=False),
    sa.Column('objective', sa.Float(), nullable=False),
    sa.Column('attacker_utility', sa.Float(), nullable=False),
    sa.Column('gap', sa.Float(), nullable=False),
    sa.Column('runtime_s', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_patrol_plans_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_plans'))
    )
    with op.batch_alter_table('patrol_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_plans_region_id'), ['region_id'], unique=False)

    op.create_table('patrol_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('coverage', sa.Float(), nullable=False),
    sa.Column('consequence', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['patrol_plans.id'], name=op.f('fk_patrol_coverage_plan_id_patrol_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_patrol_coverage_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_coverage'))
    )
    with op.batch_alter_table('patrol_coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_coverage_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index('ix_patrol_coverage_plan_weekday', ['plan_id', 'weekday'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_coverage_site_id'), ['site_id'], unique=False)

    op.create_table('patrol_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('team', sa.Integer(), nullable=False),
    sa.Column('path', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['patrol_plans.id'], name=op.f('fk_patrol_schedules_plan_id_patrol_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_schedules')),
    sa.UniqueConstraint('plan_id', 'day', 'team', name='uq_patrol_schedules_plan_day_team')
    )
    with op.batch_alter_table('patrol_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_schedules_plan_id'), ['plan_id'], unique=False)

    op.create_table('patrol_stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('arrival_s', sa.Float(), nullable=False),
    sa.Column('departure_s', sa.Float(), nullable=False),
    sa.Column('extra', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['patrol_schedules.id'], name=op.f('fk_patrol_stops_schedule_id_patrol_schedules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_patrol_stops_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_stops'))
    )
    with op.batch_alter_table('patrol_stops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_stops_schedule_id'), ['schedule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_stops_site_id'), ['site_id'], unique=False)



def downgrade() -> None:

    with op.batch_alter_table('patrol_stops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_stops_site_id'))
        batch_op.drop_index(batch_op.f('ix_patrol_stops_schedule_id'))

    op.drop_table('patrol_stops')
    with op.batch_alter_table('patrol_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_schedules_plan_id'))

    op.drop_table('patrol_schedules')
    with op.batch_alter_table('patrol_coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_coverage_site_id'))
        batch_op.drop_index('ix_patrol_coverage_plan_weekday')
        batch_op.drop_index(batch_op.f('ix_patrol_coverage_plan_id'))

    op.drop_table('patrol_coverage')
    with op.batch_alter_table('patrol_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_plans_region_id'))

    op.drop_table('patrol_plans')
