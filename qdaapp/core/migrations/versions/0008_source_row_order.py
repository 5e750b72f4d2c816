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

The undo capture triggers of ``sources`` list its columns, so they are made
again.

Revision ID: 0008
Revises: 0007
"""

import json

from alembic import op
import sqlalchemy as sa

from qdaapp.core.history import BLOBS, trigger_sql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SOURCES_0005 = ['id', 'name', 'kind', 'format', 'case_id', 'text', 'original', 'original_name', 'sha256', 'encoding',
                'words', 'length', 'page_starts', 'paragraph_starts', 'turns', 'imported_at', 'imported_by', 'language']
SOURCES = SOURCES_0005 + ['turn_stats']
IMMUTABLE_0005 = ("text", "original", "page_starts", "paragraph_starts", "turns")
IMMUTABLE = IMMUTABLE_0005 + ("turn_stats",)
LONG = (("paragraph_starts", "TEXT"), ("turns", "TEXT"), ("text", "TEXT"), ("original", "BLOB"))


def _drop_triggers() -> None:
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS undo_sources_{suffix}")


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
        for statement in trigger_sql("sources", SOURCES, BLOBS.get("sources", ()), IMMUTABLE):
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_triggers()
        op.execute('ALTER TABLE sources DROP COLUMN "turn_stats"')
        for statement in trigger_sql("sources", SOURCES_0005, BLOBS.get("sources", ()), IMMUTABLE_0005):
            op.execute(statement)
    else:
        op.drop_column('sources', 'turn_stats')
