"""Undo capture generated from the schema: ``sources`` records its columns in the table's order.

0008 moved the long values of ``sources`` to the end of each row but wrote
its capture with the columns in their old order. The capture is now
generated from the live schema (``history.generate``); this revision writes
the capture of ``sources`` again as generated, so that a project upgraded
through 0008 and a new one hold the same capture. What is recorded is
unchanged: the same columns, in another order.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from qdaapp.core import history

revision = '0010'
down_revision = '0009'
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
        """OLD."kind", 'format', OLD."format", 'case_id', OLD."case_id", 'original_name', OLD."original_name", """
        """'sha256', OLD."sha256", 'encoding', OLD."encoding", 'words', OLD."words", 'length', OLD."length", """
        """'page_starts', OLD."page_starts", 'imported_at', OLD."imported_at", 'imported_by', """
        """OLD."imported_by", 'language', OLD."language", 'turn_stats', OLD."turn_stats", 'paragraph_starts', """
        """OLD."paragraph_starts", 'turns', OLD."turns", 'text', OLD."text", 'original', hex(OLD."original"))); """
        """END""",
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

# The capture this revision replaces (as 0009 left it), put back by the downgrade.
CAPTURE_0009 = {
    "sources": [
        """CREATE TRIGGER undo_sources_ai AFTER INSERT ON "sources" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('sources', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_sources_ad AFTER DELETE ON "sources" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('sources', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'kind', """
        """OLD."kind", 'format', OLD."format", 'case_id', OLD."case_id", 'text', OLD."text", 'original', """
        """hex(OLD."original"), 'original_name', OLD."original_name", 'sha256', OLD."sha256", 'encoding', """
        """OLD."encoding", 'words', OLD."words", 'length', OLD."length", 'page_starts', OLD."page_starts", """
        """'paragraph_starts', OLD."paragraph_starts", 'turns', OLD."turns", 'imported_at', OLD."imported_at", """
        """'imported_by', OLD."imported_by", 'language', OLD."language", 'turn_stats', OLD."turn_stats")); END""",
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


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        history.install(op, CAPTURE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        history.install(op, CAPTURE_0009)
