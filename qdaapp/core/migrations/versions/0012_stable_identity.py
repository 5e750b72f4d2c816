"""Stable identity: a ``guid`` on the rows a coder's copy is matched by when it is merged back.

Nodes, cases, attributes, memos, accounts and fragments get a ``guid``
column (unique). Existing rows get one derived from the project's id, the
kind of row and its id (``merge_guids.backfill``), so two copies of a project
taken before this upgrade give their rows the same identity; new rows get a
random one. Filling the column changes the rows' digests, so on a project
that has an audit trail the filling is recorded as one event
(``project.identify``) with the digests of the rows it wrote.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from qdaapp.core import history

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ("nodes", "cases", "attributes", "memos", "accounts", "fragments")

# The undo capture as generated from the schema at this revision (history.generate), frozen:
# later edits of the models or of the generator leave this migration as it was.
CAPTURE = {
    "nodes": [
        """CREATE TRIGGER undo_nodes_ai AFTER INSERT ON "nodes" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('nodes', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_nodes_ad AFTER DELETE ON "nodes" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('nodes', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'description', """
        """OLD."description", 'color', OLD."color", 'kind', OLD."kind", 'parent_id', OLD."parent_id", """
        """'position', OLD."position", 'created_at', OLD."created_at", 'created_by', OLD."created_by", 'guid', """
        """OLD."guid")); END""",
        """CREATE TRIGGER undo_nodes_au AFTER UPDATE ON "nodes" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('nodes', 'U', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", """
        """'description', OLD."description", 'color', OLD."color", 'kind', OLD."kind", 'parent_id', """
        """OLD."parent_id", 'position', OLD."position", 'created_at', OLD."created_at", 'created_by', """
        """OLD."created_by", 'guid', OLD."guid"), json_object('id', NEW."id", 'name', NEW."name", """
        """'description', NEW."description", 'color', NEW."color", 'kind', NEW."kind", 'parent_id', """
        """NEW."parent_id", 'position', NEW."position", 'created_at', NEW."created_at", 'created_by', """
        """NEW."created_by", 'guid', NEW."guid")); END""",
    ],
    "cases": [
        """CREATE TRIGGER undo_cases_ai AFTER INSERT ON "cases" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('cases', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_cases_ad AFTER DELETE ON "cases" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('cases', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", 'description', """
        """OLD."description", 'created_at', OLD."created_at", 'guid', OLD."guid")); END""",
        """CREATE TRIGGER undo_cases_au AFTER UPDATE ON "cases" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('cases', 'U', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", """
        """'description', OLD."description", 'created_at', OLD."created_at", 'guid', OLD."guid"), """
        """json_object('id', NEW."id", 'name', NEW."name", 'description', NEW."description", 'created_at', """
        """NEW."created_at", 'guid', NEW."guid")); END""",
    ],
    "attributes": [
        """CREATE TRIGGER undo_attributes_ai AFTER INSERT ON "attributes" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id) VALUES ('attributes', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_attributes_ad AFTER DELETE ON "attributes" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('attributes', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", """
        """'type', OLD."type", 'guid', OLD."guid")); END""",
        """CREATE TRIGGER undo_attributes_au AFTER UPDATE ON "attributes" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('attributes', 'U', OLD.rowid, json_object('id', OLD."id", 'name', """
        """OLD."name", 'type', OLD."type", 'guid', OLD."guid"), json_object('id', NEW."id", 'name', NEW."name", """
        """'type', NEW."type", 'guid', NEW."guid")); END""",
    ],
    "memos": [
        """CREATE TRIGGER undo_memos_ai AFTER INSERT ON "memos" BEGIN INSERT INTO undo_ops(tbl, op, row_id) """
        """VALUES ('memos', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_memos_ad AFTER DELETE ON "memos" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old) VALUES ('memos', 'D', OLD.rowid, json_object('id', OLD."id", 'title', OLD."title", 'text', """
        """OLD."text", 'target_type', OLD."target_type", 'target_id', OLD."target_id", 'date', OLD."date", """
        """'author', OLD."author", 'created_at', OLD."created_at", 'updated_at', OLD."updated_at", 'guid', """
        """OLD."guid")); END""",
        """CREATE TRIGGER undo_memos_au AFTER UPDATE ON "memos" BEGIN INSERT INTO undo_ops(tbl, op, row_id, """
        """old, new) VALUES ('memos', 'U', OLD.rowid, json_object('id', OLD."id", 'title', OLD."title", 'text', """
        """OLD."text", 'target_type', OLD."target_type", 'target_id', OLD."target_id", 'date', OLD."date", """
        """'author', OLD."author", 'created_at', OLD."created_at", 'updated_at', OLD."updated_at", 'guid', """
        """OLD."guid"), json_object('id', NEW."id", 'title', NEW."title", 'text', NEW."text", 'target_type', """
        """NEW."target_type", 'target_id', NEW."target_id", 'date', NEW."date", 'author', NEW."author", """
        """'created_at', NEW."created_at", 'updated_at', NEW."updated_at", 'guid', NEW."guid")); END""",
    ],
    "accounts": [
        """CREATE TRIGGER undo_accounts_ai AFTER INSERT ON "accounts" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id) VALUES ('accounts', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_accounts_ad AFTER DELETE ON "accounts" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('accounts', 'D', OLD.rowid, json_object('id', OLD."id", 'title', OLD."title", """
        """'description', OLD."description", 'created_at', OLD."created_at", 'created_by', OLD."created_by", """
        """'guid', OLD."guid")); END""",
        """CREATE TRIGGER undo_accounts_au AFTER UPDATE ON "accounts" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('accounts', 'U', OLD.rowid, json_object('id', OLD."id", 'title', """
        """OLD."title", 'description', OLD."description", 'created_at', OLD."created_at", 'created_by', """
        """OLD."created_by", 'guid', OLD."guid"), json_object('id', NEW."id", 'title', NEW."title", """
        """'description', NEW."description", 'created_at', NEW."created_at", 'created_by', NEW."created_by", """
        """'guid', NEW."guid")); END""",
    ],
    "fragments": [
        """CREATE TRIGGER undo_fragments_ai AFTER INSERT ON "fragments" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id) VALUES ('fragments', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_fragments_ad AFTER DELETE ON "fragments" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('fragments', 'D', OLD.rowid, json_object('id', OLD."id", 'account_id', """
        """OLD."account_id", 'summary', OLD."summary", 'act', OLD."act", 'case_id', OLD."case_id", 'actors', """
        """OLD."actors", 'position', OLD."position", 'x', OLD."x", 'y', OLD."y", 'created_at', """
        """OLD."created_at", 'guid', OLD."guid")); END""",
        """CREATE TRIGGER undo_fragments_au AFTER UPDATE ON "fragments" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('fragments', 'U', OLD.rowid, json_object('id', OLD."id", 'account_id', """
        """OLD."account_id", 'summary', OLD."summary", 'act', OLD."act", 'case_id', OLD."case_id", 'actors', """
        """OLD."actors", 'position', OLD."position", 'x', OLD."x", 'y', OLD."y", 'created_at', """
        """OLD."created_at", 'guid', OLD."guid"), json_object('id', NEW."id", 'account_id', NEW."account_id", """
        """'summary', NEW."summary", 'act', NEW."act", 'case_id', NEW."case_id", 'actors', NEW."actors", """
        """'position', NEW."position", 'x', NEW."x", 'y', NEW."y", 'created_at', NEW."created_at", 'guid', """
        """NEW."guid")); END""",
    ],
}

