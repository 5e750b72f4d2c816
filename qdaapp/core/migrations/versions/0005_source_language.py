"""Source language: the ISO code of the language a source is analysed in.

The undo capture triggers of ``sources`` list its columns, so they are
dropped and created again with the new column.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

from qdaapp.core.history import BLOBS, trigger_sql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

SOURCES_0004 = ['id', 'name', 'kind', 'format', 'case_id', 'text', 'original', 'original_name', 'sha256', 'encoding',
                'words', 'length', 'page_starts', 'paragraph_starts', 'turns', 'imported_at', 'imported_by']
SOURCES = SOURCES_0004 + ['language']
IMMUTABLE = ("text", "original", "page_starts", "paragraph_starts", "turns")


def _recreate_triggers(columns: list[str]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS undo_sources_{suffix}")
    for statement in trigger_sql("sources", columns, BLOBS.get("sources", ()), IMMUTABLE):
        op.execute(statement)


def upgrade() -> None:
    op.add_column('sources', sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
    _recreate_triggers(SOURCES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS undo_sources_{suffix}")
    op.drop_column('sources', 'language')
    _recreate_triggers(SOURCES_0004)
