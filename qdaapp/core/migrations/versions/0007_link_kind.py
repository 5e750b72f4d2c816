"""Fragment links: a kind, ``sequence`` (the story's order) or ``extra`` (a branch, a loop back).

Existing links between fragments that stand next to each other in an
account's order, in that direction, become ``sequence``; the rest ``extra``.

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa

from qdaapp.core.history import trigger_sql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

LINKS_0004 = ['id', 'from_id', 'to_id', 'label']
LINKS = LINKS_0004 + ['kind']


def _recreate_triggers(columns: list[str]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS undo_fragment_links_{suffix}")
    for statement in trigger_sql("fragment_links", columns):
        op.execute(statement)


def upgrade() -> None:
    op.add_column('fragment_links', sa.Column('kind', sa.String(length=8), server_default='extra', nullable=False))
    # Rank fragments within their account by (position, id); a link from rank r to rank r+1 is the sequence.
    op.execute("""
        WITH ranked AS (
            SELECT id, account_id, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY position, id) AS r
            FROM fragments
        )
        UPDATE fragment_links SET kind = 'sequence'
        WHERE EXISTS (
            SELECT 1 FROM ranked a JOIN ranked b ON a.account_id = b.account_id AND b.r = a.r + 1
            WHERE a.id = fragment_links.from_id AND b.id = fragment_links.to_id
        )
    """)
    _recreate_triggers(LINKS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS undo_fragment_links_{suffix}")
    with op.batch_alter_table('fragment_links') as batch_op:
        batch_op.drop_column('kind')
    _recreate_triggers(LINKS_0004)
