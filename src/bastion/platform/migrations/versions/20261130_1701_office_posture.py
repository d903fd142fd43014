"""office and posture: responsibility rules and exceptions, duties, supervision campaigns, escalation steps,
notifications with receipts, agency endpoints, preferences; posture declarations and posture tasks

Revision ID: 20261130_1701
Revises: 20261130_0204
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_1701'
down_revision = '20261130_1101'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('office_escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_kind', sa.String(length=20), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=20), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_escalations')),
    sa.UniqueConstraint('task_kind', 'task_id', 'level', name='uq_office_escalations')
    )
    op.create_table('office_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=60), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tlp', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_notifications'))
    )
    op.create_index('ix_office_notifications_agency', 'office_notifications', ['agency_id', 'status'], unique=False)
    op.create_table('office_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('clock', sa.String(length=20), nullable=False),
    sa.Column('holiday_region', sa.String(length=20), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_office_campaigns_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_campaigns'))
    )
    op.create_index(op.f('ix_office_campaigns_region_id'), 'office_campaigns', ['region_id'], unique=False)
    op.create_table('office_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_office_endpoints_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_endpoints')),
    sa.UniqueConstraint('agency_id', 'channel', name='uq_office_endpoints')
    )
    op.create_table('office_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('natural_key', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('tier', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_office_rules_agency_id_agencies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_office_rules_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_rules')),
    sa.UniqueConstraint('natural_key', name='uq_office_rules_key')
    )
    op.create_index(op.f('ix_office_rules_agency_id'), 'office_rules', ['agency_id'], unique=False)
    op.create_table('posture_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=10), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=True),
    sa.Column('proposed_actor', sa.String(length=120), nullable=False),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('approved_actor', sa.String(length=120), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_posture_declarations_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posture_declarations'))
    )
    op.create_index(op.f('ix_posture_declarations_region_id'), 'posture_declarations', ['region_id'], unique=False)
    op.create_index('uq_posture_active', 'posture_declarations', ['region_id', 'scheme'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
    op.create_table('office_campaign_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('supervising_agency_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['office_campaigns.id'], name=op.f('fk_office_campaign_sites_campaign_id_office_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_office_campaign_sites_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_campaign_sites')),
    sa.UniqueConstraint('campaign_id', 'site_id', name='uq_office_campaign_sites')
    )
    op.create_index(op.f('ix_office_campaign_sites_campaign_id'), 'office_campaign_sites', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_office_campaign_sites_site_id'), 'office_campaign_sites', ['site_id'], unique=False)
    op.create_table('office_duties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('evidence', sa.String(length=300), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_office_duties_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_duties')),
    sa.UniqueConstraint('site_id', 'code', 'period', name='uq_office_duties_key')
    )
    op.create_index('ix_office_duties_agency_period', 'office_duties', ['agency_id', 'period'], unique=False)
    op.create_index('ix_office_duties_agency_due', 'office_duties', ['agency_id', 'due_on'], unique=False)
    op.create_index(op.f('ix_office_duties_site_id'), 'office_duties', ['site_id'], unique=False)
    op.create_table('office_preferences',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['users.id'], name=op.f('fk_office_preferences_account_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_office_preferences'))
    )
    op.create_table('office_site_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_office_site_exceptions_agency_id_agencies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_office_site_exceptions_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_site_exceptions')),
    sa.UniqueConstraint('site_id', 'role', name='uq_office_site_exceptions')
    )
    op.create_index(op.f('ix_office_site_exceptions_site_id'), 'office_site_exceptions', ['site_id'], unique=False)
    op.create_table('posture_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_posture_tasks_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posture_tasks'))
    )
    op.create_index('ix_posture_tasks_region_status', 'posture_tasks', ['region_id', 'status'], unique=False)
    op.create_index('uq_posture_tasks_open', 'posture_tasks', ['site_id', 'rule_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    op.drop_index('uq_posture_tasks_open', table_name='posture_tasks', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
    op.drop_index('ix_posture_tasks_region_status', table_name='posture_tasks')
    op.drop_table('posture_tasks')
    op.drop_index(op.f('ix_office_site_exceptions_site_id'), table_name='office_site_exceptions')
    op.drop_table('office_site_exceptions')
    op.drop_table('office_preferences')
    op.drop_index(op.f('ix_office_duties_site_id'), table_name='office_duties')
    op.drop_index('ix_office_duties_agency_due', table_name='office_duties')
    op.drop_index('ix_office_duties_agency_period', table_name='office_duties')
    op.drop_table('office_duties')
    op.drop_index(op.f('ix_office_campaign_sites_site_id'), table_name='office_campaign_sites')
    op.drop_index(op.f('ix_office_campaign_sites_campaign_id'), table_name='office_campaign_sites')
    op.drop_table('office_campaign_sites')
    op.drop_index('uq_posture_active', table_name='posture_declarations', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
    op.drop_index(op.f('ix_posture_declarations_region_id'), table_name='posture_declarations')
    op.drop_table('posture_declarations')
    op.drop_index(op.f('ix_office_rules_agency_id'), table_name='office_rules')
    op.drop_table('office_rules')
    op.drop_table('office_endpoints')
    op.drop_index(op.f('ix_office_campaigns_region_id'), table_name='office_campaigns')
    op.drop_table('office_campaigns')
    op.drop_index('ix_office_notifications_agency', table_name='office_notifications')
    op.drop_table('office_notifications')
    op.drop_table('office_escalations')
