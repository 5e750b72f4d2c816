"""Source language: the ISO code of the language a source is analysed in.

The undo capture of ``sources`` records its columns, so it is made again
with the new column.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from qdaapp.core import history

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# The undo capture as generated from the schema at this revision (history.generate), frozen:
# later edits of the models or of the generator leave this migration as it was.
CAPTURE = {
    "sources": [
        """CREATE TRIGGER undo_sources_ai AFTER INSERT ON "sources" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('sources', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_sources_ad AFTER DELETE ON "sources" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('sources', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'kind', """
        """OLD."kind", 'format', OLD."format", 'case_id', OLD."case_id", 'text', OLD."text", 'original', """
        """hex(OLD."original"), 'original_name', OLD."original_name", 'sha256', OLD."sha256", 'encoding', """
        """OLD."encoding", 'words', OLD."words", 'length', OLD."length", 'page_starts', OLD."page_starts", """
        """'paragraph_starts', OLD."paragraph_starts", 'turns', OLD."turns", 'imported_at', OLD."imported_at", """
        """'imported_by', OLD."imported_by", 'language', OLD."language")); END""",
        """CREATE TRIGGER undo_sources_au AFTER UPDATE ON "sources" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('sources', 'U', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'kind', """
        """OLD."kind", 'format', OLD."format", 'case_id', OLD."case_id", 'original_name', OLD."original_name", """
        """'sha256', OLD."sha256", 'encoding', OLD."encoding", 'words', OLD."words", 'length', OLD."length", """
        """'imported_at', OLD."imported_at", 'imported_by', OLD."imported_by", 'language', OLD."language"), """
        """json_object('id', NEW."id", 'name', NEW."name", 'kind', NEW."kind", 'format', NEW."format", """
        """'case_id', NEW."case_id", 'original_name', NEW."original_name", 'sha256', NEW."sha256", 'encoding', """
        """NEW."encoding", 'words', NEW."words", 'length', NEW."length", 'imported_at', NEW."imported_at", """
        """'imported_by', NEW."imported_by", 'language', NEW."language")); END""",
    ],
}

# The capture this revision replaces (as 0004 left it), put back by the downgrade.
CAPTURE_0004 = {
    "sources": [
        """CREATE TRIGGER undo_sources_ai AFTER INSERT ON "sources" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('sources', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_sources_ad AFTER DELETE ON "sources" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('sources', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'kind', """
        """OLD."kind", 'format', OLD."format", 'case_id', OLD."case_id", 'text', OLD."text", 'original', """
        """hex(OLD."original"), 'original_name', OLD."original_name", 'sha256', OLD."sha256", 'encoding', """
        """OLD."encoding", 'words', OLD."words", 'length', OLD."length", 'page_starts', OLD."page_starts", """
        """'paragraph_starts', OLD."paragraph_starts", 'turns', OLD."turns", 'imported_at', OLD."imported_at", """
        """'imported_by', OLD."imported_by")); END""",
        """CREATE TRIGGER undo_sources_au AFTER UPDATE ON "sources" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('sources', 'U', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'kind', """
        """OLD."kind", 'format', OLD."format", 'case_id', OLD."case_id", 'original_name', OLD."original_name", """
        """'sha256', OLD."sha256", 'encoding', OLD."encoding", 'words', OLD."words", 'length', OLD."length", """
        """'imported_at', OLD."imported_at", 'imported_by', OLD."imported_by"), json_object('id', NEW."id", """
        """'name', NEW."name", 'kind', NEW."kind", 'format', NEW."format", 'case_id', NEW."case_id", """
        """'original_name', NEW."original_name", 'sha256', NEW."sha256", 'encoding', NEW."encoding", 'words', """
        """NEW."words", 'length', NEW."length", 'imported_at', NEW."imported_at", 'imported_by', """
        """NEW."imported_by")); END""",
    ],
}


def _recreate_triggers(capture: dict[str, list[str]]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        history.install(op, capture)


def upgrade() -> None:
    op.add_column('sources', sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
    _recreate_triggers(CAPTURE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        history.drop(op, ["sources"])
    op.drop_column('sources', 'language')
    _recreate_triggers(CAPTURE_0004)
