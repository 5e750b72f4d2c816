"""Undo history: row changes captured by triggers, and the per-coder undo stack.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa

from qdaapp.core.history import BLOBS, trigger_sql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The tables holding the user's work, with their columns at this revision.
CAPTURED = {
    'accounts': ['id', 'title', 'description', 'created_at', 'created_by'],
    'actors': ['id', 'name', 'kind'],
    'attributes': ['id', 'name', 'type'],
    'cases': ['id', 'name', 'description', 'created_at'],
    'framework_cells': ['id', 'row_kind', 'row_id', 'col_kind', 'col_id', 'summary', 'updated_at'],
    'lexicons': ['name', 'version', 'content', 'updated_at', 'updated_by'],
    'memos': ['id', 'title', 'text', 'target_type', 'target_id', 'date', 'author', 'created_at', 'updated_at'],
    'nodes': ['id', 'name', 'description', 'color', 'kind', 'parent_id', 'position', 'created_at', 'created_by'],
    'search_runs': ['id', 'kind', 'query', 'lexicon', 'lexicon_version', 'params', 'coder', 'created_at'],
    'actant_roles': ['id', 'account_id', 'actor', 'role'],
    'fragments': ['id', 'account_id', 'summary', 'act', 'case_id', 'actors', 'position', 'x', 'y', 'created_at'],
    'sources': ['id', 'name', 'kind', 'format', 'case_id', 'text', 'original', 'original_name', 'sha256', 'encoding', 'words', 'length', 'page_starts', 'paragraph_starts', 'turns', 'imported_at', 'imported_by'],
    'account_passages': ['id', 'account_id', 'source_id', 'start', 'end', 'added_by', 'created_at'],
    'attribute_values': ['id', 'attribute_id', 'case_id', 'source_id', 'value'],
    'codings': ['id', 'source_id', 'node_id', 'start', 'end', 'coder', 'created_at', 'origin'],
    'fragment_links': ['id', 'from_id', 'to_id', 'label'],
    'fragment_passages': ['id', 'fragment_id', 'source_id', 'start', 'end'],
    'search_hits': ['id', 'run_id', 'source_id', 'start', 'end', 'act', 'marker', 'polarity', 'subject', 'speaker', 'sentence_start', 'sentence_end', 'status', 'coding_id', 'decided_by', 'decided_at'],
}
IMMUTABLE = {"sources": ("text", "original", "page_starts", "paragraph_starts", "turns")}


def upgrade() -> None:
    op.create_table('undo_ops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=True),
    sa.Column('tbl', sa.String(length=32), nullable=False),
    sa.Column('op', sa.String(length=1), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_undo_ops_event_seq', 'undo_ops', ['event_seq'], unique=False)
    op.create_table('history',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('coder', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('undone_by', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_index('ix_history_coder_state', 'history', ['coder', 'state'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in CAPTURED.items():
            for statement in trigger_sql(table, columns, BLOBS.get(table, ()), IMMUTABLE.get(table, ())):
                if statement.startswith("CREATE TRIGGER undo_search_hits_ai"):
                    # Hits are only ever inserted with their run: undoing the run deletes them by
                    # cascade (and those deletes are captured), so thousands of insert records are not needed.
                    continue
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in CAPTURED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS undo_{table}_{suffix}")
    op.drop_index('ix_history_coder_state', table_name='history')
    op.drop_table('history')
    op.drop_index('ix_undo_ops_event_seq', table_name='undo_ops')
    op.drop_table('undo_ops')
