"""Initial schema: sources, nodes, codings, cases, attributes, memos, meta, audit.

Revision ID: 0001
Revises: 
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attributes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=8), nullable=False),
    sa.CheckConstraint("type IN ('text', 'number', 'date')", name='ck_attr_type'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('audit_events',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('time', sa.String(length=40), nullable=False),
    sa.Column('coder', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_time', ['time'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('memos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('author', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.CheckConstraint("target_type IN ('project', 'source', 'node', 'coding', 'case', 'account', 'memo', 'diary')",
                       name='ck_memo_target'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('memos', schema=None) as batch_op:
        batch_op.create_index('ix_memos_target', ['target_type', 'target_id'], unique=False)

    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('color', sa.String(length=9), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint("kind = 'tree' OR parent_id IS NULL", name='ck_free_nodes_flat'),
    sa.CheckConstraint("kind IN ('free', 'tree')", name='ck_node_kind'),
    sa.ForeignKeyConstraint(['parent_id'], ['nodes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('nodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nodes_parent_id'), ['parent_id'], unique=False)

    op.create_index(
        'uq_node_sibling_name',
        'nodes',
        [sa.text('coalesce(parent_id, 0)'), 'kind', 'name'],
        unique=True,
    )
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('original', sa.LargeBinary(), nullable=True),
    sa.Column('original_name', sa.String(length=1024), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('encoding', sa.String(length=32), nullable=True),
    sa.Column('words', sa.Integer(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('page_starts', sa.Text(), nullable=True),
    sa.Column('paragraph_starts', sa.Text(), nullable=True),
    sa.Column('turns', sa.Text(), nullable=True),
    sa.Column('imported_at', sa.String(length=40), nullable=False),
    sa.Column('imported_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint("kind IN ('interview', 'field-note', 'document', 'diary')", name='ck_source_kind'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('sha256')
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_case_id'), ['case_id'], unique=False)

    op.create_table('attribute_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attribute_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Text(), nullable=False),
    sa.CheckConstraint('(case_id IS NULL) <> (source_id IS NULL)', name='ck_attr_value_owner'),
    sa.ForeignKeyConstraint(['attribute_id'], ['attributes.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('attribute_id', 'case_id', name='uq_attr_case'),
    sa.UniqueConstraint('attribute_id', 'source_id', name='uq_attr_source')
    )
    with op.batch_alter_table('attribute_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attribute_values_attribute_id'), ['attribute_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attribute_values_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attribute_values_source_id'), ['source_id'], unique=False)

    op.create_table('codings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('coder', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('origin', sa.String(length=64), nullable=False),
    sa.CheckConstraint('start >= 0 AND start < "end"', name='ck_coding_span'),
    sa.ForeignKeyConstraint(['node_id'], ['nodes.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'node_id', 'start', 'end', 'coder', name='uq_coding')
    )
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codings_node_id'), ['node_id'], unique=False)
        batch_op.create_index('ix_codings_source_start', ['source_id', 'start'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.drop_index('ix_codings_source_start')
        batch_op.drop_index(batch_op.f('ix_codings_node_id'))

    op.drop_table('codings')
    with op.batch_alter_table('attribute_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attribute_values_source_id'))
        batch_op.drop_index(batch_op.f('ix_attribute_values_case_id'))
        batch_op.drop_index(batch_op.f('ix_attribute_values_attribute_id'))

    op.drop_table('attribute_values')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_case_id'))

    op.drop_table('sources')
    with op.batch_alter_table('nodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nodes_parent_id'))

    op.drop_table('nodes')
    op.drop_table('meta')
    with op.batch_alter_table('memos', schema=None) as batch_op:
        batch_op.drop_index('ix_memos_target')

    op.drop_table('memos')
    op.drop_table('cases')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_time')
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))
        batch_op.drop_index('ix_audit_entity')

    op.drop_table('audit_events')
    op.drop_table('attributes')
