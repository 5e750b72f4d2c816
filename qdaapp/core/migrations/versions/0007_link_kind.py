"""Fragment links: a kind, ``sequence`` (the story's order) or ``extra`` (a branch, a loop back).

Existing links between fragments that stand next to each other in an
account's order, in that direction, become ``sequence``; the rest ``extra``.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from qdaapp.core import history

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The undo capture as generated from the schema at this revision (history.generate), frozen:
# later edits of the models or of the generator leave this migration as it was.
CAPTURE = {
    "fragment_links": [
        """CREATE TRIGGER undo_fragment_links_ai AFTER INSERT ON "fragment_links" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id) VALUES ('fragment_links', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_fragment_links_ad AFTER DELETE ON "fragment_links" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old) VALUES ('fragment_links', 'D', OLD.rowid, json_object('id', OLD."id", """
        """'from_id', OLD."from_id", 'to_id', OLD."to_id", 'label', OLD."label", 'kind', OLD."kind")); END""",
        """CREATE TRIGGER undo_fragment_links_au AFTER UPDATE ON "fragment_links" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old, new) VALUES ('fragment_links', 'U', OLD.rowid, json_object('id', """
        """OLD."id", 'from_id', OLD."from_id", 'to_id', OLD."to_id", 'label', OLD."label", 'kind', OLD."kind"), """
        """json_object('id', NEW."id", 'from_id', NEW."from_id", 'to_id', NEW."to_id", 'label', NEW."label", """
        """'kind', NEW."kind")); END""",
    ],
}

# The capture this revision replaces (as 0006 left it), put back by the downgrade.
CAPTURE_0006 = {
    "fragment_links": [
        """CREATE TRIGGER undo_fragment_links_ai AFTER INSERT ON "fragment_links" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id) VALUES ('fragment_links', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_fragment_links_ad AFTER DELETE ON "fragment_links" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old) VALUES ('fragment_links', 'D', OLD.rowid, json_object('id', OLD."id", """
        """'from_id', OLD."from_id", 'to_id', OLD."to_id", 'label', OLD."label")); END""",
        """CREATE TRIGGER undo_fragment_links_au AFTER UPDATE ON "fragment_links" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old, new) VALUES ('fragment_links', 'U', OLD.rowid, json_object('id', """
        """OLD."id", 'from_id', OLD."from_id", 'to_id', OLD."to_id", 'label', OLD."label"), json_object('id', """
        """NEW."id", 'from_id', NEW."from_id", 'to_id', NEW."to_id", 'label', NEW."label")); END""",
    ],
}


def _recreate_triggers(capture: dict[str, list[str]]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        history.install(op, capture)


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
    _recreate_triggers(CAPTURE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        history.drop(op, ["fragment_links"])
    with op.batch_alter_table('fragment_links') as batch_op:
        batch_op.drop_column('kind')
    _recreate_triggers(CAPTURE_0006)
