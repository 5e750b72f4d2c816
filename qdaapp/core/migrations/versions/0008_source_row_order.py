"""Sources: the long values last in each row, and the figures the speaker role guess needs.

SQLite reads a row's columns in order, following a long value's overflow
pages to reach the columns stored after it. ``text`` and ``original`` (and
the paragraph starts and turns) stood before ``sha256``, ``words`` or
``language``, so listing the sources read every text. They are moved to the
end of the row: each is renamed, added again (ADD COLUMN appends), copied and
the old column dropped. No table is dropped, so no foreign key acts on the
rows that refer to the sources.

``turn_stats`` holds per source what the guess of who interviews needs (per
speaker its turns, questions and median turn length; the first speaker; the
names a header gives): a search no longer reads every text to guess roles.
It is filled here for the sources there are.

The undo capture of ``sources`` records its columns, so it is made again.

Revision ID: 0008
Revises: 0007
"""

import json

import sqlalchemy as sa
from alembic import op

from qdaapp.core import history

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# The undo capture of ``sources`` as this revision wrote it, frozen. It lists the columns in their
# order before the move (0010 writes it again as generated from the schema, in the table's order).
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

# The capture this revision replaces (as 0007 left it), put back by the downgrade.
CAPTURE_0007 = {
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

LONG = (("paragraph_starts", "TEXT"), ("turns", "TEXT"), ("text", "TEXT"), ("original", "BLOB"))


def _drop_triggers() -> None:
    history.drop(op, ["sources"])


def _fill_turn_stats() -> None:
    from qdaapp.core.speakers import turn_figures

    bind = op.get_bind()
    ids = [r[0] for r in bind.execute(sa.text("SELECT id FROM sources ORDER BY id")).all()]
    for i in range(0, len(ids), 100):  # a hundred texts at a time, not every one at once
        chunk = ids[i:i + 100]
        rows = bind.execute(sa.text(
            f"SELECT id, text, turns FROM sources WHERE id IN ({', '.join(map(str, chunk))})")).all()
        for sid, body, turns in rows:
            figures = turn_figures(body or "", json.loads(turns) if turns else [])
            bind.execute(sa.text("UPDATE sources SET turn_stats = :f WHERE id = :i"), {"f": figures, "i": sid})


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_triggers()
    op.add_column('sources', sa.Column('turn_stats', sa.Text(), nullable=True))
    if sqlite:
        for column, kind in LONG:
            op.execute(f'ALTER TABLE sources RENAME COLUMN "{column}" TO "{column}_0007"')
            op.execute(f'ALTER TABLE sources ADD COLUMN "{column}" {kind}')
        # The old columns are emptied as their values are copied, so dropping them rewrites short rows only.
        op.execute("UPDATE sources SET " + ", ".join(f'"{c}" = "{c}_0007", "{c}_0007" = NULL' for c, _ in LONG))
        for column, _kind in LONG:
            op.execute(f'ALTER TABLE sources DROP COLUMN "{column}_0007"')
    _fill_turn_stats()
    if sqlite:
        history.install(op, CAPTURE)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_triggers()
        op.execute('ALTER TABLE sources DROP COLUMN "turn_stats"')
        history.install(op, CAPTURE_0007)
    else:
        op.drop_column('sources', 'turn_stats')
