"""Search and marker tables: per-source NLP sentences, FTS5 indexes, lexicons, runs, hits.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lexicons',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('search_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('lexicon', sa.String(length=64), nullable=True),
    sa.Column('lexicon_version', sa.Integer(), nullable=True),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('coder', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sentences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('lemmas', sa.Text(), nullable=False),
    sa.Column('offsets', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sentences', schema=None) as batch_op:
        batch_op.create_index('ix_sentences_source_start', ['source_id', 'start'], unique=False)

    op.create_table('source_index',
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('fts_at', sa.String(length=40), nullable=True),
    sa.Column('nlp_at', sa.String(length=40), nullable=True),
    sa.Column('pipeline', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('source_id')
    )
    op.create_table('search_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('act', sa.String(length=32), nullable=False),
    sa.Column('marker', sa.String(length=128), nullable=False),
    sa.Column('polarity', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=True),
    sa.Column('speaker', sa.String(length=255), nullable=True),
    sa.Column('sentence_start', sa.Integer(), nullable=False),
    sa.Column('sentence_end', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('coding_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=255), nullable=True),
    sa.Column('decided_at', sa.String(length=40), nullable=True),
    sa.CheckConstraint("status IN ('candidate', 'accepted', 'rejected')", name='ck_hit_status'),
    sa.ForeignKeyConstraint(['coding_id'], ['codings.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['search_runs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('search_hits', schema=None) as batch_op:
        batch_op.create_index('ix_hits_run_act_marker', ['run_id', 'act', 'marker'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_hits_coding_id'), ['coding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_hits_source_id'), ['source_id'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # Full-text indexes live only in SQLite; other databases fall back to scanning.
        op.execute(
            "CREATE VIRTUAL TABLE text_fts USING fts5(body, source_id UNINDEXED, start UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
        op.execute(
            "CREATE VIRTUAL TABLE lemma_fts USING fts5(lemmas, content='sentences', content_rowid='id', "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
        op.execute(
            "CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN "
            "INSERT INTO lemma_fts(lemma_fts, rowid, lemmas) VALUES ('delete', old.id, old.lemmas); END"
        )
        op.execute(
            "CREATE TRIGGER sources_fts_ad AFTER DELETE ON sources BEGIN "
            "DELETE FROM text_fts WHERE source_id = old.id; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS sources_fts_ad")
        op.execute("DROP TRIGGER IF EXISTS sentences_ad")
        op.execute("DROP TABLE IF EXISTS lemma_fts")
        op.execute("DROP TABLE IF EXISTS text_fts")
    with op.batch_alter_table('search_hits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_hits_source_id'))
        batch_op.drop_index(batch_op.f('ix_search_hits_coding_id'))
        batch_op.drop_index('ix_hits_run_act_marker')

    op.drop_table('search_hits')
    op.drop_table('source_index')
    with op.batch_alter_table('sentences', schema=None) as batch_op:
        batch_op.drop_index('ix_sentences_source_start')

    op.drop_table('sentences')
    op.drop_table('search_runs')
    op.drop_table('lexicons')
