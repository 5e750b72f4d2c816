"""Undo history: row changes captured by triggers, and the per-coder undo stack.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from qdaapp.core import history

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The undo capture as generated from the schema at this revision (history.generate), frozen:
# later edits of the models or of the generator leave this migration as it was.
CAPTURE = {
    "account_passages": [
        """CREATE TRIGGER undo_account_passages_ai AFTER INSERT ON "account_passages" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id) VALUES ('account_passages', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_account_passages_ad AFTER DELETE ON "account_passages" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old) VALUES ('account_passages', 'D', OLD.rowid, json_object('id', """
        """OLD."id", 'account_id', OLD."account_id", 'source_id', OLD."source_id", 'start', OLD."start", 'end', """
        """OLD."end", 'added_by', OLD."added_by", 'created_at', OLD."created_at")); END""",
        """CREATE TRIGGER undo_account_passages_au AFTER UPDATE ON "account_passages" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old, new) VALUES ('account_passages', 'U', OLD.rowid, json_object('id', """
        """OLD."id", 'account_id', OLD."account_id", 'source_id', OLD."source_id", 'start', OLD."start", 'end', """
        """OLD."end", 'added_by', OLD."added_by", 'created_at', OLD."created_at"), json_object('id', NEW."id", """
        """'account_id', NEW."account_id", 'source_id', NEW."source_id", 'start', NEW."start", 'end', """
        """NEW."end", 'added_by', NEW."added_by", 'created_at', NEW."created_at")); END""",
    ],
    "accounts": [
        """CREATE TRIGGER undo_accounts_ai AFTER INSERT ON "accounts" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id) VALUES ('accounts', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_accounts_ad AFTER DELETE ON "accounts" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('accounts', 'D', OLD.rowid, json_object('id', OLD."id", 'title', OLD."title", """
        """'description', OLD."description", 'created_at', OLD."created_at", 'created_by', OLD."created_by")); """
        """END""",
        """CREATE TRIGGER undo_accounts_au AFTER UPDATE ON "accounts" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('accounts', 'U', OLD.rowid, json_object('id', OLD."id", 'title', """
        """OLD."title", 'description', OLD."description", 'created_at', OLD."created_at", 'created_by', """
        """OLD."created_by"), json_object('id', NEW."id", 'title', NEW."title", 'description', """
        """NEW."description", 'created_at', NEW."created_at", 'created_by', NEW."created_by")); END""",
    ],
    "actant_roles": [
        """CREATE TRIGGER undo_actant_roles_ai AFTER INSERT ON "actant_roles" BEGIN INSERT INTO undo_ops(tbl, """
        """op, row_id) VALUES ('actant_roles', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_actant_roles_ad AFTER DELETE ON "actant_roles" BEGIN INSERT INTO undo_ops(tbl, """
        """op, row_id, old) VALUES ('actant_roles', 'D', OLD.rowid, json_object('id', OLD."id", 'account_id', """
        """OLD."account_id", 'actor', OLD."actor", 'role', OLD."role")); END""",
        """CREATE TRIGGER undo_actant_roles_au AFTER UPDATE ON "actant_roles" BEGIN INSERT INTO undo_ops(tbl, """
        """op, row_id, old, new) VALUES ('actant_roles', 'U', OLD.rowid, json_object('id', OLD."id", """
        """'account_id', OLD."account_id", 'actor', OLD."actor", 'role', OLD."role"), json_object('id', """
        """NEW."id", 'account_id', NEW."account_id", 'actor', NEW."actor", 'role', NEW."role")); END""",
    ],
    "actors": [
        """CREATE TRIGGER undo_actors_ai AFTER INSERT ON "actors" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('actors', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_actors_ad AFTER DELETE ON "actors" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('actors', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'kind', """
        """OLD."kind")); END""",
        """CREATE TRIGGER undo_actors_au AFTER UPDATE ON "actors" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('actors', 'U', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'kind', """
        """OLD."kind"), json_object('id', NEW."id", 'name', NEW."name", 'kind', NEW."kind")); END""",
    ],
    "attribute_values": [
        """CREATE TRIGGER undo_attribute_values_ai AFTER INSERT ON "attribute_values" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id) VALUES ('attribute_values', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_attribute_values_ad AFTER DELETE ON "attribute_values" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old) VALUES ('attribute_values', 'D', OLD.rowid, json_object('id', """
        """OLD."id", 'attribute_id', OLD."attribute_id", 'case_id', OLD."case_id", 'source_id', """
        """OLD."source_id", 'value', OLD."value")); END""",
        """CREATE TRIGGER undo_attribute_values_au AFTER UPDATE ON "attribute_values" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old, new) VALUES ('attribute_values', 'U', OLD.rowid, json_object('id', """
        """OLD."id", 'attribute_id', OLD."attribute_id", 'case_id', OLD."case_id", 'source_id', """
        """OLD."source_id", 'value', OLD."value"), json_object('id', NEW."id", 'attribute_id', """
        """NEW."attribute_id", 'case_id', NEW."case_id", 'source_id', NEW."source_id", 'value', NEW."value")); """
        """END""",
    ],
    "attributes": [
        """CREATE TRIGGER undo_attributes_ai AFTER INSERT ON "attributes" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id) VALUES ('attributes', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_attributes_ad AFTER DELETE ON "attributes" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('attributes', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", """
        """'type', OLD."type")); END""",
        """CREATE TRIGGER undo_attributes_au AFTER UPDATE ON "attributes" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('attributes', 'U', OLD.rowid, json_object('id', OLD."id", 'name', """
        """OLD."name", 'type', OLD."type"), json_object('id', NEW."id", 'name', NEW."name", 'type', """
        """NEW."type")); END""",
    ],
    "cases": [
        """CREATE TRIGGER undo_cases_ai AFTER INSERT ON "cases" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('cases', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_cases_ad AFTER DELETE ON "cases" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('cases', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'description', """
        """OLD."description", 'created_at', OLD."created_at")); END""",
        """CREATE TRIGGER undo_cases_au AFTER UPDATE ON "cases" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('cases', 'U', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", """
        """'description', OLD."description", 'created_at', OLD."created_at"), json_object('id', NEW."id", """
        """'name', NEW."name", 'description', NEW."description", 'created_at', NEW."created_at")); END""",
    ],
    "codings": [
        """CREATE TRIGGER undo_codings_ai AFTER INSERT ON "codings" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('codings', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_codings_ad AFTER DELETE ON "codings" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('codings', 'D', OLD.rowid, json_object('id', OLD."id", 'source_id', OLD."source_id", """
        """'node_id', OLD."node_id", 'start', OLD."start", 'end', OLD."end", 'coder', OLD."coder", """
        """'created_at', OLD."created_at", 'origin', OLD."origin")); END""",
        """CREATE TRIGGER undo_codings_au AFTER UPDATE ON "codings" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('codings', 'U', OLD.rowid, json_object('id', OLD."id", 'source_id', """
        """OLD."source_id", 'node_id', OLD."node_id", 'start', OLD."start", 'end', OLD."end", 'coder', """
        """OLD."coder", 'created_at', OLD."created_at", 'origin', OLD."origin"), json_object('id', NEW."id", """
        """'source_id', NEW."source_id", 'node_id', NEW."node_id", 'start', NEW."start", 'end', NEW."end", """
        """'coder', NEW."coder", 'created_at', NEW."created_at", 'origin', NEW."origin")); END""",
    ],
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
    "fragment_passages": [
        """CREATE TRIGGER undo_fragment_passages_ai AFTER INSERT ON "fragment_passages" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id) VALUES ('fragment_passages', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_fragment_passages_ad AFTER DELETE ON "fragment_passages" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old) VALUES ('fragment_passages', 'D', OLD.rowid, json_object('id', """
        """OLD."id", 'fragment_id', OLD."fragment_id", 'source_id', OLD."source_id", 'start', OLD."start", """
        """'end', OLD."end")); END""",
        """CREATE TRIGGER undo_fragment_passages_au AFTER UPDATE ON "fragment_passages" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old, new) VALUES ('fragment_passages', 'U', OLD.rowid, json_object('id', """
        """OLD."id", 'fragment_id', OLD."fragment_id", 'source_id', OLD."source_id", 'start', OLD."start", """
        """'end', OLD."end"), json_object('id', NEW."id", 'fragment_id', NEW."fragment_id", 'source_id', """
        """NEW."source_id", 'start', NEW."start", 'end', NEW."end")); END""",
    ],
    "fragments": [
        """CREATE TRIGGER undo_fragments_ai AFTER INSERT ON "fragments" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id) VALUES ('fragments', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_fragments_ad AFTER DELETE ON "fragments" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('fragments', 'D', OLD.rowid, json_object('id', OLD."id", 'account_id', """
        """OLD."account_id", 'summary', OLD."summary", 'act', OLD."act", 'case_id', OLD."case_id", 'actors', """
        """OLD."actors", 'position', OLD."position", 'x', OLD."x", 'y', OLD."y", 'created_at', """
        """OLD."created_at")); END""",
        """CREATE TRIGGER undo_fragments_au AFTER UPDATE ON "fragments" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('fragments', 'U', OLD.rowid, json_object('id', OLD."id", 'account_id', """
        """OLD."account_id", 'summary', OLD."summary", 'act', OLD."act", 'case_id', OLD."case_id", 'actors', """
        """OLD."actors", 'position', OLD."position", 'x', OLD."x", 'y', OLD."y", 'created_at', """
        """OLD."created_at"), json_object('id', NEW."id", 'account_id', NEW."account_id", 'summary', """
        """NEW."summary", 'act', NEW."act", 'case_id', NEW."case_id", 'actors', NEW."actors", 'position', """
        """NEW."position", 'x', NEW."x", 'y', NEW."y", 'created_at', NEW."created_at")); END""",
    ],
    "framework_cells": [
        """CREATE TRIGGER undo_framework_cells_ai AFTER INSERT ON "framework_cells" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id) VALUES ('framework_cells', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_framework_cells_ad AFTER DELETE ON "framework_cells" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old) VALUES ('framework_cells', 'D', OLD.rowid, json_object('id', """
        """OLD."id", 'row_kind', OLD."row_kind", 'row_id', OLD."row_id", 'col_kind', OLD."col_kind", 'col_id', """
        """OLD."col_id", 'summary', OLD."summary", 'updated_at', OLD."updated_at")); END""",
        """CREATE TRIGGER undo_framework_cells_au AFTER UPDATE ON "framework_cells" BEGIN INSERT INTO """
        """undo_ops(tbl, op, row_id, old, new) VALUES ('framework_cells', 'U', OLD.rowid, json_object('id', """
        """OLD."id", 'row_kind', OLD."row_kind", 'row_id', OLD."row_id", 'col_kind', OLD."col_kind", 'col_id', """
        """OLD."col_id", 'summary', OLD."summary", 'updated_at', OLD."updated_at"), json_object('id', NEW."id", """
        """'row_kind', NEW."row_kind", 'row_id', NEW."row_id", 'col_kind', NEW."col_kind", 'col_id', """
        """NEW."col_id", 'summary', NEW."summary", 'updated_at', NEW."updated_at")); END""",
    ],
    "lexicons": [
        """CREATE TRIGGER undo_lexicons_ai AFTER INSERT ON "lexicons" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id) VALUES ('lexicons', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_lexicons_ad AFTER DELETE ON "lexicons" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('lexicons', 'D', OLD.rowid, json_object('name', OLD."name", 'version', """
        """OLD."version", 'content', OLD."content", 'updated_at', OLD."updated_at", 'updated_by', """
        """OLD."updated_by")); END""",
        """CREATE TRIGGER undo_lexicons_au AFTER UPDATE ON "lexicons" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('lexicons', 'U', OLD.rowid, json_object('name', OLD."name", 'version', """
        """OLD."version", 'content', OLD."content", 'updated_at', OLD."updated_at", 'updated_by', """
        """OLD."updated_by"), json_object('name', NEW."name", 'version', NEW."version", 'content', """
        """NEW."content", 'updated_at', NEW."updated_at", 'updated_by', NEW."updated_by")); END""",
    ],
    "memos": [
        """CREATE TRIGGER undo_memos_ai AFTER INSERT ON "memos" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('memos', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_memos_ad AFTER DELETE ON "memos" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('memos', 'D', OLD.rowid, json_object('id', OLD."id", 'title', OLD."title", 'text', """
        """OLD."text", 'target_type', OLD."target_type", 'target_id', OLD."target_id", 'date', OLD."date", """
        """'author', OLD."author", 'created_at', OLD."created_at", 'updated_at', OLD."updated_at")); END""",
        """CREATE TRIGGER undo_memos_au AFTER UPDATE ON "memos" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('memos', 'U', OLD.rowid, json_object('id', OLD."id", 'title', OLD."title", 'text', """
        """OLD."text", 'target_type', OLD."target_type", 'target_id', OLD."target_id", 'date', OLD."date", """
        """'author', OLD."author", 'created_at', OLD."created_at", 'updated_at', OLD."updated_at"), """
        """json_object('id', NEW."id", 'title', NEW."title", 'text', NEW."text", 'target_type', """
        """NEW."target_type", 'target_id', NEW."target_id", 'date', NEW."date", 'author', NEW."author", """
        """'created_at', NEW."created_at", 'updated_at', NEW."updated_at")); END""",
    ],
    "nodes": [
        """CREATE TRIGGER undo_nodes_ai AFTER INSERT ON "nodes" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('nodes', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_nodes_ad AFTER DELETE ON "nodes" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('nodes', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'description', """
        """OLD."description", 'color', OLD."color", 'kind', OLD."kind", 'parent_id', OLD."parent_id", """
        """'position', OLD."position", 'created_at', OLD."created_at", 'created_by', OLD."created_by")); END""",
        """CREATE TRIGGER undo_nodes_au AFTER UPDATE ON "nodes" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('nodes', 'U', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", """
        """'description', OLD."description", 'color', OLD."color", 'kind', OLD."kind", 'parent_id', """
        """OLD."parent_id", 'position', OLD."position", 'created_at', OLD."created_at", 'created_by', """
        """OLD."created_by"), json_object('id', NEW."id", 'name', NEW."name", 'description', NEW."description", """
        """'color', NEW."color", 'kind', NEW."kind", 'parent_id', NEW."parent_id", 'position', NEW."position", """
        """'created_at', NEW."created_at", 'created_by', NEW."created_by")); END""",
    ],
    "search_hits": [
        """CREATE TRIGGER undo_search_hits_ad AFTER DELETE ON "search_hits" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('search_hits', 'D', OLD.rowid, json_object('id', OLD."id", 'run_id', """
        """OLD."run_id", 'source_id', OLD."source_id", 'start', OLD."start", 'end', OLD."end", 'act', """
        """OLD."act", 'marker', OLD."marker", 'polarity', OLD."polarity", 'subject', OLD."subject", 'speaker', """
        """OLD."speaker", 'sentence_start', OLD."sentence_start", 'sentence_end', OLD."sentence_end", 'status', """
        """OLD."status", 'coding_id', OLD."coding_id", 'decided_by', OLD."decided_by", 'decided_at', """
        """OLD."decided_at")); END""",
        """CREATE TRIGGER undo_search_hits_au AFTER UPDATE ON "search_hits" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('search_hits', 'U', OLD.rowid, json_object('id', OLD."id", 'run_id', """
        """OLD."run_id", 'source_id', OLD."source_id", 'start', OLD."start", 'end', OLD."end", 'act', """
        """OLD."act", 'marker', OLD."marker", 'polarity', OLD."polarity", 'subject', OLD."subject", 'speaker', """
        """OLD."speaker", 'sentence_start', OLD."sentence_start", 'sentence_end', OLD."sentence_end", 'status', """
        """OLD."status", 'coding_id', OLD."coding_id", 'decided_by', OLD."decided_by", 'decided_at', """
        """OLD."decided_at"), json_object('id', NEW."id", 'run_id', NEW."run_id", 'source_id', NEW."source_id", """
        """'start', NEW."start", 'end', NEW."end", 'act', NEW."act", 'marker', NEW."marker", 'polarity', """
        """NEW."polarity", 'subject', NEW."subject", 'speaker', NEW."speaker", 'sentence_start', """
        """NEW."sentence_start", 'sentence_end', NEW."sentence_end", 'status', NEW."status", 'coding_id', """
        """NEW."coding_id", 'decided_by', NEW."decided_by", 'decided_at', NEW."decided_at")); END""",
    ],
    "search_runs": [
        """CREATE TRIGGER undo_search_runs_ai AFTER INSERT ON "search_runs" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id) VALUES ('search_runs', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_search_runs_ad AFTER DELETE ON "search_runs" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('search_runs', 'D', OLD.rowid, json_object('id', OLD."id", 'kind', OLD."kind", """
        """'query', OLD."query", 'lexicon', OLD."lexicon", 'lexicon_version', OLD."lexicon_version", 'params', """
        """OLD."params", 'coder', OLD."coder", 'created_at', OLD."created_at")); END""",
        """CREATE TRIGGER undo_search_runs_au AFTER UPDATE ON "search_runs" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('search_runs', 'U', OLD.rowid, json_object('id', OLD."id", 'kind', """
        """OLD."kind", 'query', OLD."query", 'lexicon', OLD."lexicon", 'lexicon_version', """
        """OLD."lexicon_version", 'params', OLD."params", 'coder', OLD."coder", 'created_at', """
        """OLD."created_at"), json_object('id', NEW."id", 'kind', NEW."kind", 'query', NEW."query", 'lexicon', """
        """NEW."lexicon", 'lexicon_version', NEW."lexicon_version", 'params', NEW."params", 'coder', """
        """NEW."coder", 'created_at', NEW."created_at")); END""",
    ],
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
        history.install(op, CAPTURE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        history.drop(op, list(CAPTURE))
    op.drop_index('ix_history_coder_state', table_name='history')
    op.drop_table('history')
    op.drop_index('ix_undo_ops_event_seq', table_name='undo_ops')
    op.drop_table('undo_ops')
