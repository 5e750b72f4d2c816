"""Row digests and the kept head of the audit chain.

Each event records the digest of every row it wrote (``audit_rows``) and its
hash covers them (``audit_events.rows_hash``); the chain's head is kept in
``meta`` so that removing the last events is caught. A project that already
has events gets a baseline: one ``audit.baseline`` event that records the
digest of every row as it is at the upgrade.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_rows',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('tbl', sa.String(length=32), nullable=False),
    sa.Column('row_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=True),
    sa.Column('row', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('seq', 'tbl', 'row_id'),
    sqlite_with_rowid=False,
    )
    op.add_column('audit_events', sa.Column('rows_hash', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("SELECT count(*) FROM audit_events").scalar():
        from sqlalchemy.orm import Session

        from qdaapp.core import audit, commands

        last = bind.exec_driver_sql("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").one()
        audit._keep_head(bind, last[0], last[1])
        with Session(bind=bind) as session:
            commands.record(session, "qdaapp", commands.baseline(session), "schema upgrade to 0009")
            session.flush()


def downgrade() -> None:
    op.execute("DELETE FROM meta WHERE key = 'audit_head'")
    op.drop_column('audit_events', 'rows_hash')
    op.drop_table('audit_rows')