# The capture this revision replaces (as 0011 left it), put back by the downgrade.
CAPTURE_0011 = {
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
}


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('guid', sa.String(length=36), nullable=True))
        op.create_index(f'ix_{table}_guid', table, ['guid'], unique=True)
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    history.install(op, CAPTURE)
    from sqlalchemy.orm import Session

    from qdaapp.core import commands, merge_guids

    project_id = bind.exec_driver_sql("SELECT value FROM meta WHERE key = 'project_id'").scalar() or ""
    rows = merge_guids.backfill(bind, project_id)
    if rows and bind.exec_driver_sql("SELECT count(*) FROM audit_events").scalar():
        with Session(bind=bind) as session:
            commands.record(session, "qdaapp", merge_guids.identify(session, rows), "schema upgrade to 0012")
            session.flush()
    else:  # nothing recorded the rows' changes: leave no row changes for the next command to claim
        bind.exec_driver_sql("DELETE FROM undo_ops WHERE event_seq IS NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        history.drop(op, list(TABLES))
    for table in TABLES:
        op.drop_index(f'ix_{table}_guid', table_name=table)
        # SQLite's own DROP COLUMN (3.35+): a batch copy of nodes would lose its expression index.
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN guid')
    if op.get_bind().dialect.name == "sqlite":
        history.install(op, CAPTURE_0011)
