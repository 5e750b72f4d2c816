"""Speakers: the role of each speaker name in the project (interviewer or participant).

A row is the user's word on one speaker name, for the whole project; names
without a row get a guessed role (see ``core/speakers.py``).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from qdaapp.core import history

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The undo capture as generated from the schema at this revision (history.generate), frozen:
# later edits of the models or of the generator leave this migration as it was.
CAPTURE = {
    "speakers": [
        """CREATE TRIGGER undo_speakers_ai AFTER INSERT ON "speakers" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id) VALUES ('speakers', 'I', NEW.rowid); END""",
        """CREATE TRIGGER undo_speakers_ad AFTER DELETE ON "speakers" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old) VALUES ('speakers', 'D', OLD.rowid, json_object('id', OLD."id", 'name', OLD."name", """
        """'role', OLD."role", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by")); END""",
        """CREATE TRIGGER undo_speakers_au AFTER UPDATE ON "speakers" BEGIN INSERT INTO undo_ops(tbl, op, """
        """row_id, old, new) VALUES ('speakers', 'U', OLD.rowid, json_object('id', OLD."id", 'name', """
        """OLD."name", 'role', OLD."role", 'updated_at', OLD."updated_at", 'updated_by', OLD."updated_by"), """
        """json_object('id', NEW."id", 'name', NEW."name", 'role', NEW."role", 'updated_at', NEW."updated_at", """
        """'updated_by', NEW."updated_by")); END""",
    ],
}


def upgrade() -> None:
    op.create_table('speakers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint("role IN ('interviewer', 'participant')", name='ck_speaker_role'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    )
    if op.get_bind().dialect.name == "sqlite":
        history.install(op, CAPTURE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        history.drop(op, list(CAPTURE))
    op.drop_table('speakers')
