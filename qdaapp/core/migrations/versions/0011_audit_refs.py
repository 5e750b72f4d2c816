"""What each audit event touched (``audit_refs``), and the events of a row found by the row.

``audit_refs(seq, kind, ref_id)``, keyed by (kind, ref_id, seq), lists every
item an event touched: the rows it wrote and what they point to, before and
after, so that filtering the timeline by a node, a source or a case finds the
bulk events too (see ``qdaapp.core.audit_refs``). Existing events are indexed
at the upgrade, best effort. ``ix_audit_rows_row`` finds the events that wrote
one row.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_refs',
    # The columns in the key's order: SQLite 3.40's quick_check misreads a WITHOUT ROWID table otherwise.
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('kind', 'ref_id', 'seq'),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_audit_rows_row', 'audit_rows', ['tbl', 'row_id'])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        from qdaapp.core import audit_refs

        audit_refs.backfill(bind)


def downgrade() -> None:
    op.drop_index('ix_audit_rows_row', table_name='audit_rows')
    op.drop_table('audit_refs')
