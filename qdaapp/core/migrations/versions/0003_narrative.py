"""Narrative accounts, passages, fragments, links, actors, actantial roles, framework cells.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('title')
    )
    op.create_table('actors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('framework_cells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('row_kind', sa.String(length=8), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('col_kind', sa.String(length=8), nullable=False),
    sa.Column('col_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('row_kind', 'row_id', 'col_kind', 'col_id', name='uq_framework_cell')
    )
    op.create_table('actant_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.CheckConstraint("role IN ('subject', 'object', 'sender', 'receiver', 'helper', 'opponent')",
                       name='ck_actant_role'),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'actor', 'role', name='uq_actant_role')
    )
    with op.batch_alter_table('actant_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actant_roles_account_id'), ['account_id'], unique=False)

    op.create_table('fragments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('act', sa.String(length=16), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('actors', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('x', sa.Double(), nullable=True),
    sa.Column('y', sa.Double(), nullable=True),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.CheckConstraint("act IS NULL OR act IN ('manipulation', 'commitment', 'competence', 'performance', 'sanction')",
                       name='ck_fragment_act'),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fragments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fragments_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fragments_case_id'), ['case_id'], unique=False)

    op.create_table('account_passages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.CheckConstraint('start >= 0 AND start < "end"', name='ck_account_passage_span'),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'source_id', 'start', 'end', name='uq_account_passage')
    )
    with op.batch_alter_table('account_passages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_passages_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_passages_source_id'), ['source_id'], unique=False)

    op.create_table('fragment_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('to_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=False),
    sa.CheckConstraint('from_id <> to_id', name='ck_fragment_link_loop'),
    sa.ForeignKeyConstraint(['from_id'], ['fragments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_id'], ['fragments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('from_id', 'to_id', name='uq_fragment_link')
    )
    with op.batch_alter_table('fragment_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fragment_links_from_id'), ['from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fragment_links_to_id'), ['to_id'], unique=False)

    op.create_table('fragment_passages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fragment_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.CheckConstraint('start >= 0 AND start < "end"', name='ck_fragment_passage_span'),
    sa.ForeignKeyConstraint(['fragment_id'], ['fragments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fragment_passages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fragment_passages_fragment_id'), ['fragment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fragment_passages_source_id'), ['source_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('fragment_passages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fragment_passages_source_id'))
        batch_op.drop_index(batch_op.f('ix_fragment_passages_fragment_id'))

    op.drop_table('fragment_passages')
    with op.batch_alter_table('fragment_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fragment_links_to_id'))
        batch_op.drop_index(batch_op.f('ix_fragment_links_from_id'))

    op.drop_table('fragment_links')
    with op.batch_alter_table('account_passages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_passages_source_id'))
        batch_op.drop_index(batch_op.f('ix_account_passages_account_id'))

    op.drop_table('account_passages')
    with op.batch_alter_table('fragments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fragments_case_id'))
        batch_op.drop_index(batch_op.f('ix_fragments_account_id'))

    op.drop_table('fragments')
    with op.batch_alter_table('actant_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actant_roles_account_id'))

    op.drop_table('actant_roles')
    op.drop_table('framework_cells')
    op.drop_table('actors')
    op.drop_table('accounts')
